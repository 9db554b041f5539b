import { createCipheriv, createPrivateKey, createPublicKey, diffieHellman, hkdfSync } from 'node:crypto';
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { fromHex, toHex, utf8 } from './bytes.js';
import { derivePatientKeys } from './patient-keys.js';
import { sealRecord, unwrapBatchKey, wrapBatchKey, type RandomSource } from './record-seal.js';
import { nobleX25519 } from './x25519.js';

/**
 * Known-answer vectors of the sealing construction, each re-derived here without the code under test: X25519 and
 * HKDF from node:crypto (OpenSSL), and XChaCha20-Poly1305 built from node's ChaCha20 and ChaCha20-Poly1305
 * (draft-irtf-cfrg-xchacha-03 §2.3), itself checked against the draft's vectors.
 */

const ABANDON = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about';
const LABS_PUBLIC = fromHex('15917de0df5650a3427684dcbb40e2e79d6f53d67107e9f9c7f8beb1c940ca62');
const LABS_SECRET = fromHex('856db1bc56c142ae3a64b74100125852f51e4755c048f99d45c1235b4651738a');
const CONTEXT = { patient: 'pat-kat', compartment: 'labs', keyId: 'key-1' };
const IDENTITY = { patient: 'pat-kat', compartment: 'labs', resourceType: 'Observation', id: 'obs-1', versionId: '1' };
const PLAINTEXT = '{"resourceType":"Observation","id":"obs-1"}';
const ENVELOPE =
  '0109b00ab64fba91f6ee73a7e2f85355b3ae395e7ae3b4b83ad68774933c0f1624c3cad1d8dfe6edf4fb020910171e252c333a41484f565d6449cc6324affefbd75e135e1a94b18dfd106a4c565b02dd2fe50ac61bb0acf1d8b9923801bb2740c4b9dc1d6bb6d5b0aa';
const SEALED =
  '014b525960676e757c838a91989fa6adb4bbc2c9d0d7dee5ecdd8f2a3f9724ab83d0a9759a6d3c732d0dbf33ebb1603d79eb525fedbf45f4b43396c6863448ae62a41960c2f640efe7f3fa01080f161d242b323940474e555c636a71787f868d9471ee16768e7d9c745bb0f3e1f9ba5ec27b6b9591e347ff09b3738d74fd8b2d228c9def90de1890b800f11513b54c4bc1b78fa5ca3a016b359ccf24';

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

const batchAad = utf8(['fhir-gateway/batch/v1', 'pat-kat', 'labs', 'key-1'].join('\0'));
const recordAad = utf8(['fhir-gateway/record/v1', 'pat-kat', 'labs', 'Observation', 'obs-1', '1'].join('\0'));

describe('sealing construction known answers', () => {
  it('HChaCha20 built on node:crypto gives the draft-irtf-cfrg-xchacha-03 §2.2.1 vector', () => {
    const key = Uint8Array.from({ length: 32 }, (_, i) => i);
    expect(nodeHChaCha20(key, fromHex('000000090000004a0000000031415927')).toString('hex')).toBe('82413b4227b27bfed30e42508a877d73a0f9e4d58a74a853c12ec41326d3ecdc');
  });

  it('@noble/ciphers and the node:crypto construction both give the draft-irtf-cfrg-xchacha-03 §A.3.1 AEAD vector', () => {
    const key = fromHex('808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f');
    const nonce = fromHex('404142434445464748494a4b4c4d4e4f5051525354555657');
    const aad = fromHex('50515253c0c1c2c3c4c5c6c7');
    const plaintext = utf8("Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.");
    const expected =
      'bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb731c7f1b0b4aa6440bf3a82f4eda7e39ae64c6708c54c216cb96b72e1213b452' +
      '2f8c9ba40db5d945b11b69b982c1bb9e3f3fac2bc369488f76b2383565d3fff921f9664c97637da9768812f615c68b13b52e' +
      'c0875924c1c7987947deafd8780acf49';
    expect(toHex(xchacha20poly1305(key, nonce, aad).encrypt(plaintext))).toBe(expected);
    expect(nodeXChaChaSeal(key, nonce, aad, plaintext).toString('hex')).toBe(expected);
    expect(xchacha20poly1305(key, nonce, aad).decrypt(fromHex(expected))).toEqual(plaintext);
  });

  it('wraps the batch key to the labs key as the envelope vector, which node:crypto re-derives byte for byte', () => {
    const keys = derivePatientKeys(ABANDON);
    const random = countingRandom();
    const batchKey = random(32);
    expect(toHex(batchKey).slice(0, 10)).toBe('030a11181f');
    const envelope = wrapBatchKey(nobleX25519, keys.compartments.labs.publicKey, batchKey, CONTEXT, random);
    expect(toHex(envelope)).toBe(ENVELOPE);

    // envelope = 0x01 || ephemeralPublic || nonce || XChaCha20-Poly1305(KEK, nonce, batchKey, AAD)
    const ephemeralSecret = stream(32, 32);
    const ephemeralPublic = nodePublicKeyOf(ephemeralSecret);
    const nonce = stream(64, 24);
    const shared = nodeSharedSecret(ephemeralSecret, LABS_PUBLIC);
    expect(nodeSharedSecret(LABS_SECRET, ephemeralPublic)).toEqual(shared);
    const kek = new Uint8Array(hkdfSync('sha256', shared, Buffer.concat([ephemeralPublic, LABS_PUBLIC]), 'fhir-gateway/batch-kek/v1', 32));
    const rebuilt = Buffer.concat([Buffer.of(1), ephemeralPublic, nonce, nodeXChaChaSeal(kek, nonce, batchAad, stream(0, 32))]);
    expect(rebuilt.toString('hex')).toBe(ENVELOPE);
    expect(xchacha20poly1305(kek, nonce, batchAad).decrypt(envelope.subarray(57))).toEqual(new Uint8Array(stream(0, 32)));
    expect(unwrapBatchKey(nobleX25519, keys.compartments.labs, envelope, CONTEXT)).toEqual(new Uint8Array(stream(0, 32)));
  });

  it('seals the Observation as the sealed-record vector, which node:crypto re-derives byte for byte', () => {
    const keys = derivePatientKeys(ABANDON);
    const random = countingRandom();
    const batchKey = random(32);
    wrapBatchKey(nobleX25519, keys.compartments.labs.publicKey, batchKey, CONTEXT, random);
    const sealed = sealRecord(batchKey, IDENTITY, utf8(PLAINTEXT), random);
    expect(toHex(sealed)).toBe(SEALED);

    // sealed = 0x01 || keyNonce || XChaCha(batchKey, keyNonce, dataKey, AAD) || nonce || XChaCha(dataKey, nonce, plaintext, AAD)
    const [dataKey, keyNonce, nonce] = [stream(88, 32), stream(120, 24), stream(144, 24)];
    const rebuilt = Buffer.concat([Buffer.of(1), keyNonce, nodeXChaChaSeal(stream(0, 32), keyNonce, recordAad, dataKey), nonce, nodeXChaChaSeal(dataKey, nonce, recordAad, utf8(PLAINTEXT))]);
    expect(rebuilt.toString('hex')).toBe(SEALED);
    const opened = xchacha20poly1305(dataKey, nonce, recordAad).decrypt(sealed.subarray(1 + 24 + 48 + 24));
    expect(Buffer.from(opened).toString('utf8')).toBe(PLAINTEXT);
  });
});
