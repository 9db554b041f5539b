import { Logger } from '@nestjs/common';
import type { Kysely } from 'kysely';
import type { Principal } from '../auth/index.js';
import { serviceUnavailable } from '../common/index.js';
import { EMERGENCY_GRANTEE_REFERENCE, granteeId, parseScope, scopeHash } from '../crypto/index.js';
import { type AccessGrants, type DatabaseSchema, type PatientGrant, principalRef, type StoreKeyRing } from '../store/index.js';
import { type ConsentRow, ConsentView } from './consent-view.js';
import { LiveGrant } from './live-grant.js';

/** What enforcement needs of the chain indexer: how fresh the view is. */
export interface ConsentFreshness {
  /** This instance's last sync: stale when it is older than the configured bound (or there was none). */
  lastFreshness(): { readonly stale: boolean; readonly ageMs: number };
}

/** The purpose a consent must have for record access (design.md §2.2; DIAGNOSIS covers models, not records). */
export const RECORD_ACCESS_PURPOSE = 'TREATMENT';
/** The purpose a consent must have for running a model on the patient's records. */
export const DIAGNOSIS_PURPOSE = 'DIAGNOSIS';

/** A live DIAGNOSIS consent: its grant on the scope's compartments and the models its scope names. */
export interface DiagnosisGrant {
  readonly grant: PatientGrant;
  /** Model ids of the scope: `id` (any version) or `id@version` (pinned). */
  readonly models: readonly string[];
  /** Unix seconds the consent ends. */
  readonly notAfter: number;
}

interface CachedScope {
  readonly grants: ReadonlyMap<string, readonly PatientGrant[]>;
  readonly loadedAt: number;
}

/**
 * The consent side of enforcement (implements the store's {@link AccessGrants} port): a principal's live grants,
 * from the consent view, with the patient's releases behind them.
 *
 * - A grant needs an on-chain consent to this principal (grantee id = hash of issuer and principal reference) with
 *   purpose TREATMENT, inside its window, not revoked, whose scope JSON hashes to the on-chain scope hash and whose
 *   patient address is the store's owner; or a break-glass access this clinician declared on the patient's
 *   standing EMERGENCY consent.
 * - Fails closed: when the indexer's view is older than its bound, a clinician's request is refused (503) and a
 *   hospital system keeps only its custody of unclaimed stores.
 * - Cached per principal for at most `cacheMs` (the indexer's poll interval), and dropped at once when this
 *   instance learns of a revocation ({@link end}); expiry is checked on every use (PatientGrant.expiresAt).
 */
export class ConsentAccessGrants implements AccessGrants {
  private readonly logger = new Logger('consent');
  private readonly byPrincipal = new Map<string, CachedScope>();
  /** Live grants by consent (and emergency) id, shared across cache refills so opened keys are reused. */
  private readonly live = new Map<string, LiveGrant>();
  private readonly granteeIds = new Map<string, string>();
  /** DIAGNOSIS grants by grantee and patient, cached like {@link byPrincipal} (same TTL, dropped with it). */
  private readonly diagnosisCache = new Map<string, { readonly grants: DiagnosisGrant[]; readonly loadedAt: number }>();

  constructor(
    private readonly db: Kysely<DatabaseSchema>,
    private readonly view: ConsentView,
    private readonly ring: StoreKeyRing,
    private readonly freshness: ConsentFreshness,
    private readonly issuer: () => string,
    private readonly cacheMs: number,
  ) {}

  async grantsFor(principal: Principal, db?: Kysely<DatabaseSchema>): Promise<ReadonlyMap<string, readonly PatientGrant[]>> {
    const fresh = this.freshness.lastFreshness();
    if (fresh.stale) {
      if (principal.roles.includes('hospital-system')) return new Map();
      throw serviceUnavailable(`the consent view is ${Math.round(fresh.ageMs / 1000)} s behind the chain; access under consent is refused until it catches up`);
    }
    const grantee = this.granteeOf(principal);
    const now = Date.now();
    const cached = this.byPrincipal.get(grantee);
    if (cached && now - cached.loadedAt < this.cacheMs) return cached.grants;
    const grants = await this.load(grantee, principal.roles.includes('clinician'), now, db ? new ConsentView(db) : this.view);
    if (this.byPrincipal.size > 10_000) this.byPrincipal.clear();
    this.byPrincipal.set(grantee, { grants, loadedAt: now });
    return grants;
  }

  /**
   * The principal's live DIAGNOSIS consents from one patient (design.md §2.3: a clinician may run a model on a
   * patient only under such a consent whose scope names the model), each with its grant on the scope's
   * compartments and the model ids (`id` or `id@version`) it covers. Fails closed like {@link grantsFor}.
   */
  async diagnosisGrants(principal: Principal, patientId: string): Promise<DiagnosisGrant[]> {
    const fresh = this.freshness.lastFreshness();
    if (fresh.stale) throw serviceUnavailable(`the consent view is ${Math.round(fresh.ageMs / 1000)} s behind the chain; access under consent is refused until it catches up`);
    const now = Date.now();
    const grantee = this.granteeOf(principal);
    const key = `${grantee}\0${patientId}`;
    const cached = this.diagnosisCache.get(key);
    if (cached && now - cached.loadedAt < this.cacheMs) return cached.grants.filter((g) => g.grant.expiresAt > now);
    const found: DiagnosisGrant[] = [];
    for (const consent of await this.view.liveForGrantee(grantee, [DIAGNOSIS_PURPOSE], Math.floor(now / 1000))) {
      if (consent.patientId !== patientId) continue;
      const compartments = this.verifiedCompartments(consent);
      if (!compartments) continue;
      const holder = new Map<string, PatientGrant[]>();
      this.put(holder, { patientId, patientAddress: consent.patientAddress, consentId: consent.consentId, purpose: consent.purpose, compartments, consentNotAfter: consent.notAfter, expiresAt: consent.notAfter * 1000 });
      found.push({ grant: holder.get(patientId)![0]!, models: parseScope(consent.scopeJson).models, notAfter: consent.notAfter });
    }
    if (this.diagnosisCache.size > 10_000) this.diagnosisCache.clear();
    this.diagnosisCache.set(key, { grants: found, loadedAt: now });
    return found;
  }

  /** Every live DIAGNOSIS consent to the principal whose terms still match the chain (for the clinician app). */
  async diagnosisConsents(principal: Principal): Promise<ConsentRow[]> {
    const now = Math.floor(Date.now() / 1000);
    const consents = await this.view.liveForGrantee(this.granteeOf(principal), [DIAGNOSIS_PURPOSE], now);
    return consents.filter((c) => this.verifiedCompartments(c) !== undefined);
  }

  /** Whether the principal holds any live consent (any purpose) from this patient: it may then know the patient exists. */
  async knowsPatient(principal: Principal, patientId: string): Promise<boolean> {
    const now = Math.floor(Date.now() / 1000);
    const consents = await this.view.liveForGrantee(this.granteeOf(principal), ['TREATMENT', 'DIAGNOSIS', 'RESEARCH'], now);
    return consents.some((c) => c.patientId === patientId);
  }

  /** The principal's grantee id (keccak256 of issuer and reference), computed once per principal: it was most of the enforcement cost of a read. */
  private granteeOf(principal: Principal): string {
    const key = `${principal.issuer}\0${principalRef(principal)}`;
    let id = this.granteeIds.get(key);
    if (id === undefined) {
      if (this.granteeIds.size > 10_000) this.granteeIds.clear();
      this.granteeIds.set(key, (id = granteeId(principal.issuer, principalRef(principal))));
    }
    return id;
  }

  /** Ends the grants of these consents at once (revoked, or gone in a reorg): keys wiped, caches dropped. */
  async end(consentIds: readonly string[]): Promise<void> {
    const ended = new Set(consentIds.map((id) => id.toLowerCase()));
    const wiping: Promise<void>[] = [];
    for (const [key, grant] of this.live) {
      if (ended.has(grant.consentId)) {
        wiping.push(grant.wipe());
        this.live.delete(key);
      }
    }
    this.byPrincipal.clear();
    this.diagnosisCache.clear();
    await Promise.all(wiping);
  }

  /** Drops the per-principal cache (the view changed), keeping opened keys of grants that are still live. */
  refresh(): void {
    this.byPrincipal.clear();
    this.diagnosisCache.clear();
  }

  /** Wipes every grant past its end (called periodically with the release sweep). */
  async sweep(now = Date.now()): Promise<void> {
    const wiping: Promise<void>[] = [];
    for (const [key, grant] of this.live) {
      if (grant.expiresAt <= now) {
        wiping.push(grant.wipe());
        this.live.delete(key);
      }
    }
    await Promise.all(wiping);
  }

  private async load(grantee: string, clinician: boolean, now: number, view: ConsentView): Promise<Map<string, PatientGrant[]>> {
    const seconds = Math.floor(now / 1000);
    const grants = new Map<string, PatientGrant[]>();
    for (const consent of await view.liveForGrantee(grantee, [RECORD_ACCESS_PURPOSE], seconds)) {
      const compartments = this.verifiedCompartments(consent);
      if (!compartments) continue;
      this.put(grants, { patientId: consent.patientId, patientAddress: consent.patientAddress, consentId: consent.consentId, purpose: consent.purpose, compartments, consentNotAfter: consent.notAfter, expiresAt: consent.notAfter * 1000 });
    }
    if (clinician) {
      for (const emergency of await view.liveEmergenciesOf(grantee, seconds)) {
        const consent = emergency.consent;
        // The standing consent must be the realm's emergency grant (any clinician), purpose EMERGENCY.
        if (consent.purpose !== 'EMERGENCY' || consent.grantee !== granteeId(this.issuer(), EMERGENCY_GRANTEE_REFERENCE)) continue;
        const compartments = this.verifiedCompartments(consent);
        if (!compartments) continue;
        const expiresAt = Math.min(emergency.notAfter, consent.notAfter) * 1000;
        this.put(grants, { patientId: consent.patientId, patientAddress: consent.patientAddress, consentId: consent.consentId, purpose: 'EMERGENCY', emergencyId: emergency.accessId, compartments, consentNotAfter: consent.notAfter, expiresAt });
      }
    }
    return grants;
  }

  private put(grants: Map<string, PatientGrant[]>, terms: LiveGrant['terms']): void {
    const key = `${terms.consentId}/${terms.emergencyId ?? ''}`;
    let grant = this.live.get(key);
    if (!grant) this.live.set(key, (grant = new LiveGrant(this.db, this.ring, terms)));
    // Consent grants go first: a read a consent covers is logged under it, not as break-glass.
    grants.set(terms.patientId, [...(grants.get(terms.patientId) ?? []), grant]);
  }

  /**
   * The compartments of a consent's scope, only if its off-chain terms still match the chain: the scope JSON hashes
   * to the on-chain hash and the consent's patient is the store's owner. A mismatch is tampering: alert, no access.
   */
  private verifiedCompartments(consent: ConsentRow): ReadonlySet<string> | undefined {
    const owner = consent.ownerAddress?.toLowerCase();
    if (scopeHash(consent.scopeJson) !== consent.scopeHash.toLowerCase() || owner !== consent.patientAddress.toLowerCase()) {
      this.logger.error({ alert: 'integrity', consent: consent.consentId }, 'INTEGRITY ALERT: the stored terms of a consent do not match the chain; the consent is not honoured');
      return undefined;
    }
    return new Set(parseScope(consent.scopeJson).compartments);
  }
}
