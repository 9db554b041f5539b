/** Row types of the consent tables (migration 0003-consent; read its comment for what is plain). Times in unix seconds unless named `_ms`. */

/** Indexer cursors: the last block processed (its hash for reorg checks) and when the view last reached the head. */
export interface ChainCursorTable {
  name: string;
  block_number: number;
  block_hash: string;
  /** Unix milliseconds of the last poll that reached the chain's head. */
  synced_at: number;
}

/** Hashes of recently processed blocks, to find the fork point after a reorg. */
export interface ChainBlockTable {
  block_number: number;
  block_hash: string;
}

/** `ConsentGranted`, as indexed. Addresses and hashes are lowercase 0x-hex. */
export interface ConsentGrantTable {
  consent_id: string;
  patient_address: string;
  grantee: string;
  /** The purpose code (e.g. TREATMENT), decoded from its bytes32. */
  purpose: string;
  scope_hash: string;
  not_before: number;
  not_after: number;
  block_number: number;
  block_hash: string;
  tx_hash: string;
}

/** `ConsentRevoked`, as indexed. */
export interface ConsentRevocationTable {
  consent_id: string;
  block_number: number;
  block_hash: string;
  tx_hash: string;
}

/** `EmergencyAccessRecorded` (break-glass), as indexed. */
export interface EmergencyAccessTable {
  access_id: string;
  consent_id: string;
  patient_address: string;
  grantee: string;
  reason_hash: string;
  /** Block timestamp of the declaration. */
  declared_at: number;
  not_after: number;
  block_number: number;
  block_hash: string;
  tx_hash: string;
}

/** Off-chain terms of a consent the gateway relayed: the scope whose hash is on-chain, and who the grantee is. */
export interface ConsentTermsTable {
  consent_id: string;
  patient_id: string;
  /** `user:<sub>`, `client:<id>` or `role:clinician`. */
  grantee_ref: string;
  /** The directory's display name of the grantee (a clinician or organization, never the patient). */
  grantee_name: string;
  /** RFC 8785 canonical scope JSON (compartments and model ids). */
  scope_json: string;
  fhir_consent_id: string | null;
  /** Unix milliseconds. */
  created_at: number;
}

/** A compartment secret released by the patient, sealed to the gateway's release key; deleted on revocation or expiry. */
export interface KeyReleaseTable {
  consent_id: string;
  compartment: string;
  envelope: Uint8Array;
  not_after: number;
}

/** The reason a clinician gave for a break-glass access, sealed under a master-derived key (the chain holds its hash). */
export interface EmergencyReasonTable {
  access_id: string;
  patient_id: string;
  clinician_ref: string;
  clinician_name: string;
  sealed_reason: Uint8Array;
  /** Unix milliseconds. */
  created_at: number;
}

export interface ConsentTables {
  chain_cursor: ChainCursorTable;
  chain_block: ChainBlockTable;
  consent_grant: ConsentGrantTable;
  consent_revocation: ConsentRevocationTable;
  emergency_access: EmergencyAccessTable;
  consent_terms: ConsentTermsTable;
  key_release: KeyReleaseTable;
  emergency_reason: EmergencyReasonTable;
}
