import type { GatewayApi } from '@web';
import type { AnchorRecord, AnchorsResponse, AnchorView, AuditChainView, AuditStatistics, EntriesPage, EntryItem, InclusionProofView } from '../../../gateway/src/audit/audit-api.types.js';
import type { AuditEntry } from '../../../gateway/src/audit/audit-entry.js';

/**
 * The regulator's REST API at /audit (role auditor; gateway/src/audit/api): the log's entries, their inclusion
 * proofs, the anchored tree heads and statistics. Ids and hashes only, never health data. Every value a user typed
 * travels as an encoded query parameter.
 */

export type { AuditEntry };

/** The API's answers, in the gateway's own types (gateway/src/audit/audit-api.types.ts). */
export type AuditItem = EntryItem;
export type AuditPage = EntriesPage;
export type InclusionProofAnswer = InclusionProofView;
export type ChainInfo = AuditChainView;
export type ChainAnchor = AnchorView;
export type AnchorsAnswer = AnchorsResponse;
export type { AnchorRecord, AuditStatistics };

/** The filters of the entries table, as typed (empty = not filtered). Times are ISO 8601. */
export interface AuditFilters {
  readonly from: string;
  readonly to: string;
  readonly purpose: string;
  readonly model: string;
  readonly actor: string;
  readonly patient: string;
  readonly outcome: string;
  readonly action: string;
}

export const NO_FILTERS: AuditFilters = { from: '', to: '', purpose: '', model: '', actor: '', patient: '', outcome: '', action: '' };

/** How many entries one page asks for. */
export const PAGE_SIZE = 50;

function query(params: Readonly<Record<string, string | number | undefined>>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== '') search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}

/** Newest first; `after` is the previous page's `next`. */
export function auditEntries(api: GatewayApi, filters: AuditFilters, after?: string, limit = PAGE_SIZE): Promise<AuditPage> {
  return api.get(`audit/entries${query({ ...filters, order: 'desc', limit, after })}`);
}

export function inclusionProof(api: GatewayApi, leafIndex: number): Promise<InclusionProofAnswer> {
  return api.get(`audit/proofs/inclusion${query({ leafIndex })}`);
}

export function chainInfo(api: GatewayApi): Promise<ChainInfo> {
  return api.get('audit/chain');
}

export function anchors(api: GatewayApi, limit = 20): Promise<AnchorsAnswer> {
  return api.get(`audit/anchors${query({ limit })}`);
}

export function statistics(api: GatewayApi, range: { readonly from: string; readonly to: string }): Promise<AuditStatistics> {
  return api.get(`audit/statistics${query(range)}`);
}
