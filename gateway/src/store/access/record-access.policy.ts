import { Inject, Injectable, Optional } from '@nestjs/common';
import type { Principal } from '../../auth/index.js';
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
  readonly grants: ReadonlyMap<string, PatientGrant>;
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
const NO_GRANTS: ReadonlyMap<string, PatientGrant> = new Map();

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
  constructor(@Optional() @Inject(ACCESS_GRANTS) private readonly grants?: AccessGrants) {}

  /** Hospital systems may create and update records of any patient. */
  canWrite(principal: Principal): boolean {
    return principal.roles.includes('hospital-system');
  }

  /** The caller's read scope: custody from the token, grants from the consent view (503 when it is stale). */
  async readScope(principal: Principal): Promise<ReadScope> {
    const custodial = principal.roles.includes('hospital-system');
    const mayHoldGrants = custodial || principal.roles.includes('clinician');
    if (!mayHoldGrants) return NOBODY;
    const grants = this.grants ? await this.grants.grantsFor(principal) : NO_GRANTS;
    return custodial ? { custodian: principalRef(principal), grants } : { grants };
  }

  /** Whether and why a record is readable under a scope; undefined means it is not (answer 404). */
  decide(scope: ReadScope, record: RecordFacts, now = Date.now()): ReadDecision | undefined {
    if (!record.claimed) return scope.custodian !== undefined && record.custodian === scope.custodian ? CUSTODIAL : undefined;
    const grant = scope.grants.get(record.patientId);
    return grant && grant.expiresAt > now && grant.compartments.has(record.compartment) ? { kind: 'consented', grant } : undefined;
  }

  /** Updates and deletes: the custodian only (others get 404, as for a record they may not know exists). */
  mayModify(principal: Principal, record: { readonly custodian: string }): boolean {
    return this.canWrite(principal) && record.custodian === principalRef(principal);
  }
}

const CUSTODIAL: ReadDecision = { kind: 'custodial' };
