import { type Discrepancy, entryDiscrepancy } from './discrepancy.js';
import type { PositionedEntry } from './entry-chain.js';

/** A consent as ConsentRegistry's events tell it. Ids and grantees lowercase 0x-hex. */
export interface ConsentFact {
  readonly consentId: string;
  readonly grantee: string;
  /** The purpose code (decodeBytes32String of the event's bytes32). */
  readonly purpose: string;
  /** Unix seconds. */
  readonly notBefore: number;
  /** Unix seconds: the first second the consent is over. */
  readonly notAfter: number;
  /** Block timestamp of the ConsentGranted event, unix ms. */
  readonly grantedAt: number;
  /** Block timestamp of the ConsentRevoked event, unix ms. */
  readonly revokedAt?: number;
}

/** A break-glass access as its EmergencyAccessRecorded event tells it. */
export interface EmergencyFact {
  readonly accessId: string;
  readonly consentId: string;
  /** The declaring clinician's grantee id. */
  readonly grantee: string;
  /** Block timestamp of the event, unix ms. */
  readonly declaredAt: number;
  /** Unix seconds: the first second the access is over. */
  readonly notAfter: number;
}

export interface ConsentFacts {
  readonly consents: ReadonlyMap<string, ConsentFact>;
  readonly emergencies: ReadonlyMap<string, EmergencyFact>;
}

/** A patient managing their own consent: the actor is the patient, not the grantee, and the time bounds differ. */
const CONSENT_MANAGEMENT = new Set(['consent-grant', 'key-release', 'consent-revoke']);

const iso = (ms: number) => (Number.isFinite(ms) && Math.abs(ms) < 8.64e15 ? new Date(ms).toISOString() : String(ms));

/**
 * Check 3: every allowed entry that names a consent was decided under a consent the chain holds, granted to the
 * entry's actor (for break-glass: declared on-chain by the actor under that consent), for the entry's purpose, and
 * active at the entry's time: at or after the grant's block and `notBefore`, before `notAfter` and before the
 * revocation's block. Block timestamps have 1 s resolution and the gateway's clock is not the chain's, so every
 * bound is widened by `skewMs`. Entries recording a revocation are exempt from "before the revocation"; a
 * patient's own grant, key release and revocation entries are checked for existence, purpose and the grant's
 * (revocation's) time only.
 * @returns how many entries were checked, and what was wrong.
 */
export function checkConsents(entries: readonly PositionedEntry[], facts: ConsentFacts, skewMs: number): { checked: number; discrepancies: Discrepancy[] } {
  const discrepancies: Discrepancy[] = [];
  let checked = 0;
  for (const { position, entry } of entries) {
    if (!entry || entry.outcome !== 'allowed' || typeof entry.consent !== 'string') continue;
    checked += 1;
    const report = (kind: Parameters<typeof entryDiscrepancy>[1], detail: string) => discrepancies.push(entryDiscrepancy(position, kind, detail));
    const consent = facts.consents.get(entry.consent.toLowerCase());
    if (!consent) {
      report('unknown-consent', `consent ${entry.consent} is not on-chain (no ConsentGranted event)`);
      continue;
    }
    const at = Date.parse(entry.at);
    const actor = String(entry.actor).toLowerCase();
    const management = CONSENT_MANAGEMENT.has(entry.action);
    if (entry.purpose !== consent.purpose) report('wrong-purpose', `the entry says purpose ${String(entry.purpose)}, the consent on-chain is for ${consent.purpose}`);

    if (typeof entry.emergency === 'string') {
      const access = facts.emergencies.get(entry.emergency.toLowerCase());
      if (!access) {
        report('unknown-emergency', `break-glass access ${entry.emergency} is not on-chain (no EmergencyAccessRecorded event)`);
      } else {
        if (access.consentId !== consent.consentId) report('emergency-mismatch', `break-glass access ${access.accessId} was declared under consent ${access.consentId}, the entry names ${consent.consentId}`);
        if (access.grantee !== actor) report('wrong-grantee', `break-glass access ${access.accessId} was declared by ${access.grantee}, the entry's actor is ${actor}`);
        if (at < access.declaredAt - skewMs) report('consent-inactive', `at ${entry.at} is before the break-glass declaration at ${iso(access.declaredAt)}`);
        if (at >= access.notAfter * 1000 + skewMs) report('consent-inactive', `at ${entry.at} is at or after the break-glass access's notAfter ${iso(access.notAfter * 1000)}`);
      }
    } else if (!management && consent.grantee !== actor) {
      report('wrong-grantee', `consent ${consent.consentId} is granted to ${consent.grantee}, the entry's actor is ${actor}`);
    }

    if (Number.isNaN(at)) {
      report('consent-inactive', `at ${JSON.stringify(entry.at)} is not a time`);
      continue;
    }
    if (entry.action === 'consent-revoke') {
      if (consent.revokedAt === undefined) report('consent-inactive', `it records a revocation of consent ${consent.consentId}, which the chain holds no ConsentRevoked event for`);
      else if (at < consent.revokedAt - skewMs) report('consent-inactive', `at ${entry.at} is before the revocation's block time ${iso(consent.revokedAt)}`);
      continue;
    }
    if (at < consent.grantedAt - skewMs) report('consent-inactive', `at ${entry.at} is before the grant's block time ${iso(consent.grantedAt)}`);
    if (!management) {
      if (at < consent.notBefore * 1000 - skewMs) report('consent-inactive', `at ${entry.at} is before notBefore ${iso(consent.notBefore * 1000)}`);
      if (at >= consent.notAfter * 1000 + skewMs) report('consent-inactive', `at ${entry.at} is at or after notAfter ${iso(consent.notAfter * 1000)}`);
    }
    if (consent.revokedAt !== undefined && at >= consent.revokedAt + skewMs) report('consent-inactive', `at ${entry.at} is after the revocation's block time ${iso(consent.revokedAt)}`);
  }
  return { checked, discrepancies };
}
