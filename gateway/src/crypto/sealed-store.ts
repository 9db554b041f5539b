import { fromBase64Url, fromUtf8, wipe } from './bytes.js';
import { isCompartment, type Compartment } from './compartments.js';
import type { PatientKeys } from './patient-keys.js';
import { openRecord, unwrapBatchKey } from './record-seal.js';
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
  /** The sealed resource, base64url; absent for a delete's tombstone. */
  readonly sealed?: string;
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
 * Opens every record of an exported store with the patient's compartment keys. Throws a {@link SealError} naming
 * the record (type/id/version) when one does not open: a tampered or misplaced ciphertext is never returned.
 */
export function openSealedStore(keys: PatientKeys, store: SealedStoreExport, x25519: X25519Provider = nobleX25519): OpenedRecord[] {
  const batchKeys = new Map<string, Uint8Array>();
  try {
    for (const key of store.keys) {
      if (!isCompartment(key.compartment)) throw new TypeError(`keys: unknown compartment in key ${key.keyId}`);
      const context = { patient: store.patient, compartment: key.compartment, keyId: key.keyId };
      batchKeys.set(key.keyId, unwrapBatchKey(x25519, keys.compartments[key.compartment], fromBase64Url(key.envelope, `key ${key.keyId}`), context));
    }
    return store.records.map((record) => {
      const meta = { resourceType: record.resourceType, id: record.id, versionId: record.versionId, lastUpdated: record.lastUpdated, deleted: record.deleted };
      if (record.sealed === undefined) return meta;
      const batchKey = batchKeys.get(record.keyId);
      if (!batchKey) throw new TypeError(`record ${record.resourceType}/${record.id}/_history/${record.versionId}: its key ${record.keyId} is not in the export`);
      const identity = { patient: store.patient, compartment: record.compartment, resourceType: record.resourceType, id: record.id, versionId: record.versionId };
      const plaintext = openRecord(batchKey, identity, fromBase64Url(record.sealed, 'sealed'));
      try {
        return { ...meta, resource: JSON.parse(fromUtf8(plaintext)) as Record<string, unknown> };
      } finally {
        wipe(plaintext);
      }
    });
  } finally {
    for (const key of batchKeys.values()) wipe(key);
  }
}
