import { fromBase64Url, toBase64Url, utf8 } from './bytes.js';
import type { Compartment } from './compartments.js';
import { derivePatientKeys } from './patient-keys.js';
import { newBatchKey, SealError, sealRecord, wrapBatchKey } from './record-seal.js';
import { openSealedStore, type SealedRecord, type SealedStoreExport } from './sealed-store.js';
import { parseSealedStoreExport } from './sealed-store-export.js';
import { nobleX25519 } from './x25519.js';

const ABANDON = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about';
const keys = derivePatientKeys(ABANDON);
const PATIENT = 'pat-1';

const obs1v1 = { resourceType: 'Observation', id: 'obs-1', meta: { versionId: '1' }, code: { text: 'HbA1c' } };
const obs1v2 = { resourceType: 'Observation', id: 'obs-1', meta: { versionId: '2' }, code: { text: 'HbA1c' }, status: 'amended' };
const pulse = { resourceType: 'Observation', id: 'vs-1', meta: { versionId: '1' }, code: { text: 'pulse' } };

/** An export as the gateway builds it: one batch key per compartment, sealed with the library, plus a delete. */
function buildExport(plaintextOf: (resource: object) => Uint8Array = (r) => utf8(JSON.stringify(r))): SealedStoreExport {
  const batch = { labs: newBatchKey(), vitals: newBatchKey() };
  const seal = (compartment: 'labs' | 'vitals', resource: { resourceType: string; id: string; meta: { versionId: string } }): SealedRecord => {
    const identity = { patient: PATIENT, compartment, resourceType: resource.resourceType, id: resource.id, versionId: resource.meta.versionId };
    const sealed = toBase64Url(sealRecord(batch[compartment], identity, plaintextOf(resource)));
    return { resourceType: resource.resourceType, id: resource.id, versionId: resource.meta.versionId, compartment, keyId: `key-${compartment}`, lastUpdated: '2026-01-0' + resource.meta.versionId, deleted: false, sealed };
  };
  return {
    patient: PATIENT,
    keys: (['labs', 'vitals'] as const).map((compartment) => ({
      keyId: `key-${compartment}`,
      compartment,
      envelope: toBase64Url(wrapBatchKey(nobleX25519, keys.compartments[compartment].publicKey, batch[compartment], { patient: PATIENT, compartment, keyId: `key-${compartment}` })),
    })),
    records: [
      seal('labs', obs1v1),
      seal('labs', obs1v2),
      { resourceType: 'Observation', id: 'obs-1', versionId: '3', compartment: 'labs', keyId: 'key-labs', lastUpdated: '2026-01-03', deleted: true },
      seal('vitals', pulse),
    ],
  };
}

function withRecord(store: SealedStoreExport, index: number, change: Partial<Record<keyof SealedRecord, unknown>>): SealedStoreExport {
  return { ...store, records: store.records.map((r, i) => (i === index ? ({ ...r, ...change } as SealedRecord) : r)) };
}

const DOES_NOT_OPEN = (what: string): SealError => new SealError(`${what} does not open under this patient's keys (wrong keys, or tampered, or moved)`);

describe('openSealedStore', () => {
  it('opens an export of two compartments and a tombstone, in the order of the export', () => {
    expect(openSealedStore(keys, buildExport())).toEqual([
      { resourceType: 'Observation', id: 'obs-1', versionId: '1', lastUpdated: '2026-01-01', deleted: false, resource: obs1v1 },
      { resourceType: 'Observation', id: 'obs-1', versionId: '2', lastUpdated: '2026-01-02', deleted: false, resource: obs1v2 },
      { resourceType: 'Observation', id: 'obs-1', versionId: '3', lastUpdated: '2026-01-03', deleted: true },
      { resourceType: 'Observation', id: 'vs-1', versionId: '1', lastUpdated: '2026-01-01', deleted: false, resource: pulse },
    ]);
  });

  it('accepts null as the sealed field of a tombstone', () => {
    expect(openSealedStore(keys, withRecord(buildExport(), 2, { sealed: null }))[2]).toEqual({ resourceType: 'Observation', id: 'obs-1', versionId: '3', lastUpdated: '2026-01-03', deleted: true });
  });

  it('names the record whose ciphertext was tampered with', () => {
    const store = buildExport();
    const bytes = fromBase64Url(store.records[1]!.sealed!);
    bytes[bytes.length - 1]! ^= 1;
    expect(() => openSealedStore(keys, withRecord(store, 1, { sealed: toBase64Url(bytes) }))).toThrow(DOES_NOT_OPEN('record Observation/obs-1/_history/2'));
  });

  it.each([
    ['another id', { id: 'obs-9' }, 'record Observation/obs-9/_history/1'],
    ['another version', { versionId: '2' }, 'record Observation/obs-1/_history/2'],
    ['another resource type', { resourceType: 'Condition' }, 'record Condition/obs-1/_history/1'],
  ])('names a record moved to %s', (_, change, name) => {
    expect(() => openSealedStore(keys, withRecord(buildExport(), 0, change))).toThrow(DOES_NOT_OPEN(name));
  });

  it('never opens a record with the batch key of another compartment', () => {
    expect(() => openSealedStore(keys, withRecord(buildExport(), 0, { compartment: 'vitals' }))).toThrow(new TypeError('record Observation/obs-1/_history/1: its key key-labs (vitals) is not in the export'));
    expect(() => openSealedStore(keys, withRecord(buildExport(), 0, { compartment: 'vitals', keyId: 'key-vitals' }))).toThrow(DOES_NOT_OPEN('record Observation/obs-1/_history/1'));
  });

  it('names the key that does not open, for another patient’s keys or a store relabelled to another patient', () => {
    const stranger = derivePatientKeys('legal winner thank year wave sausage worth useful legal winner thank yellow');
    expect(() => openSealedStore(stranger, buildExport())).toThrow(DOES_NOT_OPEN('key key-labs (labs)'));
    expect(() => openSealedStore(keys, { ...buildExport(), patient: 'pat-2' })).toThrow(DOES_NOT_OPEN('key key-labs (labs)'));
  });

  it('refuses a tombstone that carries a ciphertext and a live version without one', () => {
    const store = buildExport();
    expect(() => openSealedStore(keys, withRecord(store, 2, { sealed: store.records[0]!.sealed }))).toThrow(new TypeError('record Observation/obs-1/_history/3: expected a tombstone without "sealed", got one'));
    expect(() => openSealedStore(keys, withRecord(store, 0, { sealed: undefined }))).toThrow(new TypeError('record Observation/obs-1/_history/1: expected a sealed resource in "sealed", got none'));
  });

  it('refuses a record whose key is missing, an unknown compartment and a key listed twice', () => {
    const store = buildExport();
    expect(() => openSealedStore(keys, withRecord(store, 3, { keyId: 'key-9' }))).toThrow(new TypeError('record Observation/vs-1/_history/1: its key key-9 (vitals) is not in the export'));
    expect(() => openSealedStore(keys, { ...store, keys: [{ ...store.keys[0]!, compartment: 'genome' as Compartment }] })).toThrow(new TypeError('keys: unknown compartment in key key-labs'));
    expect(() => openSealedStore(keys, { ...store, keys: [store.keys[0]!, store.keys[0]!] })).toThrow(new TypeError('keys: key key-labs appears twice'));
  });

  it('reports an opened body that is not a JSON object without quoting it', () => {
    const notJson = buildExport(() => utf8('HbA1c 6.1% not json'));
    expect(() => openSealedStore(keys, notJson)).toThrow(new TypeError('record Observation/obs-1/_history/1: expected a FHIR resource as UTF-8 JSON, got bytes that do not parse'));
    const array = buildExport(() => utf8('["HbA1c"]'));
    expect(() => openSealedStore(keys, array)).toThrow(new TypeError('record Observation/obs-1/_history/1: expected a FHIR resource (a JSON object), got an array'));
  });
});

describe('parseSealedStoreExport', () => {
  it('returns a well-formed export unchanged', () => {
    const store = JSON.parse(JSON.stringify(buildExport())) as unknown;
    expect(parseSealedStoreExport(store)).toBe(store);
  });

  it.each([
    [[], 'export: expected an object, got an array'],
    [{ keys: [], records: [] }, 'export.patient: expected a non-empty string, got undefined'],
    [{ patient: 'p', keys: {}, records: [] }, 'export.keys: expected an array, got object'],
    [{ patient: 'p', keys: [{ keyId: 'k', envelope: 'AA', compartment: 'genome' }], records: [] }, 'keys[0].compartment: expected one of the compartments, got "genome"'],
    [{ patient: 'p', keys: [], records: [null] }, 'records[0]: expected an object, got null'],
    [{ patient: 'p', keys: [], records: [{ resourceType: 'Observation', id: 'o', versionId: 2, keyId: 'k', lastUpdated: 't', compartment: 'labs', deleted: false }] }, 'records[0].versionId: expected a non-empty string, got number'],
    [{ patient: 'p', keys: [], records: [{ resourceType: 'Observation', id: 'o', versionId: '2', keyId: 'k', lastUpdated: 't', compartment: 'labs', deleted: 0 }] }, 'records[0].deleted: expected a boolean, got number'],
    [{ patient: 'p', keys: [], records: [{ resourceType: 'Observation', id: 'o', versionId: '2', keyId: 'k', lastUpdated: 't', compartment: 'labs', deleted: false, sealed: '' }] }, 'records[0].sealed: expected a non-empty string, got an empty one'],
  ])('names the first malformed field of %j', (value, message) => {
    expect(() => parseSealedStoreExport(value)).toThrow(new TypeError(message));
  });
});
