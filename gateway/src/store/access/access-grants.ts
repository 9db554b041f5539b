import type { Kysely } from 'kysely';
import type { Principal } from '../../auth/index.js';
import type { DatabaseSchema } from '../database.schema.js';

/** An X25519 key pair of one compartment, opened from a patient's key release. */
export interface CompartmentKeyPair {
  readonly secretKey: Uint8Array;
  readonly publicKey: Uint8Array;
}

/**
 * A live permission of one principal on one patient's claimed store (design.md §2.1–2.2): an active on-chain
 * consent (purpose TREATMENT, grantee = the principal) or a declared break-glass access, with the compartments its
 * scope covers and the patient's key release for them. Granted keys are held in memory only while the consent is
 * live; the consent module wipes them when it ends.
 */
export interface PatientGrant {
  readonly patientId: string;
  /** The on-chain consent (for break-glass: the patient's standing EMERGENCY consent). */
  readonly consentId: string;
  /** The consent's purpose (TREATMENT, DIAGNOSIS, RESEARCH; EMERGENCY for break-glass), for the audit log. */
  readonly purpose: string;
  /** The on-chain emergency access id, for break-glass. */
  readonly emergencyId?: string;
  /** Compartments in scope. */
  readonly compartments: ReadonlySet<string>;
  /** Unix milliseconds after which the grant is void, whatever any cache says. */
  readonly expiresAt: number;
  /** The compartment's key pair from the patient's release; rejects when the release is gone (revoked, expired). */
  compartmentKey(compartment: string, db?: Kysely<DatabaseSchema>): Promise<CompartmentKeyPair>;
  /** A batch key already unwrapped under this grant. */
  cachedBatchKey(keyId: string): Uint8Array | undefined;
  /** Keeps an unwrapped batch key until the grant ends (then it is wiped). */
  rememberBatchKey(keyId: string, key: Uint8Array): void;
}

/** Where the store learns what a principal may read beyond custody: implemented by the consent module. */
export interface AccessGrants {
  /**
   * The principal's live grants by patient id. Throws an OperationOutcomeError (503) when the consent view is
   * older than its bound: access that depends on consent fails closed.
   */
  grantsFor(principal: Principal, db?: Kysely<DatabaseSchema>): Promise<ReadonlyMap<string, readonly PatientGrant[]>>;
}

/** Nest injection token for {@link AccessGrants} (optional: without it nobody holds a grant). */
export const ACCESS_GRANTS = Symbol('AccessGrants');

/** One access decision on the records, for the access log (never contents). */
export interface AccessDecision {
  readonly principal: Principal;
  /** read, vread, history, search, create, update, delete. */
  readonly interaction: string;
  readonly resourceType: string;
  /** The patient whose store was touched; undefined when nothing of any store was involved. */
  readonly patientId?: string;
  readonly outcome: 'allowed' | 'denied';
  readonly grant?: PatientGrant;
  /** Why a denial was a denial (not-found, no-grant, not-custodian), for the audit log. */
  readonly reason?: string;
}

/** Where access decisions go: implemented by the consent module's access log. */
export interface AccessRecorder {
  record(decision: AccessDecision): void;
}

/** Nest injection token for {@link AccessRecorder} (optional). */
export const ACCESS_RECORDER = Symbol('AccessRecorder');
