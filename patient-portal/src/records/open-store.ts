import { type Compartment, openSealedStore, type PatientKeys, SealError, type SealedRecord, type SealedStoreExport } from '../../../gateway/src/crypto/index.js';

/** The current version of one record, opened in the browser (a tombstone has no resource). */
export interface OpenRecord {
  readonly resourceType: string;
  readonly id: string;
  readonly versionId: string;
  readonly compartment: Compartment;
  readonly lastUpdated: string;
  readonly deleted: boolean;
  readonly resource?: Readonly<Record<string, unknown>>;
}

/** A stored version that did not open: named by type, id, version and compartment, never by content. */
export interface FailedRecord {
  readonly resourceType: string;
  readonly id: string;
  readonly versionId: string;
  readonly compartment: Compartment;
  /** `integrity`: its authentication tag did not verify (altered, damaged or moved); `unreadable`: it opened but is not a FHIR resource, or its key is missing. */
  readonly reason: 'integrity' | 'unreadable';
}

export interface OpenedStore {
  /** The newest version of every record whose newest version opened, tombstones included. */
  readonly records: readonly OpenRecord[];
  /** Every version that did not open. */
  readonly failed: readonly FailedRecord[];
}

function versionOrder(a: string, b: string): number {
  const [x, y] = [Number(a), Number(b)];
  return Number.isFinite(x) && Number.isFinite(y) ? x - y : a.localeCompare(b);
}

/** Opens one version alone (with only its own batch key), so a bad one cannot hide the others. */
function openOne(keys: PatientKeys, store: SealedStoreExport, record: SealedRecord): OpenRecord | FailedRecord {
  const key = store.keys.filter((k) => k.keyId === record.keyId && k.compartment === record.compartment);
  try {
    const [opened] = openSealedStore(keys, { patient: store.patient, keys: key, records: [record] });
    return { ...opened!, compartment: record.compartment };
  } catch (error) {
    return { resourceType: record.resourceType, id: record.id, versionId: record.versionId, compartment: record.compartment, reason: error instanceof SealError ? 'integrity' : 'unreadable' };
  }
}

/**
 * Opens a sealed store export with the patient's keys, in the browser. The whole store opens in one pass (one key
 * agreement per batch key); only if that fails is every version opened alone, so the page can say which record
 * failed its integrity check and still show the rest. The keys are not wiped here: the caller owns them.
 */
export function openStore(keys: PatientKeys, store: SealedStoreExport): OpenedStore {
  let results: (OpenRecord | FailedRecord)[];
  try {
    results = openSealedStore(keys, store).map((opened, i) => ({ ...opened, compartment: store.records[i]!.compartment }));
  } catch {
    results = store.records.map((record) => openOne(keys, store, record));
  }
  const newest = new Map<string, OpenRecord | FailedRecord>();
  for (const result of results) {
    const slot = `${result.resourceType}/${result.id}`;
    const seen = newest.get(slot);
    if (!seen || versionOrder(result.versionId, seen.versionId) > 0) newest.set(slot, result);
  }
  return {
    records: [...newest.values()].filter((r): r is OpenRecord => !('reason' in r)),
    failed: results.filter((r): r is FailedRecord => 'reason' in r),
  };
}
