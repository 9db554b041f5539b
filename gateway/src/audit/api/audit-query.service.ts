import { type Kysely, sql } from 'kysely';
import { badRequest, notFound } from '../../common/index.js';
import type { DatabaseSchema } from '../../store/index.js';
import type { AnchorRecord, AuditReceipt, AuditStatistics, ConsistencyProofView, EntriesPage, EntryItem, InclusionProofView, TreeHeadView } from '../audit-api.types.js';
import type { AuditEntry } from '../audit-entry.js';
import { anchorRecordOf, type AuditLog } from '../audit-log.js';
import { consistencyProof, inclusionProof, type MerkleLevels, rootOf } from '../merkle.js';
import type { EntryFilter, EntryPage } from './audit-params.js';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

/**
 * The regulator's read side of the audit log (issue 6 §4): entries as stored, proofs from the log's Merkle tree,
 * anchors as the gateway recorded them, statistics. Serves only `audit_entry` and `audit_anchor`: never the
 * actors' display names of `audit_actor`, never anything of the clinical store.
 */
export class AuditQueryService {
  constructor(
    private readonly db: Kysely<DatabaseSchema>,
    private readonly log: AuditLog,
  ) {}

  /** The log's tree, caught up with the database. */
  tree(): Promise<MerkleLevels> {
    return this.log.merkleTree();
  }

  /** One page of entries matching `filter`, in leaf order, all below the tree size read first. */
  async entries(filter: EntryFilter, page: EntryPage): Promise<EntriesPage> {
    const treeSize = (await this.tree()).size;
    let query = this.filtered(filter).where('leaf_index', '<', treeSize);
    if (page.after !== undefined) query = query.where('leaf_index', page.order === 'asc' ? '>' : '<', page.after);
    const rows = await query
      .select(['leaf_index', 'leaf_hash', 'entry'])
      .orderBy('leaf_index', page.order)
      .limit(page.limit + 1)
      .execute();
    const items = rows.slice(0, page.limit).map(itemOf);
    const next = rows.length > page.limit ? String(items.at(-1)!.leafIndex) : undefined;
    return { treeSize, entries: items, ...(next !== undefined ? { next } : {}) };
  }

  /** One entry with its receipt (the anchor covering it and the inclusion proof up to that anchor, once anchored). */
  async entry(leafIndex: number): Promise<EntryItem & { receipt: AuditReceipt }> {
    const item = await this.item(leafIndex);
    if (!item) throw notFound(`audit entry ${leafIndex} does not exist (the log has ${(await this.tree()).size} entries)`);
    const receipt = await this.log.receiptOf(leafIndex);
    return { ...item, receipt: receipt! };
  }

  /** One entry as stored, or undefined when the log has no leaf `leafIndex`. */
  async item(leafIndex: number): Promise<EntryItem | undefined> {
    const row = await this.db.selectFrom('audit_entry').select(['leaf_index', 'leaf_hash', 'entry']).where('leaf_index', '=', leafIndex).executeTakeFirst();
    return row ? itemOf(row) : undefined;
  }

  /**
   * The inclusion proof of leaf `leafIndex` in the tree of `treeSize` leaves; by default the first anchored head
   * covering the leaf, else the whole log.
   */
  async inclusion(leafIndex: number, treeSize: number | undefined): Promise<InclusionProofView> {
    const tree = await this.tree();
    if (leafIndex >= tree.size) throw badRequest(tree.size === 0 ? `leafIndex: the log has no entries yet, got ${leafIndex}` : `leafIndex: expected 0 to ${tree.size - 1} (the log has ${tree.size} entries), got ${leafIndex}`, 'leafIndex');
    let size = treeSize;
    if (size === undefined) {
      const covering = await this.log.anchorCovering(leafIndex);
      size = covering && covering.treeSize <= tree.size ? covering.treeSize : tree.size;
    } else if (size <= leafIndex || size > tree.size) {
      throw badRequest(`treeSize: expected ${leafIndex + 1} to ${tree.size} (above leafIndex, at most the log's size), got ${size}`, 'treeSize');
    }
    const anchor = await this.anchorOfSize(size);
    return {
      leafIndex,
      treeSize: size,
      leafHash: hex(tree.leaf(leafIndex)),
      rootHash: hex(rootOf(tree, size)),
      proof: inclusionProof(tree, leafIndex, size).map(hex),
      ...(anchor ? { anchor } : {}),
    };
  }

  /** The consistency proof from the tree of `first` leaves to that of `second` (default: the whole log). */
  async consistency(first: number, second: number | undefined): Promise<ConsistencyProofView> {
    const tree = await this.tree();
    const to = second ?? tree.size;
    if (to > tree.size) throw badRequest(`second: expected at most ${tree.size} (the log's size), got ${to}`, 'second');
    if (first > to) throw badRequest(`first: expected at most second (${to}), got ${first}`, 'first');
    return { first, second: to, firstRoot: hex(rootOf(tree, first)), secondRoot: hex(rootOf(tree, to)), proof: consistencyProof(tree, first, to).map(hex) };
  }

  /** The log's current head and the latest head the gateway anchored. */
  async treeHead(): Promise<TreeHeadView> {
    const tree = await this.tree();
    const latest = await this.db.selectFrom('audit_anchor').selectAll().orderBy('tree_size', 'desc').limit(1).executeTakeFirst();
    return { treeSize: tree.size, rootHash: hex(rootOf(tree)), ...(latest ? { anchored: anchorRecordOf(latest) } : {}) };
  }

  /** Counts over the entries of a time window: SQL group-bys; entries are parsed only for their model version. */
  async statistics(window: Pick<EntryFilter, 'from' | 'to'>): Promise<AuditStatistics> {
    const base = () => this.filtered(window);
    const count = sql<number | string>`count(*)`.as('n');
    const [byPurpose, byAction, byOutcome, breakGlass, models] = await Promise.all([
      base().select(['purpose', count]).where('purpose', 'is not', null).groupBy('purpose').execute(),
      base().select(['action', count]).groupBy('action').execute(),
      base().select(['outcome', count]).groupBy('outcome').execute(),
      base().select(count).where('action', '=', 'emergency').where('outcome', '=', 'allowed').executeTakeFirstOrThrow(),
      base().select('entry').where('model_id', 'is not', null).execute(),
    ]);
    const tally = (rows: readonly { n: number | string }[], key: (row: never) => string): Record<string, number> =>
      Object.fromEntries(rows.map((row) => [key(row as never), Number(row.n)]).sort(([a], [b]) => String(a).localeCompare(String(b))));
    const byModel: Record<string, number> = {};
    for (const { entry } of models) {
      const model = (JSON.parse(entry) as AuditEntry).model!;
      const key = `${model.id}@${model.version}`;
      byModel[key] = (byModel[key] ?? 0) + 1;
    }
    const actions = tally(byAction, (row: { action: string }) => row.action);
    const outcomes = tally(byOutcome, (row: { outcome: string }) => row.outcome);
    return {
      total: Object.values(actions).reduce((a, b) => a + b, 0),
      byPurpose: tally(byPurpose, (row: { purpose: string }) => row.purpose),
      byModel: Object.fromEntries(Object.entries(byModel).sort(([a], [b]) => a.localeCompare(b))),
      byAction: actions,
      denials: outcomes['denied'] ?? 0,
      breakGlass: Number(breakGlass.n),
      overrides: actions['diagnosis-override'] ?? 0,
    };
  }

  private filtered(filter: EntryFilter) {
    let query = this.db.selectFrom('audit_entry');
    if (filter.from !== undefined) query = query.where('at', '>=', filter.from);
    if (filter.to !== undefined) query = query.where('at', '<', filter.to);
    if (filter.purpose !== undefined) query = query.where('purpose', '=', filter.purpose);
    if (filter.actor !== undefined) query = query.where('actor', '=', filter.actor);
    if (filter.patient !== undefined) query = query.where('patient', '=', filter.patient);
    if (filter.outcome !== undefined) query = query.where('outcome', '=', filter.outcome);
    if (filter.action !== undefined) query = query.where('action', '=', filter.action);
    if (filter.model !== undefined) {
      query = query.where('model_id', '=', filter.model.id);
      // RFC 8785 orders the model's keys id, sha256, version; the version pattern excludes LIKE's wildcards.
      if (filter.model.version !== undefined) query = query.where('entry', 'like', `%"model":{"id":"${filter.model.id}","sha256":"%","version":"${filter.model.version}"}%`);
    }
    return query;
  }

  private async anchorOfSize(size: number): Promise<AnchorRecord | undefined> {
    const row = await this.db.selectFrom('audit_anchor').selectAll().where('tree_size', '=', size).executeTakeFirst();
    return row ? anchorRecordOf(row) : undefined;
  }
}

function itemOf(row: { leaf_index: number; leaf_hash: Uint8Array; entry: string }): EntryItem {
  return { leafIndex: Number(row.leaf_index), leafHash: hex(row.leaf_hash), canonical: row.entry, entry: JSON.parse(row.entry) as AuditEntry };
}
