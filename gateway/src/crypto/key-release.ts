import { randomBytes } from '@noble/ciphers/utils.js';
import { getAddress } from 'ethers';
import { expectLength, toBase64Url, utf8 } from './bytes.js';
import { COMPARTMENTS, isCompartment, type Compartment } from './compartments.js';
import type { PatientKeys } from './patient-keys.js';
import { openWithKey, type RandomSource, SealError, sealToKey, X25519_ENVELOPE_LENGTH } from './x25519-envelope.js';
import type { X25519KeyPair, X25519Provider } from './x25519.js';

/**
 * Key releases (gateway/src/consent/README.md "Terms"; design.md §2.1): when a patient grants consent, the portal
 * seals the secret key of each compartment in scope to the gateway's release public key, bound to the consent:
 *   KEK      = HKDF-SHA256(ikm = X25519(ephemeral, release), salt = ephemeralPublic || releasePublic,
 *                          info = "fhir-gateway/key-release/v1", 32)
 *   AAD      = "fhir-gateway/key-release/v1" 0x00 consentId 0x00 patient (lowercase) 0x00 compartment 0x00 notAfter
 *   envelope = 0x01 || ephemeralPublic (32) || nonce (24) || XChaCha20-Poly1305(KEK, nonce, compartmentSecret, AAD)
 * The envelope construction of x25519-envelope.ts, shared with batch keys (record-seal.ts), with its own labels, so
 * neither opens as the other.
 * A release moved to another consent, patient, compartment or expiry fails authentication.
 */

const VERSION = 1;
const KEY = 32;
const LABEL = 'fhir-gateway/key-release/v1';
/** Length of a key release envelope: version, ephemeral public key, nonce, sealed 32-byte secret and tag. */
export const RELEASE_LENGTH = X25519_ENVELOPE_LENGTH;

/** What a release is bound to (its AAD). */
export interface ReleaseContext {
  /** The on-chain consent id (`consentIdOf`), bytes32 0x-hex; bound in lower case. */
  readonly consentId: string;
  /** The patient's address; bound in lower case, so checksumming does not matter. */
  readonly patient: string;
  readonly compartment: Compartment;
  /** The consent's `notAfter` (Unix seconds); bound as its decimal form. */
  readonly notAfter: number;
}

/** One sealed compartment secret, as the portal sends it with the signed grant. */
export interface ReleaseEnvelope {
  readonly compartment: Compartment;
  /** The envelope, base64url. */
  readonly envelope: string;
}

/** The AAD of a release; throws a TypeError naming a malformed context field. */
export function releaseAad(context: ReleaseContext): Uint8Array {
  const { consentId, patient, compartment, notAfter } = context;
  if (typeof consentId !== 'string' || !/^0x[0-9a-fA-F]{64}$/.test(consentId)) throw new TypeError(`consentId: expected a bytes32 as 0x and 64 hex digits, got ${typeof consentId === 'string' ? `${consentId.length} characters that are not` : typeof consentId}`);
  let address: string;
  try {
    address = getAddress(patient).toLowerCase();
  } catch {
    throw new TypeError(`patient: expected an Ethereum address, got ${typeof patient === 'string' ? `${patient.length} characters that are not` : typeof patient}`);
  }
  if (!isCompartment(compartment)) throw new TypeError(`compartment: expected one of ${COMPARTMENTS.join(', ')}, got ${typeof compartment === 'string' ? JSON.stringify(compartment) : typeof compartment}`);
  if (typeof notAfter !== 'number' || !Number.isSafeInteger(notAfter) || notAfter < 0) throw new TypeError(`notAfter: expected a non-negative integer of Unix seconds, got ${typeof notAfter === 'number' ? String(notAfter) : typeof notAfter}`);
  return utf8([LABEL, consentId.toLowerCase(), address, compartment, String(notAfter)].join('\0'));
}

/**
 * Seals a compartment's 32-byte X25519 secret key to the gateway's release public key. `random` fixes the ephemeral
 * secret and the nonce for known-answer tests; by default the provider makes the ephemeral pair. A small-order
 * release key throws the provider's RangeError (the ephemeral secret is still wiped).
 */
export function sealRelease(x25519: X25519Provider, releasePublic: Uint8Array, compartmentSecret: Uint8Array, context: ReleaseContext, random: RandomSource = randomBytes): Uint8Array {
  expectLength(releasePublic, 32, 'release public key');
  expectLength(compartmentSecret, KEY, 'compartment secret key');
  return sealToKey(x25519, releasePublic, compartmentSecret, LABEL, releaseAad(context), random);
}

/**
 * Opens a release with the gateway's release key pair and returns the compartment secret (the caller wipes it and
 * checks that it belongs to the claimed compartment public key). Throws {@link SealError} if the envelope does not
 * open under this key and context, a TypeError for a malformed context.
 */
export function openRelease(x25519: X25519Provider, release: X25519KeyPair, envelope: Uint8Array, context: ReleaseContext): Uint8Array {
  const aad = releaseAad(context);
  if (!(envelope instanceof Uint8Array)) throw new TypeError(`key release: expected bytes, got ${typeof envelope}`);
  if (envelope.length !== RELEASE_LENGTH || envelope[0] !== VERSION) throw new SealError(`key release: expected ${RELEASE_LENGTH} bytes of version ${VERSION}, got ${envelope.length} bytes of version ${envelope[0] ?? 'none'}`);
  expectLength(release.publicKey, 32, 'release public key');
  return openWithKey(x25519, release, envelope, LABEL, aad, 'key release');
}

/**
 * The portal's side of a grant: one release per compartment in scope, sealed from the patient's own keys and
 * base64url-encoded, in the order given. `patient` must be the keys' own address (it is what the grant signs).
 */
export function sealReleases(
  x25519: X25519Provider,
  releasePublic: Uint8Array,
  keys: PatientKeys,
  compartments: readonly Compartment[],
  terms: { readonly consentId: string; readonly patient: string; readonly notAfter: number },
  random: RandomSource = randomBytes,
): ReleaseEnvelope[] {
  const list: unknown = compartments;
  if (!Array.isArray(list) || list.length === 0) throw new TypeError(`compartments: expected at least one compartment, got ${Array.isArray(list) ? 'none' : typeof list}`);
  const seen = new Set<string>();
  for (const compartment of list) {
    if (!isCompartment(compartment)) throw new TypeError(`compartments: expected one of ${COMPARTMENTS.join(', ')}, got ${typeof compartment === 'string' ? JSON.stringify(compartment) : typeof compartment}`);
    if (seen.has(compartment)) throw new TypeError(`compartments: expected each compartment once, got ${JSON.stringify(compartment)} twice`);
    seen.add(compartment);
  }
  if (typeof terms.patient !== 'string' || terms.patient.toLowerCase() !== keys.address.toLowerCase()) throw new TypeError("patient: expected the address of the patient's own keys, got another");
  return compartments.map((compartment) => ({
    compartment,
    envelope: toBase64Url(sealRelease(x25519, releasePublic, keys.compartments[compartment].secretKey, { ...terms, compartment }, random)),
  }));
}
