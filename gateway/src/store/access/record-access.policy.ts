import type { Principal } from '../../auth/index.js';

/** The pseudonymous id a principal is recorded under (custodian, author): a client for machines, a subject for people. */
export function principalRef(principal: Principal): string {
  return principal.roles.includes('hospital-system') ? `client:${principal.clientId}` : `user:${principal.subject}`;
}

/** What a principal may read of the stores, decided from its token alone. */
export type ReadScope =
  /** Nothing (the default): reads answer 404, searches are empty. */
  | { readonly kind: 'none' }
  /** Custodial: records this client created, while their patient's store is unclaimed (escrow). */
  | { readonly kind: 'custodian'; readonly custodian: string };

/**
 * Who may do what with the records, before consent exists (issue 3; consent extends the read scope next).
 * Deny by default: only hospital systems write, and they read only what they wrote into unclaimed stores.
 */
export class RecordAccessPolicy {
  /** Hospital systems may create and update records of any patient. */
  canWrite(principal: Principal): boolean {
    return principal.roles.includes('hospital-system');
  }

  readScope(principal: Principal): ReadScope {
    return principal.roles.includes('hospital-system') ? { kind: 'custodian', custodian: principalRef(principal) } : { kind: 'none' };
  }

  /** Whether a record (its custodian and its store's claim state) is readable under a scope. */
  mayRead(scope: ReadScope, record: { readonly custodian: string; readonly claimed: boolean }): boolean {
    return scope.kind === 'custodian' && !record.claimed && record.custodian === scope.custodian;
  }

  /** Updates and deletes: the custodian only (others get 404, as for a record they may not know exists). */
  mayModify(principal: Principal, record: { readonly custodian: string }): boolean {
    return this.canWrite(principal) && record.custodian === principalRef(principal);
  }
}
