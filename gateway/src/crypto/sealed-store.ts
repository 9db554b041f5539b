import { fromBase64Url, fromUtf8, wipe } from './bytes.js';
import { isCompartment, type Compartment } from './compartments.js';
import type { PatientKeys } from './patient-keys.js';
import { openRecord, SealError, unwrapBatchKey } from './record-seal.js';
import { nobleX25519, type X25519Provider } from './x25519.js';

/** One wrapped batch key of a patient's store, as the gateway hands it to the patient. */
export interface SealedKey {
  readonly keyId: string;
  readonly compartment: Compartment;
  /** The batch key envelope (see record-seal.ts), base64url. */
  readonly envelope: string;
}

/** One stored resource version, still sealed. */
export interface SealedRecord {
  readonly resourceType: string;
  readonly id: string;
  readonly versionId: string;
  readonly compartment: Compartment;
  readonly keyId: string;
  readonly lastUpdated: string;
  readonly deleted: boolean;
  /** The sealed resource, base64url; absent (or null) for a delete's tombstone, and only for it. */
  readonly sealed?: string | null;
}

/** A patient's store as the gateway serves it to its owner: ciphertext only, opened in the browser. */
export interface SealedStoreExport {
  readonly patient: string;
  readonly keys: readonly SealedKey[];
  readonly records: readonly SealedRecord[];
}

/** A record opened with the patient's own keys. */
export interface OpenedRecord {
  readonly resourceType: string;
  readonly id: string;
  readonly versionId: string;
  readonly lastUpdated: string;
  readonly deleted: boolean;
  readonly resource?: Record<string, unknown>;
}

/**
 * Opens every record of an exported store with the patient's compartment keys. A record opens only with a batch
 * key of its own compartment (a key released for labs never opens a conditions record). Throws a
 * {@link SealError} naming the key (its id) or the record (type/id/version) that does not open: a tampered or
 * misplaced ciphertext is never returned. Errors name records, never their content.
 */
export function openSealedStore(keys: PatientKeys, store: SealedStoreExport, x25519: X25519Provider = nobleX25519): OpenedRecord[] {
  const batchKeys = new Map<string, Uint8Array>();
  try {
    for (const key of store.keys) {
      if (!isCompartment(key.compartment)) throw new TypeError(`keys: unknown compartment in key ${key.keyId}`);
      const slot = `${key.compartment}\0${key.keyId}`;
      if (batchKeys.has(slot)) throw new TypeError(`keys: key ${key.keyId} appears twice`);
      const context = { patient: store.patient, compartment: key.compartment, keyId: key.keyId };
      const envelope = fromBase64Url(key.envelope, `key ${key.keyId}`);
      batchKeys.set(slot, named(() => unwrapBatchKey(x25519, keys.compartments[key.compartment], envelope, context), `key ${key.keyId} (${key.compartment})`));
    }
    return store.records.map((record) => {
      const name = `record ${record.resourceType}/${record.id}/_history/${record.versionId}`;
      const meta = { resourceType: record.resourceType, id: record.id, versionId: record.versionId, lastUpdated: record.lastUpdated, deleted: record.deleted };
      // In a FHIR history a delete is a version without a resource; every other version has one.
      const sealedText = record.sealed ?? undefined;
      if (record.deleted !== (sealedText === undefined)) throw new TypeError(`${name}: expected ${record.deleted ? 'a tombstone without' : 'a sealed resource in'} "sealed", got ${record.deleted ? 'one' : 'none'}`);
      if (sealedText === undefined) return meta;
      const batchKey = batchKeys.get(`${record.compartment}\0${record.keyId}`);
      if (!batchKey) throw new TypeError(`${name}: its key ${record.keyId} (${record.compartment}) is not in the export`);
      const identity = { patient: store.patient, compartment: record.compartment, resourceType: record.resourceType, id: record.id, versionId: record.versionId };
      const sealed = fromBase64Url(sealedText, `${name}: sealed`);
      const plaintext = named(() => openRecord(batchKey, identity, sealed), name);
      try {
        return { ...meta, resource: parseResource(plaintext, name) };
      } finally {
        wipe(plaintext);
      }
    });
  } finally {
    for (const key of batchKeys.values()) wipe(key);
  }
}

/** Runs `open`, renaming its {@link SealError} after what did not open (the library's messages carry no names). */
function named<T>(open: () => T, what: string): T {
  try {
    return open();
  } catch (error) {
    if (error instanceof SealError) throw new SealError(`${what} does not open under this patient's keys (wrong keys, or tampered, or moved)`);
    throw error;
  }
}

/** Parses an opened resource; the parser's own message could quote the plaintext, so it is replaced. */
function parseResource(plaintext: Uint8Array, name: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(fromUtf8(plaintext));
  } catch {
    throw new TypeError(`${name}: expected a FHIR resource as UTF-8 JSON, got bytes that do not parse`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new TypeError(`${name}: expected a FHIR resource (a JSON object), got ${Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value}`);
  return value as Record<string, unknown>;
}
