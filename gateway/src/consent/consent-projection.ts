import type { Principal } from '../auth/index.js';
import { notFound } from '../common/index.js';
import { granteeId } from '../crypto/index.js';
import { type FhirResource, principalRef } from '../store/index.js';
import { consentStatus, fhirConsentId, toFhirConsent } from './consent-fhir.js';
import type { ConsentRow, ConsentView } from './consent-view.js';

/** FHIR R4 Consent.status values a search can ask for, and the consent states each stands for. */
const STATUS_OF = { active: 'active', proposed: 'pending', inactive: ['revoked', 'expired'] } as const;

/**
 * `/fhir/Consent` as a projection of chain state (issue 4 §2): every consent this gateway relayed, built from the
 * indexer's view of the chain and the stored terms, with the consent id, chain id and transactions. Readable by the
 * patient it belongs to and by its grantee; to anyone else it does not exist (404, filtered from searches).
 */
export class ConsentProjection {
  constructor(
    private readonly view: ConsentView,
    private readonly chain: { readonly chainId: number; readonly registry: string },
    private readonly clock: () => number = Date.now,
  ) {}

  async read(principal: Principal, id: string): Promise<FhirResource & { id: string }> {
    const row = /^[0-9a-f]{64}$/.test(id) ? await this.view.byId(`0x${id}`) : undefined;
    if (!row || !this.mayRead(principal, row)) throw notFound(`Consent/${id.slice(0, 64)} is not known`);
    return toFhirConsent(row, this.chain, this.now());
  }

  /** Consents the caller may read, optionally by patient and FHIR status, newest first. */
  async search(principal: Principal, filter: { readonly patient?: string; readonly status?: string; readonly ids?: readonly string[] }): Promise<(FhirResource & { id: string })[]> {
    const rows = principal.roles.includes('patient') && principal.fhirPatient ? await this.view.ofPatient(principal.fhirPatient) : await this.view.ofGrantee(this.granteeOf(principal));
    const now = this.now();
    return rows
      .filter((row) => this.mayRead(principal, row))
      .filter((row) => filter.patient === undefined || row.patientId === filter.patient)
      .filter((row) => filter.ids === undefined || filter.ids.includes(fhirConsentId(row.consentId)))
      .filter((row) => {
        if (filter.status === undefined) return true;
        const wanted = STATUS_OF[filter.status as keyof typeof STATUS_OF];
        return wanted !== undefined && ([] as string[]).concat(wanted).includes(consentStatus(row, now));
      })
      .map((row) => toFhirConsent(row, this.chain, now));
  }

  private mayRead(principal: Principal, row: ConsentRow): boolean {
    if (principal.roles.includes('patient') && principal.fhirPatient === row.patientId) return true;
    return (principal.roles.includes('clinician') || principal.roles.includes('hospital-system')) && row.grantee === this.granteeOf(principal);
  }

  private granteeOf(principal: Principal): string {
    return granteeId(principal.issuer, principalRef(principal));
  }

  private now(): number {
    return Math.floor(this.clock() / 1000);
  }
}
