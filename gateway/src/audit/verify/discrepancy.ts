/** What can be wrong with one entry of the log. */
export type EntryDiscrepancyKind =
  | 'not-canonical'
  | 'missing'
  | 'out-of-order'
  | 'inserted'
  | 'modified'
  | 'leaf-hash'
  | 'unknown-consent'
  | 'wrong-grantee'
  | 'wrong-purpose'
  | 'consent-inactive'
  | 'unknown-emergency'
  | 'emergency-mismatch'
  | 'unknown-model'
  | 'model-hash-mismatch';

/** What can be wrong with one anchored tree head. */
export type AnchorDiscrepancyKind = 'anchor-missing' | 'anchor-rewritten' | 'root-mismatch' | 'log-truncated' | 'inconsistent';

/** One problem the verifier found, at an exact position: an entry's leaf index or an anchor's index. */
export type Discrepancy =
  | { readonly subject: 'entry'; readonly leafIndex: number; readonly kind: EntryDiscrepancyKind; readonly detail: string }
  | { readonly subject: 'anchor'; readonly index: number; readonly treeSize?: number; readonly kind: AnchorDiscrepancyKind; readonly detail: string };

/** Kinds found by the entries' own chain (seq and prev): a root mismatch is localized to these. */
export const CHAIN_KINDS: ReadonlySet<EntryDiscrepancyKind> = new Set(['not-canonical', 'missing', 'out-of-order', 'inserted', 'modified', 'leaf-hash']);

export function entryDiscrepancy(leafIndex: number, kind: EntryDiscrepancyKind, detail: string): Discrepancy {
  return { subject: 'entry', leafIndex, kind, detail };
}

export function anchorDiscrepancy(index: number, treeSize: number | undefined, kind: AnchorDiscrepancyKind, detail: string): Discrepancy {
  return { subject: 'anchor', index, ...(treeSize !== undefined ? { treeSize } : {}), kind, detail };
}

/** `entry <leafIndex>: <kind>: <detail>` or `anchor <index> (size <n>): <kind>: <detail>`. */
export function formatDiscrepancy(d: Discrepancy): string {
  if (d.subject === 'entry') return `entry ${d.leafIndex}: ${d.kind}: ${d.detail}`;
  return `anchor ${d.index} (size ${d.treeSize ?? 'unknown'}): ${d.kind}: ${d.detail}`;
}

/** Entries by leaf index, then anchors by index; discrepancies at one position keep the order they were found in. */
export function sortDiscrepancies(list: readonly Discrepancy[]): Discrepancy[] {
  const key = (d: Discrepancy) => (d.subject === 'entry' ? [0, d.leafIndex] : [1, d.index]);
  return list
    .map((d, order) => ({ d, order }))
    .sort((a, b) => {
      const [sa, pa] = key(a.d);
      const [sb, pb] = key(b.d);
      return sa! - sb! || pa! - pb! || a.order - b.order;
    })
    .map((x) => x.d);
}

/** The first 12 hex digits of a hash, for messages. */
export function short(hash: string): string {
  return hash.replace(/^0x/, '').slice(0, 12);
}
