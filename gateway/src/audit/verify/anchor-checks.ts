import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { consistencyProof, type MerkleLevels, rootOf, verifyConsistency } from '../merkle.js';
import { anchorDiscrepancy, CHAIN_KINDS, type Discrepancy, short } from './discrepancy.js';

/** One tree head as the chain holds it: its TreeHeadAnchored event, and `rootAt(size)` from storage. */
export interface AnchorFact {
  readonly index: number;
  readonly treeSize: number;
  /** 0x-hex root from the event. */
  readonly rootHash: string;
  /** 0x-hex root `rootAt(treeSize)` answers now. */
  readonly storedRoot: string;
  readonly transactionHash: string;
  readonly blockNumber: number;
}

/** AuditAnchor as read: `headCount()` and the events found (any order, possibly with gaps). */
export interface AnchorFacts {
  readonly headCount: number;
  readonly anchors: readonly AnchorFact[];
}

/** What the anchor check found. */
export interface AnchorCheckResult {
  readonly discrepancies: readonly Discrepancy[];
  /** Anchors found on-chain. */
  readonly anchors: number;
  /** The largest anchored size (0 when nothing is anchored). */
  readonly latestSize: number;
  /** Entries after the latest anchored size: a note, not a failure. */
  readonly unanchored: number;
}

const strip = (hex: string) => hex.replace(/^0x/, '').toLowerCase();

/**
 * Check 2: every anchored head is on-chain gap-free (`anchor-missing`), its event root is what storage holds
 * (`anchor-rewritten`), it does not reach past the log (`log-truncated`), the log's first `size` recomputed leaves
 * have that root (`root-mismatch`, localized to the entry the chain check flagged), and each head is an RFC 9162
 * §2.1.4 extension of the one before (`inconsistent`, proof built from the log and verified against the two
 * on-chain roots).
 * @param entryFindings The chain check's discrepancies (to say which entry a mismatching root comes from).
 */
export function checkAnchors(tree: MerkleLevels, facts: AnchorFacts, entryFindings: readonly Discrepancy[]): AnchorCheckResult {
  const discrepancies: Discrepancy[] = [];
  const byIndex = new Map(facts.anchors.map((a) => [a.index, a]));
  const flaggedEntries = [...new Set(entryFindings.filter((d) => d.subject === 'entry' && CHAIN_KINDS.has(d.kind)).map((d) => (d.subject === 'entry' ? d.leafIndex : -1)))].sort((a, b) => a - b);
  const n = tree.size;

  let previous: AnchorFact | undefined;
  for (let index = 0; index < facts.headCount; index++) {
    const anchor = byIndex.get(index);
    if (!anchor) {
      discrepancies.push(anchorDiscrepancy(index, undefined, 'anchor-missing', `AuditAnchor counts ${facts.headCount} heads, but the chain has no TreeHeadAnchored event with index ${index}`));
      continue;
    }
    const size = anchor.treeSize;
    if (strip(anchor.storedRoot) !== strip(anchor.rootHash)) {
      discrepancies.push(anchorDiscrepancy(index, size, 'anchor-rewritten', `rootAt(${size}) holds ${short(anchor.storedRoot)}…, but the TreeHeadAnchored event (tx ${anchor.transactionHash}) anchored ${short(anchor.rootHash)}…`));
    }
    if (size > n) {
      discrepancies.push(anchorDiscrepancy(index, size, 'log-truncated', `anchored over ${size} entries, the log has ${n}`));
    } else {
      const root = bytesToHex(rootOf(tree, size));
      const match = root === strip(anchor.rootHash);
      if (!match) {
        const from = previous && previous.treeSize <= size ? previous.treeSize : 0;
        const culprit = flaggedEntries.find((p) => p >= from && p < size) ?? flaggedEntries.find((p) => p < size);
        const where = culprit !== undefined ? `entry ${culprit} (flagged above)` : `entries ${from} to ${size - 1}`;
        discrepancies.push(anchorDiscrepancy(index, size, 'root-mismatch', `the first ${size} entries hash to ${short(root)}…, the anchored root is ${short(anchor.rootHash)}…; the difference is in ${where}`));
      }
      if (previous && previous.treeSize <= n && previous.treeSize >= 1 && previous.treeSize <= size) {
        const proof = consistencyProof(tree, previous.treeSize, size);
        const consistent = verifyConsistency(previous.treeSize, size, hexToBytes(strip(previous.rootHash)), hexToBytes(strip(anchor.rootHash)), proof);
        // When this head does not match the log either, the log cannot vouch for or against the pair (the
        // root-mismatch above already names the entry); when it does, a failed proof means the earlier head is
        // not a prefix of it: the anchored history forked.
        if (!consistent && match) {
          discrepancies.push(anchorDiscrepancy(index, size, 'inconsistent', `anchor ${previous.index} (size ${previous.treeSize}, root ${short(previous.rootHash)}…) is not a prefix of this head: the RFC 9162 consistency proof from the log does not verify against the two on-chain roots`));
        }
      }
    }
    previous = anchor;
  }
  const latestSize = facts.anchors.reduce((max, a) => Math.max(max, a.treeSize), 0);
  return { discrepancies, anchors: facts.anchors.length, latestSize, unanchored: Math.max(0, n - latestSize) };
}
