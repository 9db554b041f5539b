import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { canonicalJson } from '../../../crypto/index.js';
import { type AuditEntry, entryLeafHash, GENESIS_PREV } from '../../audit-entry.js';
import { rootOf } from '../../merkle.js';
import type { AnchorFact } from '../anchor-checks.js';
import type { ServedEntry } from '../entry-chain.js';

export const ALICE = `0x${'a1'.repeat(32)}`;
export const DR_CHEN = `0x${'c4'.repeat(32)}`;
export const CONSENT = `0x${'c0'.repeat(32)}`;
export const T0 = Date.parse('2025-06-01T10:00:00.000Z');

/** A well-formed log of `n` reads by dr. Chen under CONSENT, one second apart, with `overrides` per position. */
export function handBuiltLog(n: number, overrides: Record<number, Partial<AuditEntry>> = {}): ServedEntry[] {
  const out: ServedEntry[] = [];
  let prev = GENESIS_PREV;
  for (let seq = 0; seq < n; seq++) {
    const entry: AuditEntry = { v: 1, seq, prev, at: new Date(T0 + seq * 1000).toISOString(), actor: DR_CHEN, role: 'clinician', action: 'read', outcome: 'allowed', patient: ALICE, resourceType: 'Observation', consent: CONSENT, purpose: 'TREATMENT', ...overrides[seq] };
    const canonical = canonicalJson(entry);
    prev = entryLeafHash(canonical);
    out.push({ leafIndex: seq, canonical, leafHash: prev });
  }
  return out;
}

/** The same entry text with one field changed (still canonical JSON; seq and prev untouched). */
export function rewrite(served: ServedEntry, change: Partial<AuditEntry>): ServedEntry {
  return { ...served, canonical: canonicalJson({ ...(JSON.parse(served.canonical) as AuditEntry), ...change }) };
}

/** An honest anchor over the first `size` entries of `log`. */
export function anchorOver(log: readonly ServedEntry[], index: number, size: number): AnchorFact {
  const root = `0x${bytesToHex(rootOf(log.slice(0, size).map((e) => hexToBytes(entryLeafHash(e.canonical)))))}`;
  return { index, treeSize: size, rootHash: root, storedRoot: root, transactionHash: `0x${String(index).padStart(64, '0')}`, blockNumber: 10 + index };
}
