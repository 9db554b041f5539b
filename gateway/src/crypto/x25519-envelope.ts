import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { randomBytes } from '@noble/ciphers/utils.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes, expectLength, utf8, wipe } from './bytes.js';
import type { X25519KeyPair, X25519Provider } from './x25519.js';

/**
 * The one X25519 envelope construction behind batch keys (record-seal.ts) and key releases (key-release.ts):
 *   KEK      = HKDF-SHA256(ikm = X25519(ephemeral, recipient), salt = ephemeralPublic || recipientPublic, info, 32)
 *   envelope = 0x01 || ephemeralPublic (32) || nonce (24) || XChaCha20-Poly1305(KEK, nonce, 32-byte secret, AAD)
 * Each use has its own `info` label and AAD, so an envelope of one kind never opens as the other.
 */

const VERSION = 1;
const NONCE = 24;
const KEY = 32;
/** Length of an envelope: version, ephemeral public key, nonce, sealed 32-byte secret and its tag. */
export const X25519_ENVELOPE_LENGTH = 1 + 32 + NONCE + KEY + 16;

/** Source of random bytes; injectable so that known-answer tests can fix every nonce and key. */
export type RandomSource = (length: number) => Uint8Array;

/** A ciphertext that does not open: wrong key, or tampered, or moved to another record. Carries no data. */
export class SealError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SealError';
  }
}

function fromSecret(x25519: X25519Provider, secretKey: Uint8Array): X25519KeyPair {
  return { secretKey, publicKey: x25519.publicKeyOf(secretKey) };
}

function kek(shared: Uint8Array, ephemeralPublic: Uint8Array, recipientPublic: Uint8Array, info: string): Uint8Array {
  return hkdf(sha256, shared, concatBytes(ephemeralPublic, recipientPublic), utf8(info), KEY);
}

/**
 * Seals a 32-byte secret to a recipient's X25519 public key with one ephemeral agreement. The provider makes the
 * ephemeral pair (node:crypto on the server); an injected `random` fixes it and the nonce for vectors. A small-order
 * recipient key throws the provider's RangeError (the ephemeral secret is still wiped).
 */
export function sealToKey(x25519: X25519Provider, recipientPublic: Uint8Array, secret: Uint8Array, info: string, aad: Uint8Array, random: RandomSource = randomBytes): Uint8Array {
  const ephemeral = random === randomBytes ? x25519.generateKeyPair() : fromSecret(x25519, random(32));
  let shared: Uint8Array | undefined;
  let key: Uint8Array | undefined;
  try {
    shared = x25519.sharedSecret(ephemeral.secretKey, recipientPublic);
    key = kek(shared, ephemeral.publicKey, recipientPublic, info);
    const nonce = random(NONCE);
    return concatBytes(Uint8Array.of(VERSION), ephemeral.publicKey, nonce, xchacha20poly1305(key, nonce, aad).encrypt(secret));
  } finally {
    wipe(ephemeral.secretKey, shared, key);
  }
}

/**
 * Opens an envelope with the recipient's key pair. The caller checks length and version first (with its own
 * message); `what` names the envelope in the SealError when it does not open under this key, label and AAD.
 */
export function openWithKey(x25519: X25519Provider, recipient: X25519KeyPair, envelope: Uint8Array, info: string, aad: Uint8Array, what: string): Uint8Array {
  expectLength(recipient.publicKey, 32, 'recipient public key');
  const ephemeralPublic = envelope.subarray(1, 33);
  const nonce = envelope.subarray(33, 33 + NONCE);
  let shared: Uint8Array | undefined;
  let key: Uint8Array | undefined;
  try {
    shared = x25519.sharedSecret(recipient.secretKey, ephemeralPublic);
    key = kek(shared, ephemeralPublic, recipient.publicKey, info);
    return xchacha20poly1305(key, nonce, aad).decrypt(envelope.subarray(33 + NONCE));
  } catch (error) {
    if (error instanceof TypeError) throw error;
    throw new SealError(`${what} does not open under this key and context`);
  } finally {
    wipe(shared, key);
  }
}
