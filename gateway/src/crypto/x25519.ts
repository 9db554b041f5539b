import { x25519 } from '@noble/curves/ed25519.js';
import { expectLength } from './bytes.js';

/** An X25519 key pair (RFC 7748), raw 32-byte keys. */
export interface X25519KeyPair {
  readonly secretKey: Uint8Array;
  readonly publicKey: Uint8Array;
}

/**
 * X25519 (RFC 7748) behind a small interface: the browser and the tests use @noble/curves; the gateway plugs in
 * node:crypto, which is ~30x faster (stack-notes.md). Both compute the same function, so they interoperate.
 */
export interface X25519Provider {
  generateKeyPair(): X25519KeyPair;
  publicKeyOf(secretKey: Uint8Array): Uint8Array;
  /** The shared secret; implementations reject an all-zero result (a low-order public key, RFC 7748 §6.1). */
  sharedSecret(secretKey: Uint8Array, publicKey: Uint8Array): Uint8Array;
}

/**
 * Rejects the all-zero shared secret that a small-order public key produces (RFC 7748 §6.1). The check ORs every
 * byte (no early exit), so its timing does not depend on where the secret's first non-zero byte is.
 */
export function checkSharedSecret(shared: Uint8Array): Uint8Array {
  let acc = 0;
  for (const b of shared) acc |= b;
  if (acc === 0) throw new RangeError('X25519: the public key has small order (all-zero shared secret)');
  return shared;
}

/** The pure-JS provider (@noble/curves), for browsers, tests and the CLI. */
export const nobleX25519: X25519Provider = {
  generateKeyPair() {
    const secretKey = x25519.utils.randomSecretKey();
    return { secretKey, publicKey: x25519.getPublicKey(secretKey) };
  },
  publicKeyOf(secretKey) {
    return x25519.getPublicKey(expectLength(secretKey, 32, 'X25519 secret key'));
  },
  sharedSecret(secretKey, publicKey) {
    expectLength(secretKey, 32, 'X25519 secret key');
    expectLength(publicKey, 32, 'X25519 public key');
    let shared: Uint8Array;
    try {
      shared = x25519.getSharedSecret(secretKey, publicKey);
    } catch {
      // With both lengths checked, noble only throws for the small-order points (refused before its ladder).
      throw new RangeError('X25519: the public key has small order (all-zero shared secret)');
    }
    return checkSharedSecret(shared);
  },
};
