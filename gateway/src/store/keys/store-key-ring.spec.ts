import { hkdf } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { nobleX25519, toHex, utf8 } from '../../crypto/index.js';
import { nodeX25519 } from './node-x25519.js';
import { StoreKeyRing, TOKEN_LENGTH } from './store-key-ring.js';

const MASTER = Uint8Array.from({ length: 32 }, (_, i) => i);

/** The derivations recomputed with @noble/hashes, independently of the node:crypto implementation under test. */
function expectedToken(patient: string, name: string, value: string): string {
  const indexSecret = hkdf(sha256, MASTER, new Uint8Array(), utf8('fhir-gateway/blind-index/v1'), 32);
  const indexKey = hmac(sha256, indexSecret, utf8(patient));
  return toHex(hmac(sha256, indexKey, utf8(`${name}\0${value}`)).subarray(0, TOKEN_LENGTH));
}

describe('the store key ring', () => {
  const ring = new StoreKeyRing(MASTER);

  it('derives blind-index tokens as HMAC-SHA256 under a per-patient key, 128 bits, matching an independent computation', () => {
    expect(ring.token('pat-1', 'code', 'http://loinc.org|2093-3').toString('hex')).toBe(expectedToken('pat-1', 'code', 'http://loinc.org|2093-3'));
    // Known answer, so that a change of the construction (which would orphan every stored token) cannot pass silently.
    expect(ring.token('pat-1', 'code', 'http://loinc.org|2093-3').toString('hex')).toBe('236087d89ab4d4cd65cc4116971dbd87');
  });

  it('gives equal values different tokens in different patients and for different parameters', () => {
    const a = ring.token('pat-1', 'code', '2093-3').toString('hex');
    expect(new Set([a, ring.token('pat-2', 'code', '2093-3').toString('hex'), ring.token('pat-1', 'category', '2093-3').toString('hex')]).size).toBe(3);
    expect(ring.token('pat-1', 'code', '2093-3').toString('hex')).toBe(a);
  });

  it('matches patients by identifier with one gateway-wide key, independent of the patient', () => {
    const matchKey = hkdf(sha256, MASTER, new Uint8Array(), utf8('fhir-gateway/patient-match/v1'), 32);
    expect(ring.matchHash('https://hospital.test/mrn', 'MRN-1').toString('hex')).toBe(toHex(hmac(sha256, matchKey, utf8('https://hospital.test/mrn|MRN-1')).subarray(0, TOKEN_LENGTH)));
    expect(new StoreKeyRing(new Uint8Array(32).fill(1)).matchHash('https://hospital.test/mrn', 'MRN-1').equals(ring.matchHash('https://hospital.test/mrn', 'MRN-1'))).toBe(false);
  });

  it('seals an escrow secret to its patient: it opens for that patient only, and not once altered', () => {
    const secret = Uint8Array.from({ length: 32 }, (_, i) => 255 - i);
    const sealed = ring.sealEscrowSecret('pat-1', secret);
    expect(sealed.length).toBe(24 + 32 + 16);
    expect(ring.openEscrowSecret('pat-1', sealed)).toEqual(secret);
    expect(() => ring.openEscrowSecret('pat-2', sealed)).toThrow();
    const flipped = sealed.slice();
    flipped[30]! ^= 1;
    expect(() => ring.openEscrowSecret('pat-1', flipped)).toThrow();
    expect(() => new StoreKeyRing(new Uint8Array(32).fill(1)).openEscrowSecret('pat-1', sealed)).toThrow();
  });

  it('refuses a master key that is not 32 bytes', () => {
    expect(() => new StoreKeyRing(new Uint8Array(31))).toThrow('expected 32-byte store master key, got 31');
  });
});

describe('X25519 on node:crypto', () => {
  it('computes the same public keys and shared secrets as @noble/curves (RFC 7748)', () => {
    for (let i = 0; i < 20; i += 1) {
      const a = nodeX25519.generateKeyPair();
      const b = nobleX25519.generateKeyPair();
      expect(toHex(nobleX25519.publicKeyOf(a.secretKey))).toBe(toHex(a.publicKey));
      expect(toHex(nodeX25519.publicKeyOf(b.secretKey))).toBe(toHex(b.publicKey));
      expect(toHex(nodeX25519.sharedSecret(a.secretKey, b.publicKey))).toBe(toHex(nobleX25519.sharedSecret(b.secretKey, a.publicKey)));
    }
  });

  it('refuses a small-order public key', () => {
    expect(() => nodeX25519.sharedSecret(nodeX25519.generateKeyPair().secretKey, new Uint8Array(32))).toThrow('X25519: the public key has small order (all-zero shared secret)');
  });
});
