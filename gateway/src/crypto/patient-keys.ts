import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { HDKey } from '@scure/bip32';
import { generateMnemonic, mnemonicToSeedSync, validateMnemonic } from '@scure/bip39';
import { wordlist } from '@scure/bip39/wordlists/english.js';
import { computeAddress, hexlify } from 'ethers';
import { utf8, wipe } from './bytes.js';
import { COMPARTMENTS, type Compartment } from './compartments.js';
import { nobleX25519, type X25519KeyPair } from './x25519.js';

/** The standard Ethereum derivation path (BIP-44 coin type 60), so any wallet recovers the same key. */
export const ETHEREUM_PATH = "m/44'/60'/0'/0/0";

/** HKDF info for a compartment key (design.md §2.1); the version suffix lets the scheme change without clashes. */
export function compartmentKeyInfo(compartment: Compartment): string {
  return `fhir-gateway/compartment/${compartment}/v1`;
}

/** Everything a patient's mnemonic yields. Secret material: keep in memory only, wipe with {@link wipePatientKeys}. */
export interface PatientKeys {
  /** The patient's on-chain pseudonym: the checksummed address of the signing key. */
  readonly address: string;
  /** secp256k1 private key at {@link ETHEREUM_PATH}, 0x-hex (the form ethers' `Wallet` takes). */
  readonly signingKey: string;
  /** One X25519 key pair per compartment. */
  readonly compartments: Readonly<Record<Compartment, X25519KeyPair>>;
}

/** A fresh 24-word BIP-39 mnemonic (256 bits of entropy), for a patient who claims a store. */
export function newMnemonic(): string {
  return generateMnemonic(wordlist, 256);
}

/** Normalizes and checks a mnemonic against the English BIP-39 word list and checksum. */
export function normalizeMnemonic(mnemonic: string): string {
  const words = mnemonic.normalize('NFKD').toLowerCase().split(/\s+/).filter((w) => w.length > 0);
  const normalized = words.join(' ');
  if (!validateMnemonic(normalized, wordlist)) {
    throw new TypeError(`expected a BIP-39 English mnemonic of 12 to 24 words with a valid checksum, got ${words.length} words that are not`);
  }
  return normalized;
}

/**
 * Derives a patient's keys from their BIP-39 mnemonic (design.md §2.1), with the empty BIP-39 passphrase so that
 * `ethers.Wallet.fromPhrase(mnemonic)` and any wallet recover the same signing key:
 * - seed = BIP-39 seed (PBKDF2-HMAC-SHA512, 2048 rounds, salt "mnemonic");
 * - signing key = BIP-32 child at m/44'/60'/0'/0/0 (secp256k1);
 * - compartment secret = HKDF-SHA256(ikm = seed, salt = none, info = "fhir-gateway/compartment/<name>/v1", 32 bytes),
 *   used as an X25519 secret key (clamped by X25519 itself, RFC 7748 §5).
 */
export function derivePatientKeys(mnemonic: string): PatientKeys {
  const seed = mnemonicToSeedSync(normalizeMnemonic(mnemonic));
  try {
    const master = HDKey.fromMasterSeed(seed);
    const node = master.derive(ETHEREUM_PATH);
    const signingKey = hexlify(node.privateKey!);
    node.wipePrivateData();
    master.wipePrivateData();
    const compartments = Object.fromEntries(
      COMPARTMENTS.map((name) => {
        const secretKey = hkdf(sha256, seed, undefined, utf8(compartmentKeyInfo(name)), 32);
        return [name, { secretKey, publicKey: nobleX25519.publicKeyOf(secretKey) }];
      }),
    ) as Record<Compartment, X25519KeyPair>;
    return { address: computeAddress(signingKey), signingKey, compartments };
  } finally {
    wipe(seed);
  }
}

/** Overwrites the compartment secret keys (the signing key is a string and cannot be wiped in JS). */
export function wipePatientKeys(keys: PatientKeys): void {
  for (const pair of Object.values(keys.compartments)) wipe(pair.secretKey);
}
