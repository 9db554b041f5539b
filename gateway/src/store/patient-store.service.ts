import { Logger } from '@nestjs/common';
import { type Kysely, sql } from 'kysely';
import type { Principal } from '../auth/index.js';
import { badRequest, conflict, notFound } from '../common/index.js';
import { COMPARTMENTS, type SealedStoreExport, type StoreClaim, toBase64Url, verifyStoreClaim } from '../crypto/index.js';
import type { DatabaseSchema } from './database.schema.js';
import { databaseDialect } from './migrations/column-types.js';
import type { StoreKeys } from './records/store-keys.js';

type Db = Kysely<DatabaseSchema>;

/** How long a signed claim stays acceptable after its `issuedAt` (and how far ahead a clock may be). */
const CLAIM_WINDOW_SECONDS = 600;

/** A patient's view of their own store. */
export interface PatientStoreStatus {
  readonly patient: string;
  /** False until a hospital has written this patient's first record (the patient's own question: no leak). */
  readonly exists: boolean;
  readonly claimed: boolean;
  readonly claimedAt?: string;
  readonly address?: string;
  readonly records: number;
}

/**
 * The patient's side of their store (design.md §2.1): status, the claim (re-wrap every batch key to the patient's
 * compartment keys, then destroy the escrow secret) and the sealed export that the key library opens client-side.
 * Only the patient whose token carries `fhir_patient` = the store's id gets anything; everyone else gets 404.
 */
export class PatientStoreService {
  private readonly logger = new Logger('store');

  constructor(
    private readonly db: Db,
    private readonly keys: StoreKeys,
    private readonly gatewayUrl: string,
    private readonly clock: () => number = Date.now,
  ) {}

  async status(principal: Principal): Promise<PatientStoreStatus> {
    const patient = this.ownPatient(principal);
    const store = await this.db.selectFrom('patient_store').select(['claimed_at', 'owner_address']).where('patient_id', '=', patient).executeTakeFirst();
    if (!store) return { patient, exists: false, claimed: false, records: 0 };
    const { n } = await this.db.selectFrom('record').select((eb) => eb.fn.countAll<number>().as('n')).where('patient_id', '=', patient).where('deleted', '=', 0).executeTakeFirstOrThrow();
    return {
      patient,
      exists: true,
      claimed: store.claimed_at !== null,
      ...(store.claimed_at !== null ? { claimedAt: new Date(Number(store.claimed_at)).toISOString(), address: store.owner_address! } : {}),
      records: Number(n),
    };
  }

  /** Verifies and applies a claim atomically; afterwards the gateway can no longer read the store. */
  async claim(principal: Principal, claim: StoreClaim): Promise<PatientStoreStatus> {
    const patient = this.ownPatient(principal);
    if (claim.patient !== patient) throw notFound(`no store for Patient/${String(claim.patient).slice(0, 64)} is yours`);
    if (claim.gateway !== this.gatewayUrl) throw badRequest(`gateway: expected ${this.gatewayUrl}, got a claim for another gateway`, 'gateway');
    const now = Math.floor(this.clock() / 1000);
    if (!Number.isSafeInteger(claim.issuedAt) || Math.abs(now - claim.issuedAt) > CLAIM_WINDOW_SECONDS) {
      throw badRequest(`issuedAt: expected a time within ${CLAIM_WINDOW_SECONDS} s of now, got one that is not (sign a fresh claim)`, 'issuedAt');
    }
    let verified: ReturnType<typeof verifyStoreClaim>;
    try {
      verified = verifyStoreClaim(claim);
    } catch (error) {
      throw badRequest((error as Error).message);
    }
    const rewrapped = await this.db.transaction().execute(async (trx) => {
      // PostgreSQL: take the store row exclusively, so writes in flight (which hold it shared) finish first and
      // later ones wait and then seal to the patient's keys: no batch key is left wrapped to a destroyed escrow.
      const select = trx.selectFrom('patient_store').select(['claimed_at']).where('patient_id', '=', patient);
      const store = await (databaseDialect(trx) === 'postgres' ? select.forUpdate() : select).executeTakeFirst();
      if (!store) throw notFound('no store exists for this patient yet');
      if (store.claimed_at !== null) throw conflict('this store is already claimed');
      const count = await this.keys.rewrapToPatient(trx, patient, verified.publicKeys);
      const compartmentKeys = JSON.stringify(Object.fromEntries(COMPARTMENTS.map((c) => [c, toBase64Url(verified.publicKeys[c])])));
      // Destroy the escrow secret: from here on only the patient (and their releases) can open the store.
      await trx
        .updateTable('patient_store')
        .set({
          claimed_at: this.clock(),
          owner_address: verified.address,
          compartment_keys: compartmentKeys,
          keys_mac: this.keys.claimedKeysTag(patient, verified.address, compartmentKeys),
          escrow_secret: null,
        })
        .where('patient_id', '=', patient)
        .execute();
      return count;
    });
    this.keys.forget(patient);
    await this.scrubFreedPages();
    this.logger.log({ rewrapped }, 'patient store claimed');
    return this.status(principal);
  }

  /** The patient's own store, sealed: every wrapped batch key and every stored version (ciphertext only). */
  async exportSealed(principal: Principal): Promise<SealedStoreExport> {
    const patient = this.ownPatient(principal);
    const store = await this.db.selectFrom('patient_store').select(['claimed_at']).where('patient_id', '=', patient).executeTakeFirst();
    if (!store) throw notFound('no store exists for this patient yet');
    if (store.claimed_at === null) throw conflict('claim your store first: until then its records are sealed to the escrow key, not to yours');
    const keys = await this.db.selectFrom('record_key').select(['key_id', 'compartment', 'envelope']).where('patient_id', '=', patient).where('recipient', '=', 'patient').orderBy('created_at').execute();
    const records = await this.db
      .selectFrom('record_version')
      .select(['resource_type', 'resource_id', 'version_id', 'compartment', 'key_id', 'last_updated', 'deleted', 'sealed'])
      .where('patient_id', '=', patient)
      .orderBy('last_updated')
      .orderBy('resource_id')
      .orderBy('version_id')
      .execute();
    return {
      patient,
      keys: keys.map((k) => ({ keyId: k.key_id, compartment: k.compartment as never, envelope: toBase64Url(new Uint8Array(k.envelope)) })),
      records: records.map((r) => ({
        resourceType: r.resource_type,
        id: r.resource_id,
        versionId: String(r.version_id),
        compartment: r.compartment as never,
        keyId: r.key_id,
        lastUpdated: new Date(Number(r.last_updated)).toISOString(),
        deleted: r.deleted === 1,
        ...(r.sealed ? { sealed: toBase64Url(new Uint8Array(r.sealed)) } : {}),
      })),
    };
  }

  private ownPatient(principal: Principal): string {
    if (!principal.roles.includes('patient') || !principal.fhirPatient) throw notFound('no patient store belongs to this account');
    return principal.fhirPatient;
  }

  /**
   * Best effort against remnants of the destroyed escrow secret: SQLite overwrites freed pages when secure_delete is
   * on and a checkpoint truncates the WAL; PostgreSQL's old row versions go at the next VACUUM of the table.
   */
  private async scrubFreedPages(): Promise<void> {
    try {
      if (databaseDialect(this.db) === 'sqlite') await sql`pragma wal_checkpoint(TRUNCATE)`.execute(this.db);
      else await sql`vacuum patient_store`.execute(this.db);
    } catch (error) {
      this.logger.warn({ reason: (error as Error).message }, 'could not scrub freed pages after a claim');
    }
  }
}
