import type { AuditTables } from './audit-tables.js';
import type { ConsentTables } from './consent-tables.js';
import type { PatientStoreTables } from './records/record-tables.js';

/**
 * Tables of the gateway's own database. Health data never appears here in plaintext: later migrations add the
 * encrypted patient stores (ciphertext and blind indexes only).
 */
export interface OidcPayloadTable {
  /** oidc-provider model name (Session, AccessToken, AuthorizationCode, Grant, Interaction, …). */
  model: string;
  id: string;
  /** The model's JSON payload (account ids are pseudonymous subject ids, never names or health data). */
  payload: string;
  grant_id: string | null;
  user_code: string | null;
  uid: string | null;
  /** Unix seconds after which the row is dead and may be purged. */
  expires_at: number | null;
  consumed_at: number | null;
}

export interface DatabaseSchema extends PatientStoreTables, ConsentTables, AuditTables {
  oidc_payload: OidcPayloadTable;
  diagnosis: DiagnosisTable;
}

/** One answered `$diagnose` (migration 0004-diagnosis): ids, hashes and the feedback decision; times in unix ms. */
export interface DiagnosisTable {
  diagnosis_id: string;
  patient_id: string;
  /** Principal reference of the clinician who asked (`user:<subject>`). */
  requester: string;
  consent_id: string;
  model_id: string;
  model_version: string;
  model_sha256: string;
  risk_assessment_id: string;
  provenance_id: string;
  created_at: number;
  /** The receipt as RFC 8785 canonical JSON (ids and SHA-256 hashes only). */
  receipt: string;
  /** `accepted` or `overridden` (the reason is sealed in the patient's store). */
  feedback: string | null;
  feedback_at: number | null;
  feedback_by: string | null;
  /** Leaf index of the diagnosis's `diagnose` entry in the audit log (migration 0005-audit). */
  audit_leaf: number | null;
}

