import type { AuditEntry } from './audit-entry.js';

/**
 * The shapes the regulator API at /audit answers with (gateway/src/audit/api, audit-anchors.controller.ts), shared
 * with the clinician app's audit view and diagnosis receipt. Types only: browser-safe. Hashes are lowercase hex
 * without 0x unless a field says otherwise.
 */

/** One anchored tree head as the gateway recorded it (the chain holds the authoritative copy). */
export interface AnchorRecord {
  readonly index: number;
  readonly treeSize: number;
  /** 0x-prefixed hex. */
  readonly rootHash: string;
  readonly transactionHash: string;
  readonly blockNumber: number;
  readonly anchoredAt: string;
}

/** What a receipt says about its audit entry: where it is and, once anchored, the proof up to the first anchor covering it. */
export interface AuditReceipt {
  readonly leafIndex: number;
  /** Hex leaf hash. */
  readonly leafHash: string;
  readonly anchor?: AnchorRecord;
  /** Hex hashes, leaf to root, proving the leaf in the tree of `anchor.treeSize` leaves (RFC 9162 §2.1.3). */
  readonly inclusionProof?: readonly string[];
}

/** One entry as the regulator API serves it: its position, its leaf hash and the exact text that was hashed. */
export interface EntryItem {
  readonly leafIndex: number;
  /** Hex leaf hash (as stored; a verifier recomputes it from `canonical`). */
  readonly leafHash: string;
  /** The exact stored RFC 8785 text. */
  readonly canonical: string;
  readonly entry: AuditEntry;
}

export interface EntriesPage {
  /** The log's size when the page was read; every entry of the page is below it. */
  readonly treeSize: number;
  readonly entries: readonly EntryItem[];
  /** Pass as `after=` for the next page; absent on the last one. */
  readonly next?: string;
}

export interface InclusionProofView {
  readonly leafIndex: number;
  readonly treeSize: number;
  readonly leafHash: string;
  readonly rootHash: string;
  /** Hex hashes, leaf to root (RFC 9162 §2.1.3.1). */
  readonly proof: readonly string[];
  /** The anchored head of exactly this size, when there is one. */
  readonly anchor?: AnchorRecord;
}

export interface ConsistencyProofView {
  readonly first: number;
  readonly second: number;
  readonly firstRoot: string;
  readonly secondRoot: string;
  /** Hex hashes (RFC 9162 §2.1.4.1). */
  readonly proof: readonly string[];
}

export interface TreeHeadView {
  readonly treeSize: number;
  /** Hex root of the whole log now (the empty tree's root when it has no entries). */
  readonly rootHash: string;
  /** The latest head the gateway anchored. */
  readonly anchored?: AnchorRecord;
}

export interface AuditStatistics {
  readonly total: number;
  readonly byPurpose: Record<string, number>;
  /** `id@version` → entries naming that model version. */
  readonly byModel: Record<string, number>;
  readonly byAction: Record<string, number>;
  /** Entries with outcome denied. */
  readonly denials: number;
  /** Allowed break-glass accesses (action emergency). */
  readonly breakGlass: number;
  /** Clinicians' overrides of a diagnosis (action diagnosis-override). */
  readonly overrides: number;
}

/** One anchored tree head as the regulator API shows it (JSON-safe: sizes as decimal strings). */
export interface AnchorView {
  readonly index: number;
  readonly treeSize: string;
  readonly rootHash: string;
  readonly anchoredAt: string;
  readonly transactionHash: string;
  readonly blockNumber: number;
  readonly blockHash: string;
}

export interface AnchorsResponse {
  readonly chainId: number;
  readonly contract: string;
  readonly anchors: readonly AnchorView[];
}

/** Where the log is anchored, for a verifier that reads the chain itself (public information). */
export interface AuditChainView {
  readonly chainId: number;
  /** A browser-reachable RPC URL; null when the chain is external and none is configured (CHAIN_PUBLIC_RPC_URL). */
  readonly rpcUrl: string | null;
  readonly auditAnchor: string;
  readonly consentRegistry: string;
}
