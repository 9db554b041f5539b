import type { Principal } from '../../auth/index.js';
import { notFound } from '../../common/index.js';
import type { AuditQueryService } from '../api/audit-query.service.js';
import type { AuditLog } from '../audit-log.js';
import type { AuditEventSearch } from './audit-event-search.js';
import { leafIndexOf, toAuditEvent } from './audit-event.js';

/** A searchset page: the matching events, newest first, and the cursor of the next page. */
export interface AuditEventPage {
  readonly events: readonly Record<string, unknown>[];
  readonly next?: number;
}

/**
 * `/fhir/AuditEvent` (issue 6 §4): the audit log as FHIR R4 AuditEvents, read-only. Auditors see every entry; a
 * patient sees the entries about their own store (their pseudonym); to a patient, another patient's event does not
 * exist (404). Other roles are refused by the controller's role check (403, whatever the id).
 */
export class AuditEventProjection {
  constructor(
    private readonly query: AuditQueryService,
    private readonly log: AuditLog,
  ) {}

  async read(principal: Principal, id: string): Promise<Record<string, unknown>> {
    const leafIndex = leafIndexOf(id);
    const item = leafIndex === undefined ? undefined : await this.query.item(leafIndex);
    const own = this.ownPseudonym(principal);
    if (!item || (own !== null && item.entry.patient !== own)) throw notFound(`AuditEvent/${id.slice(0, 64)} is not known`);
    return toAuditEvent(item.entry, item.leafHash);
  }

  async search(principal: Principal, search: AuditEventSearch): Promise<AuditEventPage> {
    const own = this.ownPseudonym(principal);
    // A patient asking for someone else's pseudonym matches nothing (and learns nothing about whether it exists).
    if (own !== null && search.filter.patient !== undefined && search.filter.patient !== own) return { events: [] };
    const filter = own !== null ? { ...search.filter, patient: own } : search.filter;
    const page = await this.query.entries(filter, { order: 'desc', limit: search.count, ...(search.cursor !== undefined ? { after: search.cursor } : {}) });
    return { events: page.entries.map((item) => toAuditEvent(item.entry, item.leafHash)), ...(page.next !== undefined ? { next: Number(page.next) } : {}) };
  }

  /** Null for an auditor (sees all); the patient's pseudonym for a patient; a pseudonym matching nothing otherwise. */
  private ownPseudonym(principal: Principal): string | null {
    if (principal.roles.includes('auditor')) return null;
    if (principal.roles.includes('patient') && principal.fhirPatient !== undefined) return this.log.pseudonym(principal.fhirPatient);
    return '-';
  }
}
