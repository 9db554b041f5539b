import { sha256 } from '@noble/hashes/sha2.js';
import { getAddress, hexlify, verifyTypedData, Wallet, type TypedDataDomain, type TypedDataField } from 'ethers';
import { concatBytes, fromBase64Url, toBase64Url } from './bytes.js';
import { COMPARTMENTS, type Compartment } from './compartments.js';
import type { PatientKeys } from './patient-keys.js';
import { nobleX25519 } from './x25519.js';

/**
 * The claim of a patient store (design.md §2.1): the patient proves possession of the signing key derived from
 * their mnemonic and hands the gateway the public keys of their compartments, to which the gateway then re-wraps
 * every batch key before destroying the escrow secret. Signed as EIP-712 typed data, so wallets show it readably
 * and the same signer later signs consents.
 */
export interface StoreClaim {
  /** The FHIR Patient id of the store. */
  readonly patient: string;
  /** The patient's address (checksummed), recovered from the signature by the gateway. */
  readonly address: string;
  /** Compartment public keys, base64url (32 bytes each). */
  readonly compartmentKeys: Readonly<Record<Compartment, string>>;
  /** The gateway the claim is for (its public base URL), so a claim cannot be replayed at another gateway. */
  readonly gateway: string;
  /** Unix seconds; the gateway accepts a claim only for a short time after this. */
  readonly issuedAt: number;
  /** EIP-712 signature, 0x-hex (65 bytes). */
  readonly signature: string;
}

/** EIP-712 domain: off-chain, so no chain id or contract; versioned like every other label here. */
export const STORE_CLAIM_DOMAIN: TypedDataDomain = { name: 'FHIR Gateway patient store', version: '1' };

/** EIP-712 types of the claim: the compartment keys are signed through their hash ({@link compartmentKeysHash}). */
export const STORE_CLAIM_TYPES: Record<string, TypedDataField[]> = {
  StoreClaim: [
    { name: 'patient', type: 'string' },
    { name: 'compartmentKeysHash', type: 'bytes32' },
    { name: 'gateway', type: 'string' },
    { name: 'issuedAt', type: 'uint64' },
  ],
};

/** SHA-256 over the 32-byte public keys in {@link COMPARTMENTS} order: what the signature covers. */
export function compartmentKeysHash(keys: Readonly<Record<Compartment, string>>): string {
  return hexlify(sha256(concatBytes(...COMPARTMENTS.map((name) => publicKeyOf(keys, name)))));
}

function publicKeyOf(keys: Readonly<Record<string, string>>, name: Compartment): Uint8Array {
  const encoded = keys[name];
  if (typeof encoded !== 'string') throw new TypeError(`compartmentKeys.${name}: expected a base64url X25519 public key, got ${encoded === undefined ? 'nothing' : typeof encoded}`);
  const key = fromBase64Url(encoded, `compartmentKeys.${name}`);
  if (key.length !== 32) throw new TypeError(`compartmentKeys.${name}: expected a 32-byte X25519 public key, got ${key.length} bytes`);
  return key;
}

/** Checks the signed fields' types first, so a malformed claim is named as such rather than as a bad signature. */
function checkFields(claim: StoreClaim): void {
  for (const name of ['patient', 'gateway'] as const) {
    const value: unknown = claim[name];
    if (typeof value !== 'string' || value.length === 0) throw new TypeError(`${name}: expected a non-empty string, got ${typeof value === 'string' ? 'an empty one' : typeof value}`);
  }
  // EIP-712 uint64; a safe integer keeps JSON round trips exact.
  if (typeof claim.issuedAt !== 'number' || !Number.isSafeInteger(claim.issuedAt) || claim.issuedAt < 0) {
    throw new TypeError(`issuedAt: expected a non-negative integer of Unix seconds, got ${typeof claim.issuedAt === 'number' ? String(claim.issuedAt) : typeof claim.issuedAt}`);
  }
  if (typeof claim.compartmentKeys !== 'object' || claim.compartmentKeys === null) throw new TypeError(`compartmentKeys: expected an object of base64url X25519 public keys, got ${claim.compartmentKeys === null ? 'null' : typeof claim.compartmentKeys}`);
}

/** A fixed, public scalar: multiplying by it is only a probe for the small-order points nobleX25519 refuses. */
const PROBE_SCALAR = new Uint8Array(32).fill(0x42);

/** Refuses a small-order key (RFC 7748 §6.1): the gateway could never wrap a batch key to it. */
function largeOrder(key: Uint8Array, name: Compartment): Uint8Array {
  try {
    nobleX25519.sharedSecret(PROBE_SCALAR, key);
  } catch {
    // Both lengths are right (publicKeyOf checked the key's), so the only refusal left is a small-order point.
    throw new TypeError(`compartmentKeys.${name}: expected an X25519 public key of large order, got a small-order point`);
  }
  return key;
}

function message(claim: Omit<StoreClaim, 'address' | 'signature'>): Record<string, unknown> {
  return { patient: claim.patient, compartmentKeysHash: compartmentKeysHash(claim.compartmentKeys), gateway: claim.gateway, issuedAt: claim.issuedAt };
}

/** Builds and signs the claim of `patient`'s store at `gateway` with the patient's keys. */
export async function buildStoreClaim(keys: PatientKeys, patient: string, gateway: string, issuedAt = Math.floor(Date.now() / 1000)): Promise<StoreClaim> {
  const compartmentKeys = Object.fromEntries(COMPARTMENTS.map((name) => [name, toBase64Url(keys.compartments[name].publicKey)])) as Record<Compartment, string>;
  const unsigned = { patient, compartmentKeys, gateway, issuedAt };
  const signature = await new Wallet(keys.signingKey).signTypedData(STORE_CLAIM_DOMAIN, STORE_CLAIM_TYPES, message(unsigned));
  return { ...unsigned, address: keys.address, signature };
}

/**
 * Checks a claim's signature and returns the signer's address and the decoded public keys; throws a TypeError
 * that says what is wrong (never whether the patient exists: the caller checks that separately).
 */
export function verifyStoreClaim(claim: StoreClaim): { address: string; publicKeys: Record<Compartment, Uint8Array> } {
  checkFields(claim);
  const publicKeys = Object.fromEntries(COMPARTMENTS.map((name) => [name, largeOrder(publicKeyOf(claim.compartmentKeys, name), name)])) as Record<Compartment, Uint8Array>;
  let recovered: string;
  try {
    recovered = verifyTypedData(STORE_CLAIM_DOMAIN, STORE_CLAIM_TYPES, message(claim), claim.signature);
  } catch {
    throw new TypeError('signature: expected a 65-byte EIP-712 signature of the claim, got one that does not parse');
  }
  let claimed: string;
  try {
    claimed = getAddress(claim.address);
  } catch {
    throw new TypeError('address: expected an Ethereum address');
  }
  if (recovered !== claimed) throw new TypeError('signature: the claim is not signed by its address (or was altered after signing)');
  return { address: recovered, publicKeys };
}
