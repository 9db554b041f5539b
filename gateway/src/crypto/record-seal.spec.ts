import { fromHex, fromUtf8, toBase64Url, toHex, utf8 } from './bytes.js';
import { ENVELOPE_LENGTH, newBatchKey, openRecord, recordAad, SealError, sealRecord, unwrapBatchKey, wrapBatchKey, type RecordIdentity } from './record-seal.js';
import { nobleX25519 } from './x25519.js';

const RECIPIENT = nobleX25519.generateKeyPair();
const OTHER = nobleX25519.generateKeyPair();
const CONTEXT = { patient: 'pat-1', compartment: 'labs', keyId: 'key-7' };
const IDENTITY: RecordIdentity = { patient: 'pat-1', compartment: 'labs', resourceType: 'Observation', id: 'obs-1', versionId: '2' };
const SECRET_TEXT = '{"resourceType":"Observation","valueString":"glucose 5.4 mmol/L"}';

const ENVELOPE_DOES_NOT_OPEN = new SealError('batch key envelope does not open under this key and context');
const RECORD_DOES_NOT_OPEN = new SealError('sealed record does not open under this key and identity');

/** Runs `fn` and returns what it threw (so a test can check the class and the exact message together). */
function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

/** What `fn` threw, as its class name and message: comparable with toEqual, which ignores an error's class. */
function failure(fn: () => unknown): { type: string; message: string } {
  const error = thrown(fn);
  return { type: error.constructor.name, message: error.message };
}

function flipped(bytes: Uint8Array, index: number, mask: number): Uint8Array {
  const copy = bytes.slice();
  copy[index]! ^= mask;
  return copy;
}

describe('record sealing', () => {
  it('unwraps a batch key with the recipient key pair it was wrapped to', () => {
    const batchKey = newBatchKey();
    const envelope = wrapBatchKey(nobleX25519, RECIPIENT.publicKey, batchKey, CONTEXT);
    expect(envelope).toHaveLength(ENVELOPE_LENGTH);
    expect(ENVELOPE_LENGTH).toBe(105);
    expect(unwrapBatchKey(nobleX25519, RECIPIENT, envelope, CONTEXT)).toEqual(batchKey);
  });

  it('opens a sealed record under its batch key and identity, including an empty resource body', () => {
    const batchKey = newBatchKey();
    expect(fromUtf8(openRecord(batchKey, IDENTITY, sealRecord(batchKey, IDENTITY, utf8(SECRET_TEXT))))).toBe(SECRET_TEXT);
    const empty = sealRecord(batchKey, IDENTITY, new Uint8Array(0));
    expect(empty).toHaveLength(1 + 24 + 48 + 24 + 16);
    expect(openRecord(batchKey, IDENTITY, empty)).toEqual(new Uint8Array(0));
  });

  it('seals the same version twice to different bytes (a fresh data key and fresh nonces each time)', () => {
    const batchKey = newBatchKey();
    expect(toHex(sealRecord(batchKey, IDENTITY, utf8(SECRET_TEXT)))).not.toBe(toHex(sealRecord(batchKey, IDENTITY, utf8(SECRET_TEXT))));
    expect(newBatchKey()).toHaveLength(32);
    expect(toHex(newBatchKey())).not.toBe(toHex(newBatchKey()));
  });

  it('binds the record identity into the AAD, NUL-separated after a versioned label', () => {
    expect(fromUtf8(recordAad(IDENTITY))).toBe(['fhir-gateway/record/v1', 'pat-1', 'labs', 'Observation', 'obs-1', '2'].join('\0'));
  });

  it('refuses every single-byte change of an envelope with a SealError', () => {
    const envelope = wrapBatchKey(nobleX25519, RECIPIENT.publicKey, newBatchKey(), CONTEXT);
    for (let i = 0; i < envelope.length; i += 1) {
      for (const mask of [0x01, 0x80]) {
        const message = i === 0 ? `batch key envelope: expected 105 bytes of version 1, got 105 bytes of version ${1 ^ mask}` : ENVELOPE_DOES_NOT_OPEN.message;
        // Byte 32's top bit is masked off by X25519 itself: the KEK's salt (the envelope's own bytes) still catches it.
        expect({ i, mask, ...failure(() => unwrapBatchKey(nobleX25519, RECIPIENT, flipped(envelope, i, mask), CONTEXT)) }).toEqual({ i, mask, type: 'SealError', message });
      }
    }
  });

  it('refuses every single-byte change of a small sealed record with a SealError', () => {
    const batchKey = newBatchKey();
    const sealed = sealRecord(batchKey, IDENTITY, utf8('{}'));
    expect(sealed).toHaveLength(115);
    for (let i = 0; i < sealed.length; i += 1) {
      for (const mask of [0x01, 0x80]) {
        const message = i === 0 ? `sealed record: expected at least 113 bytes of version 1, got 115 bytes of version ${1 ^ mask}` : RECORD_DOES_NOT_OPEN.message;
        expect({ i, mask, ...failure(() => openRecord(batchKey, IDENTITY, flipped(sealed, i, mask))) }).toEqual({ i, mask, type: 'SealError', message });
      }
    }
  });

  it('refuses a truncated or extended envelope and a truncated record', () => {
    const envelope = wrapBatchKey(nobleX25519, RECIPIENT.publicKey, newBatchKey(), CONTEXT);
    expect(() => unwrapBatchKey(nobleX25519, RECIPIENT, envelope.subarray(0, 104), CONTEXT)).toThrow(new SealError('batch key envelope: expected 105 bytes of version 1, got 104 bytes of version 1'));
    expect(() => unwrapBatchKey(nobleX25519, RECIPIENT, new Uint8Array([...envelope, 0]), CONTEXT)).toThrow(new SealError('batch key envelope: expected 105 bytes of version 1, got 106 bytes of version 1'));
    expect(() => unwrapBatchKey(nobleX25519, RECIPIENT, new Uint8Array(0), CONTEXT)).toThrow(new SealError('batch key envelope: expected 105 bytes of version 1, got 0 bytes of version none'));
    const batchKey = newBatchKey();
    const sealed = sealRecord(batchKey, IDENTITY, utf8('{}'));
    expect(() => openRecord(batchKey, IDENTITY, sealed.subarray(0, 112))).toThrow(new SealError('sealed record: expected at least 113 bytes of version 1, got 112 bytes of version 1'));
    expect(() => openRecord(batchKey, IDENTITY, sealed.subarray(0, 114))).toThrow(RECORD_DOES_NOT_OPEN);
  });

  it.each([
    ['another id', { id: 'obs-2' }],
    ['another version', { versionId: '1' }],
    ['another resource type', { resourceType: 'DiagnosticReport' }],
    ['another compartment', { compartment: 'vitals' }],
    ['another patient', { patient: 'pat-2' }],
  ])('refuses a sealed record moved to %s', (_, change) => {
    const batchKey = newBatchKey();
    const sealed = sealRecord(batchKey, IDENTITY, utf8(SECRET_TEXT));
    expect(() => openRecord(batchKey, { ...IDENTITY, ...change }, sealed)).toThrow(RECORD_DOES_NOT_OPEN);
  });

  it.each([
    ['another key id', { keyId: 'key-8' }],
    ['another compartment', { compartment: 'vitals' }],
    ['another patient', { patient: 'pat-2' }],
  ])('refuses a batch key envelope presented under %s', (_, change) => {
    const envelope = wrapBatchKey(nobleX25519, RECIPIENT.publicKey, newBatchKey(), CONTEXT);
    expect(() => unwrapBatchKey(nobleX25519, RECIPIENT, envelope, { ...CONTEXT, ...change })).toThrow(ENVELOPE_DOES_NOT_OPEN);
  });

  it('refuses an envelope opened with another key pair, and a record opened with another batch key', () => {
    const envelope = wrapBatchKey(nobleX25519, RECIPIENT.publicKey, newBatchKey(), CONTEXT);
    expect(() => unwrapBatchKey(nobleX25519, OTHER, envelope, CONTEXT)).toThrow(ENVELOPE_DOES_NOT_OPEN);
    expect(() => unwrapBatchKey(nobleX25519, { secretKey: RECIPIENT.secretKey, publicKey: OTHER.publicKey }, envelope, CONTEXT)).toThrow(ENVELOPE_DOES_NOT_OPEN);
    const sealed = sealRecord(newBatchKey(), IDENTITY, utf8(SECRET_TEXT));
    expect(() => openRecord(newBatchKey(), IDENTITY, sealed)).toThrow(RECORD_DOES_NOT_OPEN);
  });

  it('puts neither the plaintext nor any key into an error message', () => {
    const batchKey = newBatchKey();
    const sealed = sealRecord(batchKey, IDENTITY, utf8(SECRET_TEXT));
    const envelope = wrapBatchKey(nobleX25519, RECIPIENT.publicKey, batchKey, CONTEXT);
    const messages = [
      thrown(() => openRecord(batchKey, { ...IDENTITY, id: 'obs-9' }, sealed)),
      thrown(() => openRecord(batchKey, IDENTITY, flipped(sealed, 100, 1))),
      thrown(() => openRecord(newBatchKey(), IDENTITY, sealed)),
      thrown(() => unwrapBatchKey(nobleX25519, OTHER, envelope, CONTEXT)),
    ].map((e) => e.message);
    const secrets = [SECRET_TEXT, 'glucose', toHex(batchKey), toBase64Url(batchKey), toHex(RECIPIENT.secretKey), toHex(OTHER.secretKey)];
    for (const message of messages) for (const secret of secrets) expect(message).not.toContain(secret);
  });

  it.each(['0000000000000000000000000000000000000000000000000000000000000000', 'e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800'])(
    'refuses to wrap to the small-order key %s and still wipes the ephemeral secret',
    (point) => {
      let ephemeral: Uint8Array | undefined;
      const random = (n: number): Uint8Array => (ephemeral = Uint8Array.from({ length: n }, (_, i) => i + 1));
      expect(() => wrapBatchKey(nobleX25519, fromHex(point), newBatchKey(), CONTEXT, random)).toThrow(new RangeError('X25519: the public key has small order (all-zero shared secret)'));
      expect(ephemeral).toEqual(new Uint8Array(32));
    },
  );

  it('names a batch key or recipient key of the wrong length', () => {
    expect(() => wrapBatchKey(nobleX25519, RECIPIENT.publicKey, new Uint8Array(16), CONTEXT)).toThrow(new TypeError('expected 32-byte batch key, got 16'));
    expect(() => wrapBatchKey(nobleX25519, RECIPIENT.publicKey.subarray(1), newBatchKey(), CONTEXT)).toThrow(new TypeError('expected 32-byte recipient public key, got 31'));
    expect(() => sealRecord(new Uint8Array(31), IDENTITY, utf8('{}'))).toThrow(new TypeError('expected 32-byte batch key, got 31'));
    expect(() => openRecord(new Uint8Array(33), IDENTITY, new Uint8Array(200))).toThrow(new TypeError('expected 32-byte batch key, got 33'));
  });

  it('refuses an empty identity field or one with NUL, which would make two identities share an AAD', () => {
    const batchKey = newBatchKey();
    expect(() => sealRecord(batchKey, { ...IDENTITY, patient: '' }, utf8('{}'))).toThrow(new TypeError('patient: expected a non-empty string without NUL, got an empty one'));
    expect(() => sealRecord(batchKey, { ...IDENTITY, id: 'a\0b' }, utf8('{}'))).toThrow(new TypeError('id: expected a non-empty string without NUL, got one with NUL'));
    expect(() => wrapBatchKey(nobleX25519, RECIPIENT.publicKey, batchKey, { ...CONTEXT, keyId: '' })).toThrow(new TypeError('keyId: expected a non-empty string without NUL, got an empty one'));
    expect(() => unwrapBatchKey(nobleX25519, RECIPIENT, new Uint8Array(105).fill(1), { ...CONTEXT, compartment: 'l\0abs' })).toThrow(
      new TypeError('compartment: expected a non-empty string without NUL, got one with NUL'),
    );
  });
});
