import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { leafHash } from './merkle.js';

/**
 * One record of the audit log (design.md §2.4), hashed as its RFC 8785 canonical JSON. Pseudonymous ids, codes
 * and SHA-256 hashes only: never a name, never a value, never free text. Browser-safe (the regulator's view and
 * the verifier parse entries with these types).
 *
 * `seq` and `prev` make each entry name its position and its predecessor's leaf hash, so a verifier can say which
 * entry was modified, deleted, inserted or moved, not only that a root no longer matches.
 */
export interface AuditEntry {
  /** Format version. */
  readonly v: 1;
  /** Leaf index in the log (0-based, gap-free). */
  readonly seq: number;
  /** Hex leaf hash of entry `seq - 1`; 64 zeros for the first entry. */
  readonly prev: string;
  /** When the gateway decided, ISO 8601 UTC with milliseconds. */
  readonly at: string;
  /** The actor's pseudonym: keccak256 of issuer and principal reference, the same id a consent names on-chain as grantee. */
  readonly actor: string;
  /** The realm role the actor acted in (clinician, hospital-system, patient, auditor, steward, none), or `gateway` for the gateway's own writes (its copy of a Consent, a RiskAssessment). */
  readonly role: string;
  /** What was done: read, vread, history, search, create, update, delete, consent-grant, consent-revoke, key-release, emergency, diagnose, diagnosis-accept, diagnosis-override. */
  readonly action: string;
  readonly outcome: 'allowed' | 'denied';
  /** The patient's pseudonym (keyed hash of the patient id), when a patient's store was involved. */
  readonly patient?: string;
  readonly resourceType?: string;
  /** For key releases: the compartment whose secret the patient released to the gateway. */
  readonly compartment?: string;
  /** The on-chain consent id the access was decided under. */
  readonly consent?: string;
  /** That consent's purpose: TREATMENT, DIAGNOSIS, RESEARCH, EMERGENCY. */
  readonly purpose?: string;
  /** The on-chain break-glass access id. */
  readonly emergency?: string;
  /** For inferences: the model version and the SHA-256 of its ONNX file. */
  readonly model?: { readonly id: string; readonly version: string; readonly sha256: string };
  /** For inferences: SHA-256 of each input record version's canonical JSON, in the order the model used them. */
  readonly inputs?: readonly string[];
  /** For inferences: SHA-256 of the outputs' canonical JSON. */
  readonly output?: string;
  /** For inferences: SHA-256 of the explanation document's canonical JSON. */
  readonly explanation?: string;
  /** For inferences and feedback: the diagnosis id. */
  readonly result?: string;
  /** For denials: why, as a code (not-found: no such record; no-grant: no consent or custody covers it; not-custodian: a write to another client's record; forbidden; invalid). */
  readonly reason?: string;
}

/** The hex leaf hash of an entry's exact canonical JSON text: SHA-256(0x00 || UTF-8 bytes). */
export function entryLeafHash(canonical: string): string {
  return bytesToHex(leafHash(utf8ToBytes(canonical)));
}

/** `prev` of the first entry. */
export const GENESIS_PREV = '0'.repeat(64);

/** Actions, for filters and statistics. */
export const AUDIT_ACTIONS = [
  'read',
  'vread',
  'history',
  'search',
  'create',
  'update',
  'delete',
  'consent-grant',
  'consent-revoke',
  'key-release',
  'emergency',
  'diagnose',
  'diagnosis-accept',
  'diagnosis-override',
] as const;
