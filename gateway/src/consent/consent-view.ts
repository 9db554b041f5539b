import type { Kysely } from 'kysely';
import type { DatabaseSchema } from '../store/index.js';

type Db = Kysely<DatabaseSchema>;

/** A consent the chain holds and this gateway relayed (so its off-chain terms are known). */
export interface ConsentRow {
  readonly consentId: string;
  readonly patientId: string;
  readonly patientAddress: string;
  readonly ownerAddress: string | null;
  readonly grantee: string;
  readonly granteeRef: string;
  readonly granteeName: string;
  readonly purpose: string;
  readonly scopeHash: string;
  readonly scopeJson: string;
  /** Unix seconds. */
  readonly notBefore: number;
  readonly notAfter: number;
  readonly grantTx: string;
  readonly grantBlock: number;
  readonly revokeTx: string | null;
  readonly revokeBlock: number | null;
  readonly fhirConsentId: string | null;
}

/** A break-glass access the chain recorded, with the standing consent it rests on. */
export interface EmergencyRow {
  readonly accessId: string;
  readonly consent: ConsentRow;
  readonly grantee: string;
  readonly reasonHash: string;
  /** Unix seconds. */
  readonly declaredAt: number;
  readonly notAfter: number;
  readonly tx: string;
  readonly block: number;
}

/**
 * Reads of the consent view: the indexer's mirror of the chain (consent_grant, consent_revocation,
 * emergency_access) joined with the terms this gateway relayed (consent_terms). Nothing is decided here.
 */
export class ConsentView {
  constructor(private readonly db: Db) {}

  private consents() {
    return this.db
      .selectFrom('consent_grant as g')
      .innerJoin('consent_terms as t', 't.consent_id', 'g.consent_id')
      .innerJoin('patient_store as s', 's.patient_id', 't.patient_id')
      .leftJoin('consent_revocation as r', 'r.consent_id', 'g.consent_id')
      .select([
        'g.consent_id',
        't.patient_id',
        'g.patient_address',
        's.owner_address',
        'g.grantee',
        't.grantee_ref',
        't.grantee_name',
        'g.purpose',
        'g.scope_hash',
        't.scope_json',
        'g.not_before',
        'g.not_after',
        'g.tx_hash as grant_tx',
        'g.block_number as grant_block',
        'r.tx_hash as revoke_tx',
        'r.block_number as revoke_block',
        't.fhir_consent_id',
      ]);
  }

  /** Consents granted to a grantee that are not revoked and not past their window (unix seconds `now`). */
  async liveForGrantee(grantee: string, purposes: readonly string[], now: number): Promise<ConsentRow[]> {
    const rows = await this.consents()
      .where('g.grantee', '=', grantee)
      .where('g.purpose', 'in', [...purposes])
      .where('r.consent_id', 'is', null)
      .where('g.not_before', '<=', now)
      .where('g.not_after', '>', now)
      .execute();
    return rows.map(toConsent);
  }

  /** Every consent of a patient's store, newest first. */
  async ofPatient(patientId: string): Promise<ConsentRow[]> {
    const rows = await this.consents().where('t.patient_id', '=', patientId).orderBy('g.block_number', 'desc').execute();
    return rows.map(toConsent);
  }

  /** Every consent to a grantee, newest first. */
  async ofGrantee(grantee: string): Promise<ConsentRow[]> {
    const rows = await this.consents().where('g.grantee', '=', grantee).orderBy('g.block_number', 'desc').execute();
    return rows.map(toConsent);
  }

  async byId(consentId: string): Promise<ConsentRow | undefined> {
    const row = await this.consents().where('g.consent_id', '=', consentId).executeTakeFirst();
    return row && toConsent(row);
  }

  /** Live break-glass accesses declared by a grantee (unix seconds `now`), on live standing consents. */
  async liveEmergenciesOf(grantee: string, now: number): Promise<EmergencyRow[]> {
    return this.emergencies((q) => q.where('e.grantee', '=', grantee).where('e.not_after', '>', now), now);
  }

  /** Every break-glass access on a patient's store, newest first. */
  async emergenciesOfPatient(patientId: string): Promise<EmergencyRow[]> {
    return this.emergencies((q) => q.where('t.patient_id', '=', patientId));
  }

  private async emergencies(filter: (q: ReturnType<ConsentView['emergencyQuery']>) => ReturnType<ConsentView['emergencyQuery']>, now?: number): Promise<EmergencyRow[]> {
    let query = filter(this.emergencyQuery());
    if (now !== undefined) query = query.where('r.consent_id', 'is', null).where('g.not_after', '>', now);
    const rows = await query.orderBy('e.block_number', 'desc').execute();
    return rows.map((row) => ({
      accessId: row.access_id,
      consent: toConsent(row),
      grantee: row.e_grantee,
      reasonHash: row.reason_hash,
      declaredAt: Number(row.declared_at),
      notAfter: Number(row.e_not_after),
      tx: row.e_tx,
      block: Number(row.e_block),
    }));
  }

  private emergencyQuery() {
    return this.consents()
      .innerJoin('emergency_access as e', 'e.consent_id', 'g.consent_id')
      .select(['e.access_id', 'e.grantee as e_grantee', 'e.reason_hash', 'e.declared_at', 'e.not_after as e_not_after', 'e.tx_hash as e_tx', 'e.block_number as e_block']);
  }
}

interface RawConsent {
  consent_id: string;
  patient_id: string;
  patient_address: string;
  owner_address: string | null;
  grantee: string;
  grantee_ref: string;
  grantee_name: string;
  purpose: string;
  scope_hash: string;
  scope_json: string;
  not_before: number | string;
  not_after: number | string;
  grant_tx: string;
  grant_block: number | string;
  revoke_tx: string | null;
  revoke_block: number | string | null;
  fhir_consent_id: string | null;
}

function toConsent(row: RawConsent): ConsentRow {
  return {
    consentId: row.consent_id,
    patientId: row.patient_id,
    patientAddress: row.patient_address,
    ownerAddress: row.owner_address,
    grantee: row.grantee,
    granteeRef: row.grantee_ref,
    granteeName: row.grantee_name,
    purpose: row.purpose,
    scopeHash: row.scope_hash,
    scopeJson: row.scope_json,
    notBefore: Number(row.not_before),
    notAfter: Number(row.not_after),
    grantTx: row.grant_tx,
    grantBlock: Number(row.grant_block),
    revokeTx: row.revoke_tx,
    revokeBlock: row.revoke_block === null ? null : Number(row.revoke_block),
    fhirConsentId: row.fhir_consent_id,
  };
}
