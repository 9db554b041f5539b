import type { GatewayApi } from '@web';
import type { AuditEntry } from '../../../gateway/src/audit/audit-entry.js';

/**
 * The regulator's REST API at /audit (role auditor; gateway/src/audit/api): the log's entries, their inclusion
 * proofs, the anchored tree heads and statistics. Ids and hashes only, never health data. Every value a user typed
 * travels as an encoded query parameter.
 */

export type { AuditEntry };

/** One entry as the API serves it: the exact stored canonical text, its leaf hash and the parsed entry. */
export interface AuditItem {
  readonly leafIndex: number;
  /** Hex leaf hash, as the gateway stored it. */
  readonly leafHash: string;
  /** The exact RFC 8785 text the leaf hash was computed over. */
  readonly canonical: string;
  readonly entry: AuditEntry;
}

export interface AuditPage {
  readonly treeSize: number;
  readonly entries: readonly AuditItem[];
  /** Pass as `after` for the next (older, newest first) page; absent on the last page. */
  readonly next?: string;
}

/** One anchored tree head as the gateway recorded it. */
export interface AnchorRecord {
  readonly index: number;
  readonly treeSize: number;
  /** 0x-prefixed hex. */
  readonly rootHash: string;
  readonly transactionHash: string;
  readonly blockNumber: number;
  readonly anchoredAt: string;
}

export interface InclusionProofAnswer {
  readonly leafIndex: number;
  readonly treeSize: number;
  /** Hex, no 0x. */
  readonly leafHash: string;
  /** Hex, no 0x. */
  readonly rootHash: string;
  /** Hex hashes, leaf to root (RFC 9162 §2.1.3). */
  readonly proof: readonly string[];
  /** The anchored head of `treeSize`, when the proof is to one. */
  readonly anchor?: AnchorRecord;
}

/** Public chain information: where the browser reads anchored roots from. */
export interface ChainInfo {
  readonly chainId: number;
  readonly rpcUrl?: string | null;
  readonly auditAnchor: string;
  readonly consentRegistry: string;
}

/** An anchored head as read from the chain's TreeHeadAnchored logs (GET /audit/anchors). */
export interface ChainAnchor {
  readonly index: number;
  /** Decimal string. */
  readonly treeSize: string;
  readonly rootHash: string;
  readonly anchoredAt: string;
  readonly transactionHash: string;
  readonly blockNumber: number;
  readonly blockHash: string;
}

export interface AnchorsAnswer {
  readonly chainId: number;
  readonly contract: string;
  readonly anchors: readonly ChainAnchor[];
}

export interface AuditStatistics {
  readonly total: number;
  readonly byPurpose: Readonly<Record<string, number>>;
  readonly byModel: Readonly<Record<string, number>>;
  readonly byAction: Readonly<Record<string, number>>;
  readonly denials: number;
  readonly breakGlass: number;
  readonly overrides: number;
}

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
