/** Row types of the patient-store tables (migration 0002-patient-stores; read its comment for what is plain). */

export interface PatientStoreTable {
  patient_id: string;
  /** Unix milliseconds. */
  created_at: number;
  /** The escrow X25519 secret, sealed under the gateway's master key; null (destroyed) once claimed. */
  escrow_secret: Uint8Array | null;
  claimed_at: number | null;
  /** The patient's address (from the signed claim). */
  owner_address: string | null;
  /** JSON: compartment → base64url X25519 public key (from the signed claim). */
  compartment_keys: string | null;
  /** HMAC (under a master-derived key) of patient, owner address and compartment keys: new writes refuse keys that were swapped in the database. */
  keys_mac: Uint8Array | null;
}

export interface PatientIdentifierTable {
  /** HMAC-SHA256 of `system|value` under the gateway-wide matching key. */
  match_hash: Uint8Array;
  patient_id: string;
}

export interface RecordKeyTable {
  key_id: string;
  patient_id: string;
  compartment: string;
  /** `escrow` before the claim, `patient` after. */
  recipient: 'escrow' | 'patient';
  envelope: Uint8Array;
  created_at: number;
}

/** The current version of each record (a pointer plus what access decisions need without decrypting). */
export interface RecordTable {
  resource_type: string;
  resource_id: string;
  patient_id: string;
  compartment: string;
  version_id: number;
  deleted: number;
  /** Who created the record (e.g. `client:demo-hospital`): the custodian before the claim. */
  custodian: string;
  /** Unix milliseconds of the current version. */
  last_updated: number;
}

export interface RecordVersionTable {
  resource_type: string;
  resource_id: string;
  version_id: number;
  patient_id: string;
  compartment: string;
  key_id: string;
  /** The sealed resource; null for a delete's tombstone. */
  sealed: Uint8Array | null;
  deleted: number;
  /** Who wrote this version (pseudonymous principal id). */
  author: string;
  last_updated: number;
}

export interface RecordIndexTable {
  patient_id: string;
  /** A blind-index token: HMAC-SHA256 under the patient's index key, truncated to 16 bytes. */
  token: Uint8Array;
  resource_type: string;
  resource_id: string;
}

export interface PatientStoreTables {
  patient_store: PatientStoreTable;
  patient_identifier: PatientIdentifierTable;
  record_key: RecordKeyTable;
  record: RecordTable;
  record_version: RecordVersionTable;
  record_index: RecordIndexTable;
}
