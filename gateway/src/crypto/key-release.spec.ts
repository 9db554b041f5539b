import { createCipheriv, createPrivateKey, createPublicKey, diffieHellman, hkdfSync } from 'node:crypto';
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { fromBase64Url, fromHex, fromUtf8, toBase64Url, toHex, utf8 } from './bytes.js';
import { derivePatientKeys } from './patient-keys.js';
import { openRelease, RELEASE_LENGTH, releaseAad, type ReleaseContext, sealRelease, sealReleases } from './key-release.js';
import { type RandomSource, SealError, wrapBatchKey, unwrapBatchKey } from './record-seal.js';
import { nobleX25519 } from './x25519.js';

/**
 * Key releases: a known-answer envelope re-derived without the code under test (X25519 and HKDF from node:crypto,
 * XChaCha20-Poly1305 from node's ChaCha20 and ChaCha20-Poly1305, draft-irtf-cfrg-xchacha-03 §2.3, checked against
 * the draft's vector), then every byte and every bound field.
 */

const ABANDON = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about';
const ADDRESS = '0x9858EfFD232B4033E47d90003D41EC34EcaEda94';
/** keccak256(abi.encode(ADDRESS, 0)), confirmed in consent-terms.spec.ts. */
const CONSENT_ID = '0x5ae5fea9a15b5e5a18fc399a042f8e9347e4081c0f29795fdd0d50978cf6824c';
/** The labs key pair of {@link ABANDON} (patient-keys.spec.ts confirms it with node:crypto). */
const LABS_SECRET = fromHex('856db1bc56c142ae3a64b74100125852f51e4755c048f99d45c1235b4651738a');
const LABS_PUBLIC = fromHex('15917de0df5650a3427684dcbb40e2e79d6f53d67107e9f9c7f8beb1c940ca62');
/** The gateway's release key pair in the vector: Bob's of RFC 7748 §6.1. */
const RELEASE = {
  secretKey: fromHex('5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb'),
  publicKey: fromHex('de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f'),
};
const CONTEXT: ReleaseContext = { consentId: CONSENT_ID, patient: ADDRESS, compartment: 'labs', notAfter: 1792592000 };
const ENVELOPE =
  '01bb50ff9e82a574cfbf820e97f60fb9c143ec7415cf514f8cfd98eff59e059614e3eaf1f8ff060d141b222930373e454c535a61686f767d84e92b98ea75ed4c25a2cc3521b9b5faad6f00ae07c0f89bc6adcc109c4e6b128437d64127dc62bb78f7b01cb7b1dde2c4';

const DOES_NOT_OPEN = new SealError('key release does not open under this key and context');
const keys = derivePatientKeys(ABANDON);
const OTHER = nobleX25519.generateKeyPair();

/** Byte i of the deterministic source is (7i + 3) mod 256; {@link stream} gives any slice of it directly. */
function countingRandom(): RandomSource {
  let counter = 0;
  return (n) => Uint8Array.from({ length: n }, () => (counter++ * 7 + 3) & 0xff);
}
const stream = (from: number, length: number): Buffer => Buffer.from(Array.from({ length }, (_, i) => ((from + i) * 7 + 3) & 0xff));

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url');
const nodePrivate = (secret: Uint8Array) => createPrivateKey({ key: { kty: 'OKP', crv: 'X25519', d: b64(secret), x: b64(new Uint8Array(32)) }, format: 'jwk' });
const nodePublicKeyOf = (secret: Uint8Array): Buffer => Buffer.from(createPublicKey(nodePrivate(secret)).export({ format: 'jwk' }).x!, 'base64url');
const nodeSharedSecret = (secret: Uint8Array, publicKey: Uint8Array): Buffer =>
  diffieHellman({ privateKey: nodePrivate(secret), publicKey: createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: b64(publicKey) }, format: 'jwk' }) });

/** HChaCha20 (draft §2.2) from node's ChaCha20 block: the block adds the input state, so subtract it again. */
function nodeHChaCha20(key: Uint8Array, nonce16: Uint8Array): Buffer {
  const block = createCipheriv('chacha20', key, nonce16).update(Buffer.alloc(64));
  const input = Buffer.concat([Buffer.from('expand 32-byte k', 'ascii'), key, nonce16]);
  const out = Buffer.alloc(32);
  [0, 1, 2, 3, 12, 13, 14, 15].forEach((word, i) => out.writeUInt32LE((block.readUInt32LE(word * 4) - input.readUInt32LE(word * 4)) >>> 0, i * 4));
  return out;
}

/** XChaCha20-Poly1305 (draft §2.3): ChaCha20-Poly1305 under HChaCha20(key, nonce[0..16]) with nonce 0^4 || nonce[16..24]. */
function nodeXChaChaSeal(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Buffer {
  const cipher = createCipheriv('chacha20-poly1305', nodeHChaCha20(key, nonce.subarray(0, 16)), Buffer.concat([Buffer.alloc(4), nonce.subarray(16)]), { authTagLength: 16 });
  cipher.setAAD(aad, { plaintextLength: plaintext.length });
  return Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
}

function failure(fn: () => unknown): { type: string; message: string } {
  try {
    fn();
  } catch (error) {
    return { type: (error as Error).constructor.name, message: (error as Error).message };
  }
  throw new Error('expected a throw');
}

function flipped(bytes: Uint8Array, index: number, mask: number): Uint8Array {
  const copy = bytes.slice();
  copy[index]! ^= mask;
  return copy;
}

const seal = (context: ReleaseContext = CONTEXT): Uint8Array => sealRelease(nobleX25519, RELEASE.publicKey, LABS_SECRET, context);

describe('key release known answers', () => {
  it('the node:crypto XChaCha20-Poly1305 gives the draft-irtf-cfrg-xchacha-03 §A.3.1 vector', () => {
    const plaintext = utf8("Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.");
    const sealed = nodeXChaChaSeal(fromHex('808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f'), fromHex('404142434445464748494a4b4c4d4e4f5051525354555657'), fromHex('50515253c0c1c2c3c4c5c6c7'), plaintext);
    expect(sealed.toString('hex')).toBe(
      'bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb731c7f1b0b4aa6440bf3a82f4eda7e39ae64c6708c54c216cb96b72e1213b452' +
        '2f8c9ba40db5d945b11b69b982c1bb9e3f3fac2bc369488f76b2383565d3fff921f9664c97637da9768812f615c68b13b52e' +
        'c0875924c1c7987947deafd8780acf49',
    );
  });

  it('binds the consent id, the lower-case patient address, the compartment and notAfter, NUL-separated after a versioned label', () => {
    const expected = ['fhir-gateway/key-release/v1', CONSENT_ID, ADDRESS.toLowerCase(), 'labs', '1792592000'].join('\0');
    expect(fromUtf8(releaseAad(CONTEXT))).toBe(expected);
    expect(fromUtf8(releaseAad({ ...CONTEXT, patient: ADDRESS.toLowerCase(), consentId: CONSENT_ID.toUpperCase().replace('0X', '0x') }))).toBe(expected);
  });

  it('seals the labs secret as the envelope vector, which node:crypto re-derives byte for byte', () => {
    expect(toHex(keys.compartments.labs.secretKey)).toBe(toHex(LABS_SECRET));
    const envelope = sealRelease(nobleX25519, RELEASE.publicKey, LABS_SECRET, CONTEXT, countingRandom());
    expect(RELEASE_LENGTH).toBe(105);
    expect(toHex(envelope)).toBe(ENVELOPE);

    // envelope = 0x01 || ephemeralPublic || nonce || XChaCha20-Poly1305(KEK, nonce, compartmentSecret, AAD)
    const ephemeralSecret = stream(0, 32);
    const ephemeralPublic = nodePublicKeyOf(ephemeralSecret);
    const nonce = stream(32, 24);
    expect(nodePublicKeyOf(RELEASE.secretKey)).toEqual(Buffer.from(RELEASE.publicKey));
    const shared = nodeSharedSecret(ephemeralSecret, RELEASE.publicKey);
    expect(nodeSharedSecret(RELEASE.secretKey, ephemeralPublic)).toEqual(shared);
    const kek = new Uint8Array(hkdfSync('sha256', shared, Buffer.concat([ephemeralPublic, RELEASE.publicKey]), 'fhir-gateway/key-release/v1', 32));
    const aad = utf8(['fhir-gateway/key-release/v1', CONSENT_ID, '0x9858effd232b4033e47d90003d41ec34ecaeda94', 'labs', '1792592000'].join('\0'));
    const rebuilt = Buffer.concat([Buffer.of(1), ephemeralPublic, nonce, nodeXChaChaSeal(kek, nonce, aad, LABS_SECRET)]);
    expect(rebuilt.toString('hex')).toBe(ENVELOPE);
    expect(xchacha20poly1305(kek, nonce, aad).decrypt(envelope.subarray(57))).toEqual(LABS_SECRET);
    expect(openRelease(nobleX25519, RELEASE, fromHex(ENVELOPE), CONTEXT)).toEqual(LABS_SECRET);
  });
});

describe('key release', () => {
  it('opens with the release key pair it was sealed to, to a secret whose public key is the compartment’s', () => {
    const envelope = seal();
    expect(envelope).toHaveLength(RELEASE_LENGTH);
    const secret = openRelease(nobleX25519, RELEASE, envelope, CONTEXT);
    expect(secret).toEqual(LABS_SECRET);
    expect(nobleX25519.publicKeyOf(secret)).toEqual(LABS_PUBLIC);
  });

  it('seals the same secret twice to different bytes (a fresh ephemeral key and nonce each time)', () => {
    expect(toHex(seal())).not.toBe(toHex(seal()));
  });

  it('refuses every single-byte change of an envelope with a SealError', () => {
    const envelope = seal();
    for (let i = 0; i < envelope.length; i += 1) {
      for (const mask of [0x01, 0x80]) {
        const message = i === 0 ? `key release: expected 105 bytes of version 1, got 105 bytes of version ${1 ^ mask}` : DOES_NOT_OPEN.message;
        // Byte 32's top bit is masked off by X25519 itself: the KEK's salt (the envelope's own bytes) still catches it.
        expect({ i, mask, ...failure(() => openRelease(nobleX25519, RELEASE, flipped(envelope, i, mask), CONTEXT)) }).toEqual({ i, mask, type: 'SealError', message });
      }
    }
  });

  it.each([
    ['another consent id', { consentId: `0x${'ab'.repeat(32)}` }],
    ['another patient', { patient: '0x0000000000000000000000000000000000000001' }],
    ['another compartment', { compartment: 'vitals' }],
    ['another notAfter', { notAfter: 1792592001 }],
  ] as const)('refuses a release presented under %s', (_, change) => {
    expect(failure(() => openRelease(nobleX25519, RELEASE, seal(), { ...CONTEXT, ...change }))).toEqual({ type: 'SealError', message: DOES_NOT_OPEN.message });
  });

  it('opens whatever the spelling of the patient address and consent id (both are bound in lower case)', () => {
    const envelope = seal({ ...CONTEXT, patient: ADDRESS.toLowerCase() });
    expect(openRelease(nobleX25519, RELEASE, envelope, { ...CONTEXT, consentId: CONSENT_ID.toUpperCase().replace('0X', '0x') })).toEqual(LABS_SECRET);
  });

  it('refuses another release key pair, and the right secret with another public key in the salt', () => {
    const envelope = seal();
    expect(() => openRelease(nobleX25519, OTHER, envelope, CONTEXT)).toThrow(DOES_NOT_OPEN);
    expect(() => openRelease(nobleX25519, { secretKey: RELEASE.secretKey, publicKey: OTHER.publicKey }, envelope, CONTEXT)).toThrow(DOES_NOT_OPEN);
  });

  it('is domain-separated from batch key envelopes: neither opens as the other', () => {
    const batch = { patient: ADDRESS, compartment: 'labs', keyId: CONSENT_ID };
    expect(() => openRelease(nobleX25519, RELEASE, wrapBatchKey(nobleX25519, RELEASE.publicKey, LABS_SECRET, batch), CONTEXT)).toThrow(DOES_NOT_OPEN);
    expect(() => unwrapBatchKey(nobleX25519, RELEASE, seal(), batch)).toThrow(new SealError('batch key envelope does not open under this key and context'));
  });

  it('refuses a truncated, extended or empty envelope', () => {
    const envelope = seal();
    expect(() => openRelease(nobleX25519, RELEASE, envelope.subarray(0, 104), CONTEXT)).toThrow(new SealError('key release: expected 105 bytes of version 1, got 104 bytes of version 1'));
    expect(() => openRelease(nobleX25519, RELEASE, new Uint8Array([...envelope, 0]), CONTEXT)).toThrow(new SealError('key release: expected 105 bytes of version 1, got 106 bytes of version 1'));
    expect(() => openRelease(nobleX25519, RELEASE, new Uint8Array(0), CONTEXT)).toThrow(new SealError('key release: expected 105 bytes of version 1, got 0 bytes of version none'));
  });

  it.each([
    [{ consentId: 'consent-1' }, 'consentId: expected a bytes32 as 0x and 64 hex digits, got 9 characters that are not'],
    [{ patient: 'pat-1' }, 'patient: expected an Ethereum address, got 5 characters that are not'],
    [{ patient: '0x9858efFD232B4033E47d90003D41EC34EcaEda94' }, 'patient: expected an Ethereum address, got 42 characters that are not'],
    [{ compartment: 'genomics' }, 'compartment: expected one of demographics, vitals, labs, conditions, medications, encounters, documents, ai-results, got "genomics"'],
    [{ notAfter: 1.5 }, 'notAfter: expected a non-negative integer of Unix seconds, got 1.5'],
    [{ notAfter: '1792592000' }, 'notAfter: expected a non-negative integer of Unix seconds, got string'],
  ])('names a malformed context field, sealing and opening: %j', (change, message) => {
    const context = { ...CONTEXT, ...change } as ReleaseContext;
    expect(failure(() => seal(context))).toEqual({ type: 'TypeError', message });
    expect(failure(() => openRelease(nobleX25519, RELEASE, seal(), context))).toEqual({ type: 'TypeError', message });
  });

  it('names a key of the wrong length', () => {
    expect(() => sealRelease(nobleX25519, RELEASE.publicKey.subarray(1), LABS_SECRET, CONTEXT)).toThrow(new TypeError('expected 32-byte release public key, got 31'));
    expect(() => sealRelease(nobleX25519, RELEASE.publicKey, new Uint8Array(16), CONTEXT)).toThrow(new TypeError('expected 32-byte compartment secret key, got 16'));
    expect(() => openRelease(nobleX25519, { ...RELEASE, secretKey: new Uint8Array(31) }, seal(), CONTEXT)).toThrow(new TypeError('expected 32-byte X25519 secret key, got 31'));
  });

  it('refuses to seal to a small-order release key and still wipes the ephemeral secret', () => {
    let ephemeral: Uint8Array | undefined;
    const random = (n: number): Uint8Array => (ephemeral = Uint8Array.from({ length: n }, (_, i) => i + 1));
    expect(() => sealRelease(nobleX25519, new Uint8Array(32), LABS_SECRET, CONTEXT, random)).toThrow(new RangeError('X25519: the public key has small order (all-zero shared secret)'));
    expect(ephemeral).toEqual(new Uint8Array(32));
  });

  it('wipes the ephemeral secret after sealing, and leaves the caller’s compartment secret alone', () => {
    const drawn: Uint8Array[] = [];
    const random = (n: number): Uint8Array => drawn[drawn.push(Uint8Array.from({ length: n }, (_, i) => i + 7)) - 1]!;
    const secret = LABS_SECRET.slice();
    sealRelease(nobleX25519, RELEASE.publicKey, secret, CONTEXT, random);
    expect(drawn[0]).toEqual(new Uint8Array(32));
    expect(secret).toEqual(LABS_SECRET);
  });

  it('puts no key into an error message', () => {
    const envelope = seal();
    const messages = [failure(() => openRelease(nobleX25519, OTHER, envelope, CONTEXT)), failure(() => openRelease(nobleX25519, RELEASE, flipped(envelope, 80, 1), CONTEXT))].map((f) => f.message);
    for (const message of messages) for (const secret of [toHex(LABS_SECRET), toBase64Url(LABS_SECRET), toHex(RELEASE.secretKey)]) expect(message).not.toContain(secret);
  });
});

describe('sealReleases (the portal’s side of a grant)', () => {
  const terms = { consentId: CONSENT_ID, patient: ADDRESS, notAfter: 1792592000 };

  it('seals each compartment’s own secret, in the order given, as base64url envelopes the gateway opens', () => {
    const releases = sealReleases(nobleX25519, RELEASE.publicKey, keys, ['vitals', 'labs'], terms);
    expect(releases.map((r) => r.compartment)).toEqual(['vitals', 'labs']);
    for (const { compartment, envelope } of releases) {
      const secret = openRelease(nobleX25519, RELEASE, fromBase64Url(envelope), { ...terms, compartment });
      expect(nobleX25519.publicKeyOf(secret)).toEqual(keys.compartments[compartment].publicKey);
    }
    expect(() => openRelease(nobleX25519, RELEASE, fromBase64Url(releases[0]!.envelope), { ...terms, compartment: 'labs' })).toThrow(DOES_NOT_OPEN);
  });

  it('gives the vector envelope for labs under the same randomness', () => {
    expect(sealReleases(nobleX25519, RELEASE.publicKey, keys, ['labs'], terms, countingRandom())).toEqual([{ compartment: 'labs', envelope: Buffer.from(ENVELOPE, 'hex').toString('base64url') }]);
  });

  it('accepts the patient address in lower case', () => {
    expect(sealReleases(nobleX25519, RELEASE.publicKey, keys, ['labs'], { ...terms, patient: ADDRESS.toLowerCase() })).toHaveLength(1);
  });

  it.each([
    [[], {}, 'compartments: expected at least one compartment, got none'],
    [['labs', 'labs'], {}, 'compartments: expected each compartment once, got "labs" twice'],
    [['genomics'], {}, 'compartments: expected one of demographics, vitals, labs, conditions, medications, encounters, documents, ai-results, got "genomics"'],
    [['labs'], { patient: '0x0000000000000000000000000000000000000001' }, "patient: expected the address of the patient's own keys, got another"],
  ])('refuses compartments %j with terms %j', (compartments, change, message) => {
    expect(failure(() => sealReleases(nobleX25519, RELEASE.publicKey, keys, compartments as never, { ...terms, ...change }))).toEqual({ type: 'TypeError', message });
  });
});
