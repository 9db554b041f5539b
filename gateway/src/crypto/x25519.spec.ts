import { createPrivateKey, createPublicKey, diffieHellman } from 'node:crypto';
import { fromHex, toHex } from './bytes.js';
import { checkSharedSecret, nobleX25519 } from './x25519.js';

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url');

/** node:crypto (OpenSSL) X25519, the independent reference. A private JWK needs `x`, but Node derives the key from `d` alone. */
function nodePublicKeyOf(secretKey: Uint8Array): string {
  const privateKey = createPrivateKey({ key: { kty: 'OKP', crv: 'X25519', d: b64(secretKey), x: b64(new Uint8Array(32)) }, format: 'jwk' });
  return Buffer.from(createPublicKey(privateKey).export({ format: 'jwk' }).x!, 'base64url').toString('hex');
}

function nodeSharedSecret(secretKey: Uint8Array, publicKey: Uint8Array): string {
  const privateKey = createPrivateKey({ key: { kty: 'OKP', crv: 'X25519', d: b64(secretKey), x: b64(new Uint8Array(32)) }, format: 'jwk' });
  const peer = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: b64(publicKey) }, format: 'jwk' });
  return diffieHellman({ privateKey, publicKey: peer }).toString('hex');
}

/** RFC 7748 §6.1. */
const ALICE = { secret: '77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a', public: '8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a' };
const BOB = { secret: '5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb', public: 'de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f' };
const SHARED = '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742';

/**
 * The small-order u-coordinates every X25519 user must refuse (RFC 7748 §6.1; libsodium's blocklist): 0, 1, the two
 * points of order 8, p-1, and the non-canonical p and p+1; plus two with the top bit set, which X25519 masks off.
 */
const SMALL_ORDER_POINTS = [
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0100000000000000000000000000000000000000000000000000000000000000',
  'e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800',
  '5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  '0000000000000000000000000000000000000000000000000000000000000080',
  'e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b880',
];

const SMALL_ORDER = new RangeError('X25519: the public key has small order (all-zero shared secret)');

describe('nobleX25519', () => {
  it('computes the RFC 7748 §6.1 public keys and shared secret, as node:crypto does', () => {
    for (const party of [ALICE, BOB]) {
      expect(toHex(nobleX25519.publicKeyOf(fromHex(party.secret)))).toBe(party.public);
      expect(nodePublicKeyOf(fromHex(party.secret))).toBe(party.public);
    }
    expect(toHex(nobleX25519.sharedSecret(fromHex(ALICE.secret), fromHex(BOB.public)))).toBe(SHARED);
    expect(toHex(nobleX25519.sharedSecret(fromHex(BOB.secret), fromHex(ALICE.public)))).toBe(SHARED);
    expect(nodeSharedSecret(fromHex(ALICE.secret), fromHex(BOB.public))).toBe(SHARED);
  });

  it('computes the first RFC 7748 §5.2 scalar multiplication vector', () => {
    const scalar = fromHex('a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4');
    const u = fromHex('e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c');
    expect(toHex(nobleX25519.sharedSecret(scalar, u))).toBe('c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552');
    expect(nodeSharedSecret(scalar, u)).toBe('c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552');
  });

  it('generates key pairs whose public keys and shared secrets node:crypto computes identically', () => {
    for (let i = 0; i < 5; i += 1) {
      const a = nobleX25519.generateKeyPair();
      const b = nobleX25519.generateKeyPair();
      expect(a.secretKey).toHaveLength(32);
      expect(toHex(a.publicKey)).toBe(nodePublicKeyOf(a.secretKey));
      expect(toHex(nobleX25519.sharedSecret(a.secretKey, b.publicKey))).toBe(nodeSharedSecret(b.secretKey, a.publicKey));
    }
  });

  it.each(SMALL_ORDER_POINTS)('refuses the small-order public key %s, which node:crypto refuses too', (point) => {
    const { secretKey } = nobleX25519.generateKeyPair();
    expect(() => nobleX25519.sharedSecret(secretKey, fromHex(point))).toThrow(SMALL_ORDER);
    expect(() => nodeSharedSecret(secretKey, fromHex(point))).toThrow('failed during derivation');
  });

  it('names a key of the wrong length', () => {
    const { secretKey, publicKey } = nobleX25519.generateKeyPair();
    expect(() => nobleX25519.sharedSecret(secretKey, publicKey.subarray(1))).toThrow(new TypeError('expected 32-byte X25519 public key, got 31'));
    expect(() => nobleX25519.sharedSecret(secretKey.subarray(1), publicKey)).toThrow(new TypeError('expected 32-byte X25519 secret key, got 31'));
    expect(() => nobleX25519.publicKeyOf(new Uint8Array(33))).toThrow(new TypeError('expected 32-byte X25519 secret key, got 33'));
  });

  it('checkSharedSecret refuses an all-zero secret and returns any other unchanged', () => {
    expect(() => checkSharedSecret(new Uint8Array(32))).toThrow(SMALL_ORDER);
    const lastByteSet = new Uint8Array(32);
    lastByteSet[31] = 1;
    expect(checkSharedSecret(lastByteSet)).toBe(lastByteSet);
  });
});
