import { hexToBytes } from '@noble/hashes/utils.js';
import { canonicalJson } from '../../crypto/index.js';
import { type AuditEntry, entryLeafHash, GENESIS_PREV } from '../audit-entry.js';
import { MerkleLevels } from '../merkle.js';
import { type Discrepancy, entryDiscrepancy, short } from './discrepancy.js';

/** One entry as a source served it: the exact stored text, and the leaf hash it claims (never trusted). */
export interface ServedEntry {
  /** The leaf index the source says (used for ordering only). */
  readonly leafIndex: number;
  /** The exact canonical JSON that was hashed. */
  readonly canonical: string;
  /** Hex leaf hash as served, compared with the recomputed one only to report a mismatch. */
  readonly leafHash?: string;
}

/** An entry at its position in the log as served, parsed (undefined when its text is not a JSON object). */
export interface PositionedEntry {
  readonly position: number;
  readonly entry: AuditEntry | undefined;
}

/** What the chain check found, and what the anchor, consent and model checks build on. */
export interface EntryChainResult {
  readonly entries: readonly PositionedEntry[];
  /** The tree over the recomputed leaf hashes, in served order. */
  readonly tree: MerkleLevels;
  readonly discrepancies: readonly Discrepancy[];
}

function parse(canonical: string): { entry?: AuditEntry; problem?: string } {
  let value: unknown;
  try {
    value = JSON.parse(canonical);
  } catch {
    return { problem: 'the stored text is not JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { problem: 'not a JSON object' };
  const entry = value as AuditEntry;
  if (canonicalJson(value) !== canonical) return { entry, problem: 'the stored text is not the RFC 8785 canonical JSON of its value' };
  return { entry };
}

/**
 * Check 1: every entry's text is canonical (RFC 8785), its `seq` is its position and its `prev` is the recomputed
 * leaf hash of the entry before it. The log is walked in served order; a break is named by its cause:
 * - `modified` k: entry k+1's `prev` is no leaf hash in the log (k's text changed after k+1 named it);
 * - `missing` k: the log jumps over seq k, which no entry holds (deleted);
 * - `inserted` p: the next entry links past p to p's predecessor, and nothing links to p (a forged row);
 * - `out-of-order` p: p holds a seq that belongs elsewhere in the log (moved, reordered).
 * Breaks next to an entry already flagged are not blamed on a second entry. Leaf hashes are recomputed with
 * {@link entryLeafHash}; a served leaf hash only ever produces a `leaf-hash` report.
 */
export function checkEntryChain(served: readonly ServedEntry[]): EntryChainResult {
  const n = served.length;
  const hashes = served.map((s) => entryLeafHash(s.canonical));
  const parsed = served.map((s) => parse(s.canonical));
  const discrepancies: Discrepancy[] = [];
  const tree = new MerkleLevels();
  for (const hash of hashes) tree.append(hexToBytes(hash));

  const positionOf = new Map<string, number>([[GENESIS_PREV, -1]]);
  hashes.forEach((hash, p) => {
    if (!positionOf.has(hash)) positionOf.set(hash, p);
  });
  const predecessorOf = (p: number): number | undefined => {
    const prev = parsed[p]?.entry?.prev;
    return typeof prev === 'string' ? positionOf.get(prev) : undefined;
  };
  const hasSuccessor = new Set<number>();
  for (let p = 0; p < n; p++) {
    const q = predecessorOf(p);
    if (q !== undefined) hasSuccessor.add(q);
  }
  const seqs = new Set(parsed.map((x) => x.entry?.seq).filter((s): s is number => typeof s === 'number'));

  const flagged = new Map<number, Discrepancy>();
  const flag = (p: number, d: Discrepancy) => {
    flagged.set(p, d);
  };
  /** Position of the entry the walk took as each position's predecessor. */
  const chainPredecessor = new Map<number, number>();
  let last = -1;
  let shift = 0;

  for (let p = 0; p < n; p++) {
    const { entry, problem } = parsed[p]!;
    const servedHash = served[p]!.leafHash?.replace(/^0x/, '').toLowerCase();
    if (problem) discrepancies.push(entryDiscrepancy(p, 'not-canonical', problem));
    if (servedHash !== undefined && servedHash !== hashes[p]) discrepancies.push(entryDiscrepancy(p, 'leaf-hash', `served leaf hash ${short(servedHash)}… differs from the recomputed ${short(hashes[p]!)}…`));
    if (!entry) {
      flag(p, discrepancies.at(-1)!);
      chainPredecessor.set(p, last);
      last = p;
      continue;
    }
    let expected = p + shift;
    const pred = predecessorOf(p);

    // A forged entry that kept its predecessor's link: this entry links to the same predecessor, and nothing to it.
    if (last >= 0 && !flagged.has(last) && !hasSuccessor.has(last) && pred !== undefined && pred === chainPredecessor.get(last)) {
      const d = entryDiscrepancy(last, 'inserted', `entry ${p} links past it to ${pred < 0 ? 'the start of the log' : `entry ${pred}`}, and no entry links to it`);
      discrepancies.push(d);
      flag(last, d);
      shift -= 1;
      expected -= 1;
      last = pred;
    }
    // A forged entry with a made-up link: the next entry links past it to this one's predecessor.
    if (pred === undefined && p + 1 < n && !hasSuccessor.has(p) && predecessorOf(p + 1) === last) {
      const d = entryDiscrepancy(p, 'inserted', `its prev ${short(String(entry.prev))}… is no leaf hash of the log, and entry ${p + 1} links past it to ${last < 0 ? 'the start of the log' : `entry ${last}`}`);
      discrepancies.push(d);
      flag(p, d);
      shift -= 1;
      continue;
    }

    if (entry.seq === expected) {
      if (pred !== last && !flagged.has(last) && !flagged.has(p)) {
        if (pred === undefined && last >= 0) {
          discrepancies.push(entryDiscrepancy(last, 'modified', `its leaf hash ${short(hashes[last]!)}… is not the prev ${short(String(entry.prev))}… that entry ${p} names`));
        } else {
          const named = pred === undefined ? 'no leaf hash of the log' : pred < 0 ? 'the start of the log' : `entry ${pred}`;
          const want = last < 0 ? 'the start of the log (64 zeros)' : `entry ${last}`;
          discrepancies.push(entryDiscrepancy(p, 'modified', `its prev names ${named}, expected ${want}`));
        }
      }
    } else if (typeof entry.seq === 'number' && entry.seq > expected && !anyIn(seqs, expected, entry.seq)) {
      const gap = entry.seq - expected;
      const d = entryDiscrepancy(expected, 'missing', `${gap === 1 ? `no entry with seq ${expected}` : `no entries with seq ${expected} to ${entry.seq - 1}`} in the log: the entry at position ${p} says seq ${entry.seq}`);
      discrepancies.push(d);
      flag(p, d);
      shift += gap;
    } else {
      const follows = pred === undefined ? 'a prev that is no leaf hash of the log' : pred < 0 ? 'the start of the log' : `entry ${pred}`;
      const d = entryDiscrepancy(p, 'out-of-order', `position ${p} holds the entry with seq ${String(entry.seq)} (expected seq ${expected}), which follows ${follows}`);
      discrepancies.push(d);
      flag(p, d);
    }
    chainPredecessor.set(p, last);
    last = p;
  }
  return { entries: parsed.map((x, position) => ({ position, entry: x.entry })), tree, discrepancies };
}

/** True when any of from .. to-1 is in `set`. */
function anyIn(set: ReadonlySet<number>, from: number, to: number): boolean {
  if (to - from > set.size) {
    for (const s of set) if (s >= from && s < to) return true;
    return false;
  }
  for (let s = from; s < to; s++) if (set.has(s)) return true;
  return false;
}
