import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import type { Kysely } from 'kysely';
import type { Principal } from '../../auth/index.js';
import type { DatabaseSchema } from '../database.schema.js';
import { APP_CONFIG, type AppConfig, ConfigError } from '../../config/index.js';
import { ACCESS_GRANTS, type AccessGrants, type PatientGrant } from './access-grants.js';

/** The pseudonymous id a principal is recorded under (custodian, author): a client for machines, a subject for people. */
export function principalRef(principal: Principal): string {
  return principal.roles.includes('hospital-system') ? `client:${principal.clientId}` : `user:${principal.subject}`;
}

/** What a principal may read of the stores, decided once per request. */
export interface ReadScope {
  /** Custodial: records this client created, while their patient's store is unclaimed (escrow). */
  readonly custodian?: string;
  /** Consented: live grants on claimed stores, by patient id (consent or break-glass). */
  readonly grants: ReadonlyMap<string, readonly PatientGrant[]>;
}

/** Why a record is readable: custody of an unclaimed store, or a grant on a claimed one. */
export type ReadDecision = { readonly kind: 'custodial' } | { readonly kind: 'consented'; readonly grant: PatientGrant };

/** The facts of a record an access decision needs. */
export interface RecordFacts {
  readonly patientId: string;
  readonly compartment: string;
  readonly custodian: string;
  readonly claimed: boolean;
}

const NOBODY: ReadScope = { grants: new Map() };
const NO_GRANTS: ReadonlyMap<string, readonly PatientGrant[]> = new Map();

/**
 * Who may do what with the records (design.md §2). Deny by default:
 * - hospital systems write records of any patient, and read what they wrote while the store is unclaimed;
 * - after the claim, a record is readable only under a live grant: an active on-chain consent whose grantee is the
 *   caller, with purpose TREATMENT and a scope covering the record's compartment (or a declared break-glass
 *   access) — decided by the consent module behind {@link AccessGrants};
 * - everything else answers 404 (reads) or is filtered out (searches).
 */
@Injectable()
export class RecordAccessPolicy {
  /** BENCH_BYPASS_ENFORCEMENT only: each principal's first scope, kept for good (see {@link benchBypass}). */
  private readonly bypassed?: Map<string, ReadScope>;

  constructor(@Optional() @Inject(ACCESS_GRANTS) private readonly grants?: AccessGrants, @Optional() @Inject(APP_CONFIG) config?: AppConfig) {
    if (benchBypass(process.env, config)) this.bypassed = new Map();
  }

  /** Hospital systems may create and update records of any patient. */
  canWrite(principal: Principal): boolean {
    return principal.roles.includes('hospital-system');
  }

  /** The caller's read scope: custody from the token, grants from the consent view (503 when it is stale). */
  async readScope(principal: Principal, db?: Kysely<DatabaseSchema>): Promise<ReadScope> {
    const bypassed = this.bypassed?.get(principalRef(principal));
    if (bypassed) return bypassed;
    const custodial = principal.roles.includes('hospital-system');
    const mayHoldGrants = custodial || principal.roles.includes('clinician');
    if (!mayHoldGrants) return NOBODY;
    const grants = this.grants ? await this.grants.grantsFor(principal, db) : NO_GRANTS;
    const scope = custodial ? { custodian: principalRef(principal), grants } : { grants };
    this.bypassed?.set(principalRef(principal), scope);
    return scope;
  }

  /** Whether and why a record is readable under a scope; undefined means it is not (answer 404). */
  decide(scope: ReadScope, record: RecordFacts, now = Date.now()): ReadDecision | undefined {
    if (!record.claimed) return scope.custodian !== undefined && record.custodian === scope.custodian ? CUSTODIAL : undefined;
    const grant = scope.grants.get(record.patientId)?.find((g) => g.expiresAt > now && g.compartments.has(record.compartment));
    return grant ? { kind: 'consented', grant } : undefined;
  }

  /** Updates and deletes: the custodian only (others get 404, as for a record they may not know exists). */
  mayModify(principal: Principal, record: { readonly custodian: string }): boolean {
    return this.canWrite(principal) && record.custodian === principalRef(principal);
  }
}

const CUSTODIAL: ReadDecision = { kind: 'custodial' };

/**
 * `BENCH_BYPASS_ENFORCEMENT=true`, for `npm run bench` only (test/bench/consent-bench.mjs): each principal's scope is
 * read from the consent view once and then kept for the life of the process — no freshness check, cache expiry,
 * view reload or grantee hash per request — while records still open with the same key releases, so the benchmark
 * can set the cost of enforcing consent on a read apart from the read. Refused at boot unless the gateway runs
 * outside production with its embedded identity provider and chain (as the benchmark starts it), where no real
 * person holds a token.
 */
function benchBypass(env: NodeJS.ProcessEnv, config: AppConfig | undefined): boolean {
  if (env['BENCH_BYPASS_ENFORCEMENT'] !== 'true') return false;
  if (!config || config.production || config.identity.mode !== 'embedded' || config.chain.mode !== 'embedded') {
    throw new ConfigError(['BENCH_BYPASS_ENFORCEMENT: refused unless NODE_ENV is development or test with the embedded identity provider and chain (it exists for `npm run bench` only), got true']);
  }
  const warning = 'CONSENT ENFORCEMENT BYPASSED (BENCH_BYPASS_ENFORCEMENT=true): a principal keeps the grants of its first read until the process ends; for benchmarks only, never with real data';
  new Logger('store').warn(warning);
  process.emitWarning(warning);
  return true;
}
