/** One leaf of the audit log (migration 0005-audit); times in unix ms. */
export interface AuditEntryTable {
  leaf_index: number;
  at: number;
  /** The entry's exact RFC 8785 canonical JSON: its leaf hash is SHA-256(0x00 || these UTF-8 bytes). */
  entry: string;
  leaf_hash: Uint8Array;
  /** Copies of entry fields, for the regulator's filters. */
  actor: string;
  action: string;
  outcome: string;
  patient: string | null;
  purpose: string | null;
  model_id: string | null;
  consent_id: string | null;
}

/** One tree head the gateway anchored on AuditAnchor. */
export interface AuditAnchorTable {
  anchor_index: number;
  tree_size: number;
  /** 0x-prefixed hex. */
  root_hash: string;
  tx_hash: string;
  block_number: number;
  /** Block timestamp, unix ms. */
  anchored_at: number;
}

/** Display name of an actor pseudonym, for the patient's own timeline (never served to auditors, never in the log). */
export interface AuditActorTable {
  actor: string;
  name: string;
  role: string;
}

export interface AuditTables {
  audit_entry: AuditEntryTable;
  audit_anchor: AuditAnchorTable;
  audit_actor: AuditActorTable;
}
