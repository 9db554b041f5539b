import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { CompiledQuery, type Kysely, sql } from 'kysely';
import type { Principal } from '../auth/index.js';
import { conflict, forbidden, gone, internalError, notFound, OperationOutcomeError, preconditionFailed, unprocessable } from '../common/index.js';
import { SealError } from '../crypto/index.js';
import type { AccessRecorder, PatientGrant } from './access/access-grants.js';
import { principalRef, type ReadDecision, type RecordAccessPolicy } from './access/record-access.policy.js';
import type { DatabaseSchema } from './database.schema.js';
import type { CreateResult, FhirRepository, FhirResource, SearchPage, SearchParam, SearchQuery, StoredResource } from './fhir-repository.js';
import type { StoreKeyRing } from './keys/store-key-ring.js';
import { databaseDialect } from './migrations/column-types.js';
import { compartmentOf } from './records/compartment-map.js';
import { indexPatientIdentifiers } from './records/patient-identifiers.js';
import { openVersion, VERSION_COLUMNS, type VersionRow, writeVersion } from './records/record-io.js';
import { decodeCursor, encodeCursor } from './records/cursor.js';
import { RecordSearch } from './records/record-search.js';
import { matchByTokens } from './records/conditional-match.js';
import { patientReferenceOf } from './records/search-index.js';
import { NoKeyError, type StoreKeys } from './records/store-keys.js';
import { WriteBatch } from './records/write-batch.js';

type Db = Kysely<DatabaseSchema>;

/** Collaborators shared by the root repository and the ones bound to a transaction. */
export interface RepositoryParts {
  readonly keys: StoreKeys;
  readonly ring: StoreKeyRing;
  readonly policy: RecordAccessPolicy;
  readonly clock: () => number;
  /** Where access decisions are logged (the consent module's access log); none in bare store tests. */
  readonly recorder?: AccessRecorder;
  /** LOG_LEVEL=trace: log each record version decrypted (ids only). */
  readonly traceOpens?: boolean;
}

/** A row of the read query: the access facts and the sealed current version. */
type ReadRow = VersionRow & { readonly custodian: string; readonly claimed_at: number | null };

interface CurrentRow {
  readonly patient_id: string;
  readonly compartment: string;
  readonly version_id: number;
  readonly deleted: number;
  readonly custodian: string;
  readonly last_updated: number;
  readonly claimed_at: number | null;
}

const UNIQUE_VIOLATION = /UNIQUE constraint failed|duplicate key value violates unique constraint/;

/**
 * The FHIR repository over the encrypted patient stores (design.md §2.1), on SQLite or PostgreSQL through Kysely:
 * the same statements run on both. Access decisions come from {@link RecordAccessPolicy}; records the caller may
 * not know exist answer 404. Writes seal each version (record-io.ts); reads open it with the batch key the gateway
 * holds (escrow), and a record that fails its integrity check is reported, logged as an alert and never returned.
 */
export class SealedFhirRepository implements FhirRepository {
  private readonly logger = new Logger('store');
  private readonly searcher: RecordSearch;
  private compiledRead: string | undefined;

  constructor(
    private readonly db: Db,
    private readonly parts: RepositoryParts,
    private readonly batch?: WriteBatch,
  ) {
    // Search selects only records its scope covers: custodial ones of unclaimed stores, granted ones of claimed.
    this.searcher = new RecordSearch(db, parts.ring, parts.policy, (row, grant) => this.open(row, grant !== undefined, grant), parts.recorder);
  }

  async transaction<T>(work: (repository: FhirRepository) => Promise<T>): Promise<T> {
    return this.transactionWithDatabase((repository) => work(repository));
  }

  async transactionWithDatabase<T>(work: (repository: FhirRepository, db: Db) => Promise<T>): Promise<T> {
    if (this.batch) return work(this, this.db);
    const batch = new WriteBatch();
    try {
      const result = await this.db.transaction().execute((trx) => work(new SealedFhirRepository(trx, this.parts, batch), trx));
      batch.runCommitted();
      return result;
    } finally {
      batch.close();
    }
  }

  async create(principal: Principal, resource: FhirResource, options: { readonly ifNoneExist?: readonly SearchParam[]; readonly id?: string } = {}): Promise<CreateResult> {
    this.requireWriter(principal);
    const id = options.id ?? randomUUID();
    return this.transaction(async (repo) => {
      const self = repo as SealedFhirRepository;
      if (options.ifNoneExist?.length) {
        // Match and create in one transaction, serialized per patient, so concurrent identical conditional
        // creates make one record (FHIR R4 http.html#ccreate).
        await self.serializeConditionalCreates(resource);
        const existing = await self.conditionalMatch(principal, resource, options.ifNoneExist);
        if (existing) return existing;
      }
      return { created: true as const, stored: await self.writeNew(principal, { ...resource, id }) };
    });
  }

  /**
   * PostgreSQL: a transaction-scoped advisory lock per patient (or one for Patient matching), held until commit.
   * SQLite needs none: its one connection runs one transaction at a time.
   */
  private async serializeConditionalCreates(resource: FhirResource): Promise<void> {
    if (databaseDialect(this.db) !== 'postgres') return;
    const key = `fhir-gateway/conditional-create/${resource.resourceType === 'Patient' ? 'Patient' : (patientReferenceOf(resource).id ?? '')}`;
    await sql`select pg_advisory_xact_lock(hashtextextended(${key}, 0))`.execute(this.db);
  }

  async read(principal: Principal, resourceType: string, id: string): Promise<StoredResource> {
    // One query for the access decision and the sealed current version (the hot path of custodial reads), built
    // once: building a Kysely query cost more than running it.
    const scope = await this.parts.policy.readScope(principal, this.db);
    const { rows } = await this.db.executeQuery<ReadRow>(CompiledQuery.raw(this.readSql(), [resourceType, id]));
    const row = rows[0];
    const claimed = row?.claimed_at != null;
    const decision = row && this.parts.policy.decide(scope, { patientId: row.patient_id, compartment: row.compartment, custodian: row.custodian, claimed });
    this.recordAccess(principal, 'read', resourceType, row?.patient_id, decision);
    if (!row || !decision) throw notFound(`${resourceType}/${id} is not known`);
    if (row.deleted) throw gone(`${resourceType}/${id} was deleted`);
    return this.open(row, claimed, grantOf(decision));
  }

  /** The SQL of {@link read} in this database's dialect, with two parameters: resource type and id. */
  private readSql(): string {
    return (this.compiledRead ??= this.db
      .selectFrom('record')
      .innerJoin('patient_store', 'patient_store.patient_id', 'record.patient_id')
      .innerJoin('record_version', (join) =>
        join.onRef('record_version.resource_type', '=', 'record.resource_type').onRef('record_version.resource_id', '=', 'record.resource_id').onRef('record_version.version_id', '=', 'record.version_id'),
      )
      .select(['record.custodian', 'patient_store.claimed_at', ...VERSION_COLUMNS.map((c) => `record_version.${c}` as const)])
      .where('record.resource_type', '=', '')
      .where('record.resource_id', '=', '')
      .compile().sql);
  }

  async vread(principal: Principal, resourceType: string, id: string, versionId: string): Promise<StoredResource> {
    const current = await this.readable(principal, 'vread', resourceType, id);
    if (!/^[1-9]\d{0,15}$/.test(versionId)) throw notFound(`${resourceType}/${id} has no version ${versionId.slice(0, 20)}`);
    const stored = await this.openVersionOf(resourceType, id, Number(versionId), current.claimed, grantOf(current.decision));
    if (stored.deleted) throw gone(`${resourceType}/${id} version ${versionId} is a deletion`);
    return stored;
  }

  async update(principal: Principal, resource: FhirResource & { id: string }, options: { readonly ifMatch?: string } = {}): Promise<StoredResource> {
    this.requireWriter(principal);
    return this.transaction(async (repo) => (repo as SealedFhirRepository).writeUpdate(principal, resource, options.ifMatch));
  }

  async delete(principal: Principal, resourceType: string, id: string): Promise<void> {
    this.requireWriter(principal);
    await this.transaction(async (repo) => {
      const self = repo as SealedFhirRepository;
      const current = await self.current(resourceType, id);
      if (!current || !self.parts.policy.mayModify(principal, current)) throw self.writeDenied(principal, 'delete', resourceType, current?.patient_id, id);
      if (current.deleted) return;
      await self.write(principal, { resourceType, id }, current.patient_id, current.compartment, current, true);
    });
  }

  async history(principal: Principal, resourceType: string, id: string, options: { readonly count: number; readonly cursor?: string }): Promise<{ versions: StoredResource[]; next?: string }> {
    const current = await this.readable(principal, 'history', resourceType, id);
    const offset = options.cursor ? decodeCursor(options.cursor) : 0;
    const rows = await this.db
      .selectFrom('record_version')
      .select(VERSION_COLUMNS)
      .where('resource_type', '=', resourceType)
      .where('resource_id', '=', id)
      .orderBy('version_id', 'desc')
      .limit(options.count + 1)
      .offset(offset)
      .execute();
    const versions = await Promise.all(rows.slice(0, options.count).map((row) => this.open(row, current.claimed, grantOf(current.decision))));
    return { versions, ...(rows.length > options.count ? { next: encodeCursor(offset + options.count) } : {}) };
  }

  search(principal: Principal, query: SearchQuery): Promise<SearchPage> {
    return this.searcher.search(principal, query);
  }

  async readUnder(principal: Principal, grant: PatientGrant, resourceType: string, id: string): Promise<StoredResource> {
    const scope = { grants: new Map([[grant.patientId, [grant]]]) };
    const { rows } = await this.db.executeQuery<ReadRow>(CompiledQuery.raw(this.readSql(), [resourceType, id]));
    const row = rows[0];
    const claimed = row?.claimed_at != null;
    const decision = row && this.parts.policy.decide(scope, { patientId: row.patient_id, compartment: row.compartment, custodian: row.custodian, claimed });
    this.recordAccess(principal, 'read', resourceType, row?.patient_id, decision);
    if (!row || !decision) throw notFound(`${resourceType}/${id} is not known`);
    if (row.deleted) throw gone(`${resourceType}/${id} was deleted`);
    return this.open(row, claimed, grantOf(decision));
  }

  searchUnder(principal: Principal, grant: PatientGrant, query: SearchQuery): Promise<SearchPage> {
    return this.searcher.searchUnder(principal, grant, query);
  }

  // ---- writes (always inside a transaction: this.batch is set) ----

  private async writeNew(principal: Principal, resource: FhirResource & { id: string }): Promise<StoredResource> {
    const { patientId, compartment } = await this.placement(resource, undefined);
    // No existence check first: the primary key refuses a duplicate id (→ 409), one statement fewer per write.
    return this.write(principal, resource, patientId, compartment, undefined, false);
  }

  private async writeUpdate(principal: Principal, resource: FhirResource & { id: string }, ifMatch: string | undefined): Promise<StoredResource> {
    const current = await this.current(resource.resourceType, resource.id);
    if (!current) {
      // Update as create (FHIR R4 §3.1.0.4.1): the client chose the id. A precondition cannot hold on nothing.
      if (ifMatch !== undefined) throw preconditionFailed(`${resource.resourceType}/${resource.id} does not exist, so If-Match cannot match`);
      return this.writeNew(principal, resource);
    }
    if (!this.parts.policy.mayModify(principal, current)) throw this.writeDenied(principal, 'update', resource.resourceType, current.patient_id, resource.id);
    if (ifMatch !== undefined && ifMatch !== String(current.version_id)) {
      throw preconditionFailed(`If-Match expected version ${ifMatch}, but the current version is ${current.version_id}`);
    }
    const { patientId, compartment } = await this.placement(resource, current);
    return this.write(principal, resource, patientId, compartment, current, false);
  }

  private async write(principal: Principal, resource: FhirResource & { id: string }, patientId: string, compartment: string, current: CurrentRow | undefined, deleted: boolean): Promise<StoredResource> {
    const author = principalRef(principal);
    const lastUpdated = Math.max(this.parts.clock(), (current?.last_updated ?? 0) + 1);
    try {
      if (resource.resourceType === 'Patient' && !current) await this.parts.keys.createStore(this.db, patientId, lastUpdated);
      if (resource.resourceType === 'Patient') await indexPatientIdentifiers(this.db, this.parts.ring, patientId, deleted ? undefined : resource);
      const stored = await writeVersion(this.db, this.parts.keys, this.parts.ring, this.batch!, {
        resource,
        patientId,
        compartment: compartment as never,
        versionId: (current?.version_id ?? 0) + 1,
        author,
        custodian: current?.custodian ?? author,
        lastUpdated,
        deleted,
        isNew: !current,
      });
      // Logged once the transaction commits: a write that rolls back did not happen.
      const interaction = deleted ? 'delete' : current ? 'update' : 'create';
      this.batch!.onCommit(() => this.parts.recorder?.record({ principal, interaction, resourceType: resource.resourceType, patientId, outcome: 'allowed' }));
      return stored;
    } catch (error) {
      if (error instanceof OperationOutcomeError) throw error;
      if (UNIQUE_VIOLATION.test((error as Error).message)) {
        throw conflict(current ? `${resource.resourceType}/${resource.id} was changed concurrently; read it again and retry` : `${resource.resourceType}/${resource.id} already exists`);
      }
      if (error instanceof SealError) {
        this.logger.error({ alert: 'integrity', patient: patientId, reason: error.message }, 'INTEGRITY ALERT: a patient store failed its integrity check on write');
        throw internalError(`the keys of the patient store of ${resource.resourceType}/${resource.id} failed their integrity check; nothing was written and the incident is logged`);
      }
      throw error;
    }
  }

  /** The patient and compartment of a version; the patient of an existing record never changes. */
  private async placement(resource: FhirResource & { id: string }, current: CurrentRow | undefined): Promise<{ patientId: string; compartment: string }> {
    const compartment = compartmentOf(resource);
    if (!compartment) throw unprocessable(`${resource.resourceType} is not stored by this gateway`, resource.resourceType);
    const ref = patientReferenceOf(resource);
    if (!ref.id) throw unprocessable(`expected a reference to the Patient this ${resource.resourceType} belongs to (Patient/<id>)`, ref.expression);
    if (current && current.patient_id !== ref.id) throw unprocessable(`a record cannot move to another patient`, ref.expression);
    if (resource.resourceType !== 'Patient' && !this.batch?.knowsPatient(ref.id)) {
      const store = await this.db.selectFrom('patient_store').select('patient_id').where('patient_id', '=', ref.id).executeTakeFirst();
      if (!store) throw unprocessable(`expected a reference to a Patient stored here; Patient/${ref.id} is not`, ref.expression);
      this.batch?.rememberPatient(ref.id);
    }
    return { patientId: ref.id, compartment };
  }

  /** FHIR R4 §3.1.0.8.1 conditional create: 0 matches → create, 1 → that one, more → 412. */
  private async conditionalMatch(principal: Principal, resource: FhirResource, params: readonly SearchParam[]): Promise<CreateResult | undefined> {
    const resourceType = resource.resourceType;
    if (resourceType === 'Patient' && params.length === 1 && params[0]!.name === 'identifier' && params[0]!.values.length === 1 && !params[0]!.modifier) {
      // Patient matching through the keyed hash works even where the caller may not read the Patient.
      const raw = params[0]!.values[0]!;
      const bar = raw.indexOf('|');
      if (bar > 0) {
        const row = await this.db.selectFrom('patient_identifier').select('patient_id').where('match_hash', '=', this.parts.ring.matchHash(raw.slice(0, bar), raw.slice(bar + 1))).executeTakeFirst();
        if (!row) return undefined;
        return this.existing(principal, 'Patient', row.patient_id);
      }
    }
    const byTokens = await matchByTokens(this.db, this.parts.ring, resource, params, principalRef(principal));
    if (byTokens) {
      if (byTokens.length > 1) throw preconditionFailed(`If-None-Exist matched ${byTokens.length} ${resourceType} resources; it must match at most one`);
      return byTokens[0] ? this.existing(principal, resourceType, byTokens[0]) : undefined;
    }
    const page = await this.search(principal, { resourceType, params, count: 2, include: [] });
    if (page.matches.length > 1) throw preconditionFailed(`If-None-Exist matched ${page.total ?? 'several'} ${resourceType} resources; it must match at most one`);
    return page.matches[0] ? { created: false, stored: page.matches[0], readable: true } : undefined;
  }

  private async existing(principal: Principal, resourceType: string, id: string): Promise<CreateResult> {
    try {
      return { created: false, stored: await this.read(principal, resourceType, id), readable: true };
    } catch (error) {
      if (!(error instanceof OperationOutcomeError) || (error.status !== 404 && error.status !== 410)) throw error;
      const current = (await this.current(resourceType, id))!;
      const stub = { resourceType, id, meta: { versionId: String(current.version_id), lastUpdated: new Date(Number(current.last_updated)).toISOString() } };
      return { created: false, stored: { resource: stub, deleted: current.deleted === 1 }, readable: false };
    }
  }

  // ---- reads ----

  private async current(resourceType: string, id: string): Promise<(CurrentRow & { claimed: boolean }) | undefined> {
    const row = await this.db
      .selectFrom('record')
      .innerJoin('patient_store', 'patient_store.patient_id', 'record.patient_id')
      .select(['record.patient_id', 'record.compartment', 'record.version_id', 'record.deleted', 'record.custodian', 'record.last_updated', 'patient_store.claimed_at'])
      .where('record.resource_type', '=', resourceType)
      .where('record.resource_id', '=', id)
      .executeTakeFirst();
    return row ? { ...row, version_id: Number(row.version_id), claimed: row.claimed_at !== null } : undefined;
  }

  private async readable(principal: Principal, interaction: string, resourceType: string, id: string): Promise<CurrentRow & { claimed: boolean; decision: ReadDecision }> {
    const scope = await this.parts.policy.readScope(principal, this.db);
    const current = await this.current(resourceType, id);
    const decision = current && this.parts.policy.decide(scope, { patientId: current.patient_id, compartment: current.compartment, custodian: current.custodian, claimed: current.claimed });
    this.recordAccess(principal, interaction, resourceType, current?.patient_id, decision);
    if (!current || !decision) throw notFound(`${resourceType}/${id} is not known`);
    return { ...current, decision };
  }

  /** Logs a refused write (a record the caller may not modify is as unknown as a missing one) and returns the 404. */
  private writeDenied(principal: Principal, interaction: string, resourceType: string, patientId: string | undefined, id: string): OperationOutcomeError {
    this.parts.recorder?.record({ principal, interaction, resourceType, ...(patientId !== undefined ? { patientId } : {}), outcome: 'denied', reason: patientId === undefined ? 'not-found' : 'not-custodian' });
    return notFound(`${resourceType}/${id} is not known`);
  }

  /** Logs one decision on one record (a record that does not exist is a denial without a patient). */
  private recordAccess(principal: Principal, interaction: string, resourceType: string, patientId: string | undefined, decision: ReadDecision | undefined): void {
    const grant = grantOf(decision);
    this.parts.recorder?.record({
      principal,
      interaction,
      resourceType,
      ...(patientId !== undefined ? { patientId } : {}),
      outcome: decision ? 'allowed' : 'denied',
      ...(grant ? { grant } : {}),
      // For the log only (the caller gets the same 404 either way): no such record, or one the caller may not read.
      ...(decision ? {} : { reason: patientId === undefined ? 'not-found' : 'no-grant' }),
    });
  }

  private async openVersionOf(resourceType: string, id: string, versionId: number, storeClaimed: boolean, grant: PatientGrant | undefined): Promise<StoredResource> {
    const row = await this.db.selectFrom('record_version').select(VERSION_COLUMNS).where('resource_type', '=', resourceType).where('resource_id', '=', id).where('version_id', '=', versionId).executeTakeFirst();
    if (!row) throw notFound(`${resourceType}/${id} has no version ${versionId}`);
    return this.open(row, storeClaimed, grant);
  }

  /** Opens a version, turning integrity failures into an alert plus a clear outcome (never garbage, never a crash). */
  private async open(row: VersionRow, storeClaimed: boolean, grant?: PatientGrant): Promise<StoredResource> {
    // Trace level only: which record versions were decrypted (ids, never contents), so a test can prove that an
    // operation opened exactly the records it declares it needs (issue 5: $diagnose's data contract).
    if (this.parts.traceOpens) this.logger.verbose({ opened: `${row.resource_type}/${row.resource_id}/_history/${row.version_id}` }, 'record opened');
    try {
      return await openVersion(this.db, this.parts.keys, row, storeClaimed, grant);
    } catch (error) {
      const where = `${row.resource_type}/${row.resource_id}/_history/${row.version_id}`;
      if (error instanceof SealError) {
        this.logger.error({ alert: 'integrity', record: where, reason: error.message }, 'INTEGRITY ALERT: a stored record failed its integrity check');
        throw internalError(`${where} failed its integrity check (the stored ciphertext was altered or moved); the incident is logged`);
      }
      if (error instanceof NoKeyError) throw notFound(`${row.resource_type}/${row.resource_id} is not known`);
      throw error;
    }
  }

  private requireWriter(principal: Principal): void {
    if (!this.parts.policy.canWrite(principal)) throw forbidden('writing records requires the hospital-system role');
  }
}

function grantOf(decision: ReadDecision | undefined): PatientGrant | undefined {
  return decision?.kind === 'consented' ? decision.grant : undefined;
}
