import { canonicalJson } from '../../crypto/index.js';
import { entryLeafHash } from '../audit-entry.js';
import { formatDiscrepancy } from './discrepancy.js';
import { checkEntryChain, type ServedEntry } from './entry-chain.js';
import { handBuiltLog, rewrite } from './testing/hand-built-log.js';

const lines = (served: readonly ServedEntry[]) => checkEntryChain(served).discrepancies.map(formatDiscrepancy);
const hash = (e: ServedEntry) => entryLeafHash(e.canonical).slice(0, 12);

describe('checkEntryChain', () => {
  it('finds nothing wrong with a well-formed log, and builds the tree over every entry', () => {
    const log = handBuiltLog(9);
    const result = checkEntryChain(log);
    expect(result.discrepancies).toEqual([]);
    expect(result.tree.size).toBe(9);
    expect(result.entries.map((e) => e.entry?.seq)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('names a modified entry by the prev of the entry after it, and the stale served leaf hash', () => {
    const log = handBuiltLog(6);
    const changed = rewrite(log[2]!, { purpose: 'RESEARCH' });
    const tampered = [...log.slice(0, 2), changed, ...log.slice(3)];
    expect(lines(tampered)).toEqual([
      `entry 2: leaf-hash: served leaf hash ${log[2]!.leafHash!.slice(0, 12)}… differs from the recomputed ${hash(changed)}…`,
      `entry 2: modified: its leaf hash ${hash(changed)}… is not the prev ${log[2]!.leafHash!.slice(0, 12)}… that entry 3 names`,
    ]);
  });

  it('names a deleted entry as missing at the first gap, and nothing after it', () => {
    const log = handBuiltLog(7);
    expect(lines([...log.slice(0, 3), ...log.slice(4)])).toEqual(['entry 3: missing: no entry with seq 3 in the log: the entry at position 3 says seq 4']);
    expect(lines(log.slice(1))).toEqual(['entry 0: missing: no entry with seq 0 in the log: the entry at position 0 says seq 1']);
    expect(lines([...log.slice(0, 2), ...log.slice(5)])).toEqual(['entry 2: missing: no entries with seq 2 to 4 in the log: the entry at position 2 says seq 5']);
  });

  it('names both positions of two swapped entries as out of order', () => {
    const log = handBuiltLog(6);
    expect(lines([log[0]!, log[1]!, log[3]!, log[2]!, log[4]!, log[5]!])).toEqual([
      'entry 2: out-of-order: position 2 holds the entry with seq 3 (expected seq 2), which follows entry 3',
      'entry 3: out-of-order: position 3 holds the entry with seq 2 (expected seq 3), which follows entry 1',
    ]);
  });

  it('names a forged entry inserted with a correct link as inserted, and its successors as in place', () => {
    const log = handBuiltLog(6);
    const forged: ServedEntry = { leafIndex: 3, canonical: rewrite(log[3]!, { actor: `0x${'ee'.repeat(32)}` }).canonical };
    expect(lines([...log.slice(0, 3), forged, ...log.slice(3)])).toEqual(['entry 3: inserted: entry 4 links past it to entry 2, and no entry links to it']);
  });

  it('names a forged entry inserted with a made-up link as inserted', () => {
    const log = handBuiltLog(6);
    const forged: ServedEntry = { leafIndex: 3, canonical: rewrite(log[3]!, { prev: 'ab'.repeat(32) }).canonical };
    expect(lines([...log.slice(0, 3), forged, ...log.slice(3)])).toEqual(['entry 3: inserted: its prev abababababab… is no leaf hash of the log, and entry 4 links past it to entry 2']);
  });

  it('reports text that is not the canonical JSON of its value, and text that is not JSON', () => {
    const log = handBuiltLog(4);
    const spaced: ServedEntry = { leafIndex: 1, canonical: log[1]!.canonical.replace('{', '{ ') };
    expect(lines([log[0]!, spaced, log[2]!, log[3]!])).toEqual([
      'entry 1: not-canonical: the stored text is not the RFC 8785 canonical JSON of its value',
      `entry 1: modified: its leaf hash ${hash(spaced)}… is not the prev ${log[1]!.leafHash!.slice(0, 12)}… that entry 2 names`,
    ]);
    const garbage: ServedEntry = { leafIndex: 1, canonical: '{"v":1,' };
    expect(lines([log[0]!, garbage, log[2]!, log[3]!])).toEqual(['entry 1: not-canonical: the stored text is not JSON']);
    expect(canonicalJson(JSON.parse(log[0]!.canonical))).toBe(log[0]!.canonical);
  });
});
