import { Problem } from '@web';
import { Wallet } from 'ethers';
import {
  canonicalScope,
  type Compartment,
  consentIdOf,
  fromBase64Url,
  type GrantTypedData,
  nobleX25519,
  parseTypedData,
  type PatientKeys,
  purposeId,
  type RevokeTypedData,
  scopeHash,
  sealReleases,
  signConsentTypedData,
} from '../../../gateway/src/crypto/index.js';
import type { ConsentDraft, GrantConsentInput, Grantee, Purpose, RevocationDraft } from './consent-api.js';

/**
 * The browser's side of a consent (gateway/src/consent/README.md "Terms"): this module checks the gateway's draft
 * against what the patient chose, signs it (EIP-712) with the patient's own key and seals the key releases. It loads
 * with the key library, only when the patient prepares a consent. Nothing here sends anything: the caller sends the
 * signature, the scope and the sealed releases; the phrase and the secret keys never leave the browser.
 */

/** What the patient chose in the form. */
export interface GrantChoice {
  readonly grantee: Grantee;
  readonly purpose: Purpose;
  readonly compartments: readonly Compartment[];
  readonly models: readonly string[];
  readonly durationDays: number;
}

/** A draft that matches the patient's choice field by field: what the summary shows and what gets signed. */
export interface CheckedGrant {
  readonly choice: GrantChoice;
  readonly draft: ConsentDraft;
  readonly typed: GrantTypedData;
  /** The scope's compartments and models, as signed (sorted, unique). */
  readonly compartments: readonly Compartment[];
  readonly models: readonly string[];
}

const DAY = 86_400;
/** How far the gateway's clock (the chain's) may be from this browser's, and its window from the chosen length. */
const SKEW = 3_600;
/** A signature sent this close to its deadline may reach the chain too late. */
const DEADLINE_MARGIN = 20;

function mismatch(detail: string): Problem {
  return new Problem('The gateway’s draft does not match your choices', `${detail} Nothing was signed or sent. Try again; if it persists, tell the hospital.`, 'DRAFT_MISMATCH', 'none');
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/**
 * The canonical scope of a choice (RFC 8785), checked by the key library before anything is sent.
 * @throws Problem naming the first bad compartment or model id.
 */
export function scopeOf(choice: Pick<GrantChoice, 'compartments' | 'models'>): string {
  try {
    return canonicalScope({ compartments: choice.compartments, models: choice.models });
  } catch (error) {
    throw new Problem('This consent cannot be prepared', `${(error as Error).message}.`, 'BAD_SCOPE', 'none');
  }
}

function same(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/**
 * Checks a grant draft against the patient's choice and keys before the summary is shown: the typed data parses
 * strictly as ConsentRegistry's `Grant`; it names this patient, the chosen grantee and purpose, the hash of exactly
 * the chosen scope and a window of the chosen length starting about now; the consent id is the one the registry
 * will assign (keccak256(patient, nonce)); and the release key is a 32-byte X25519 key.
 * @throws Problem (DRAFT_MISMATCH) naming the first field that differs.
 */
export function checkGrantDraft(draft: ConsentDraft, choice: GrantChoice, keys: PatientKeys, now = nowSeconds()): CheckedGrant {
  let typed: GrantTypedData;
  try {
    typed = parseTypedData(draft.typedData, 'Grant');
  } catch (error) {
    throw mismatch(`Its typed data is not a ConsentRegistry grant (${(error as Error).message}).`);
  }
  const m = typed.message;
  const scope = scopeOf(choice);
  if (!same(m.patient, keys.address) || !same(draft.patientAddress, keys.address)) throw mismatch('It names another patient address than the one of your keys.');
  if (!same(m.grantee, choice.grantee.id)) throw mismatch(`It names another grantee than ${choice.grantee.name}.`);
  if (!same(m.purpose, purposeId(choice.purpose))) throw mismatch(`It names another purpose than ${choice.purpose}.`);
  if (draft.scope !== scope) throw mismatch('Its scope is not the compartments and models you chose.');
  if (!same(m.scopeHash, scopeHash(scope)) || !same(draft.scopeHash, m.scopeHash)) throw mismatch('Its scope hash is not the hash of the scope you chose.');
  if (m.notBefore !== draft.notBefore || m.notAfter !== draft.notAfter || String(draft.deadline) !== m.deadline) throw mismatch('Its times differ from the ones it signs.');
  if (Math.abs(m.notAfter - m.notBefore - choice.durationDays * DAY) > SKEW) throw mismatch(`Its window is not ${choice.durationDays} days long.`);
  if (Math.abs(m.notBefore - now) > DAY) throw mismatch('Its window does not start now.');
  if (!same(draft.consentId, consentIdOf(m.patient, m.nonce))) throw mismatch('Its consent id is not the one the registry will assign.');
  try {
    if (fromBase64Url(draft.releaseKey, 'releaseKey').length !== 32) throw new TypeError('not 32 bytes');
  } catch {
    throw mismatch('Its release key is not a 32-byte X25519 public key.');
  }
  const parsed = JSON.parse(scope) as { compartments: Compartment[]; models: string[] };
  return { choice, draft, typed, compartments: parsed.compartments, models: parsed.models };
}

function checkDeadline(deadline: number): void {
  if (nowSeconds() > deadline - DEADLINE_MARGIN) {
    throw new Problem('This draft has expired', 'The chain accepts a signature only until a deadline, and it has passed. Nothing was signed or sent. Prepare it again.', 'DRAFT_EXPIRED', 'none');
  }
}

/**
 * Signs a checked grant with the patient's key and seals the release of each compartment in scope to the
 * gateway's release key, bound to the consent id, the patient's address and the window's end. Returns exactly what
 * `grantConsent` takes: the typed data as the gateway sent it, the signature, the scope and the sealed releases.
 */
export async function signGrant(checked: CheckedGrant, keys: PatientKeys): Promise<GrantConsentInput> {
  checkDeadline(checked.draft.deadline);
  const wallet = new Wallet(keys.signingKey);
  const signature = await signConsentTypedData(wallet, checked.typed);
  const releases = sealReleases(nobleX25519, fromBase64Url(checked.draft.releaseKey, 'releaseKey'), keys, checked.compartments, {
    consentId: checked.draft.consentId,
    patient: checked.draft.patientAddress,
    notAfter: checked.typed.message.notAfter,
  });
  return { typedData: checked.draft.typedData, signature, scope: checked.draft.scope, releases };
}

/**
 * Checks a revocation draft: ConsentRegistry's `Revoke` of exactly this consent, with the deadline it announces.
 * @throws Problem (DRAFT_MISMATCH) otherwise.
 */
export function checkRevocationDraft(draft: RevocationDraft, consentId: string): RevokeTypedData {
  let typed: RevokeTypedData;
  try {
    typed = parseTypedData(draft.typedData, 'Revoke');
  } catch (error) {
    throw mismatch(`Its typed data is not a ConsentRegistry revocation (${(error as Error).message}).`);
  }
  if (!same(typed.message.consentId, consentId) || !same(draft.consentId, consentId)) throw mismatch('It revokes another consent than the one you chose.');
  if (typed.message.deadline !== String(draft.deadline)) throw mismatch('Its deadline differs from the one it signs.');
  return typed;
}

/** Signs a checked revocation with the patient's key: what `revokeConsent` takes. */
export async function signRevocation(draft: RevocationDraft, typed: RevokeTypedData, keys: PatientKeys): Promise<{ typedData: string; signature: string }> {
  checkDeadline(draft.deadline);
  const signature = await signConsentTypedData(new Wallet(keys.signingKey), typed);
  return { typedData: draft.typedData, signature };
}
