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

export interface DatabaseSchema extends PatientStoreTables, ConsentTables {
  oidc_payload: OidcPayloadTable;
}

