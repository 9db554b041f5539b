import { sha256 } from '@noble/hashes/sha2.js';
import { getAddress, hexlify, verifyTypedData, Wallet, type TypedDataDomain, type TypedDataField } from 'ethers';
import { concatBytes, fromBase64Url, toBase64Url } from './bytes.js';
import { COMPARTMENTS, type Compartment } from './compartments.js';
import type { PatientKeys } from './patient-keys.js';

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
  const publicKeys = Object.fromEntries(COMPARTMENTS.map((name) => [name, publicKeyOf(claim.compartmentKeys, name)])) as Record<Compartment, Uint8Array>;
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
