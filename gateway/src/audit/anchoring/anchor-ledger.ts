import { Logger } from '@nestjs/common';
import { bytesToHex } from '@noble/hashes/utils.js';
import type { TransactionReceipt } from 'ethers';
import type { Kysely } from 'kysely';
import type { ChainService } from '../../chain/index.js';
import type { DatabaseSchema } from '../../store/index.js';
import { type AnchorRecord, anchorRecordOf } from '../audit-log.js';
import { type MerkleLevels, rootOf } from '../merkle.js';

/** The chain's anchoring state, read at one pinned block. */
export interface ChainHeads {
  readonly block: number;
  /** `headCount()`: heads have indices 0 .. count - 1. */
  readonly count: number;
  /** `latestHead().treeSize` (0 before the first anchor). */
  readonly size: number;
}

type AnchorRow = DatabaseSchema['audit_anchor'];

/** Widest eth_getLogs range on external RPCs, which commonly cap it around 10k blocks. */
const EXTERNAL_LOG_RANGE = 10_000;

/**
 * The gateway's record of its anchors (table `audit_anchor`) kept equal to the chain's `TreeHeadAnchored` events,
 * which are the authority: heads anchored by another instance, or whose receipt this one lost in a crash, are
 * copied from the chain's logs; every copied root is checked against the root the log recomputes for that size;
 * a recorded row is never overwritten.
 */
export class AnchorLedger {
  private readonly logger = new Logger('audit-anchor');
  private warnedAhead = false;

  constructor(private readonly chain: ChainService) {}

  /** Head count and latest size at the chain's current block. */
  async chainHeads(): Promise<ChainHeads> {
    const block = await this.chain.provider.getBlockNumber();
    const [count, head] = await Promise.all([this.chain.auditAnchor.headCount({ blockTag: block }), this.chain.auditAnchor.latestHead({ blockTag: block })]);
    return { block, count: Number(count), size: Number(head.treeSize) };
  }

  /** The largest anchored tree size recorded, 0 if none. */
  async recordedSize(db: Kysely<DatabaseSchema>): Promise<number> {
    const row = await db.selectFrom('audit_anchor').select('tree_size').orderBy('tree_size', 'desc').limit(1).executeTakeFirst();
    return row ? Number(row.tree_size) : 0;
  }

  /**
   * Copies the heads the chain holds (as of `heads.block`) and `audit_anchor` lacks, checking each root against
   * `tree`, which must have caught up with the log after `heads` was read (a head is anchored only once its
   * entries are committed, so the tree then covers every head).
   * @returns How many heads were copied.
   */
  async reconcile(db: Kysely<DatabaseSchema>, tree: MerkleLevels, heads: ChainHeads): Promise<number> {
    const last = await db.selectFrom('audit_anchor').select(['anchor_index', 'block_number']).orderBy('anchor_index', 'desc').limit(1).executeTakeFirst();
    const next = last ? Number(last.anchor_index) + 1 : 0;
    if (heads.count < next) {
      if (!this.warnedAhead) this.logger.error({ recorded: next, onChain: heads.count }, 'INTEGRITY ALERT: the gateway recorded more anchors than the chain holds (a reset or reorganised chain?)');
      this.warnedAhead = true;
      return 0;
    }
    if (heads.count === next) return 0;
    const fromBlock = last ? Number(last.block_number) : (this.chain.deployment.contracts['AuditAnchor']?.blockNumber ?? 0);
    const rows = await this.readHeads(next, fromBlock, heads.block);
    for (const row of rows) {
      this.check(tree, row);
      await db.insertInto('audit_anchor').values(row).onConflict((c) => c.doNothing()).execute();
    }
    if (rows.length > 0) this.logger.log({ copied: rows.length, from: next }, 'recorded tree heads anchored on-chain by another instance or in an earlier run');
    if (next + rows.length < heads.count) throw new Error(`expected TreeHeadAnchored logs for indices ${next}..${heads.count - 1}, the node returned ${rows.length}`);
    return rows.length;
  }

  /**
   * Records the head a successful `anchor` transaction emitted.
   * @throws Error when the receipt carries no TreeHeadAnchored event of the contract.
   */
  async record(db: Kysely<DatabaseSchema>, receipt: TransactionReceipt): Promise<AnchorRecord> {
    const address = this.chain.deployment.contracts['AuditAnchor']!.address.toLowerCase();
    for (const log of receipt.logs) {
      if (log.address.toLowerCase() !== address) continue;
      const parsed = this.chain.auditAnchor.interface.parseLog(log);
      if (parsed?.name !== 'TreeHeadAnchored') continue;
      const row = rowOf(parsed.args, log.transactionHash, log.blockNumber);
      await db.insertInto('audit_anchor').values(row).onConflict((c) => c.doNothing()).execute();
      return anchorRecordOf(row);
    }
    throw new Error(`expected a TreeHeadAnchored event in the receipt of ${receipt.hash}, found none`);
  }

  /** Logs an integrity alert when the chain's root for a size is not the log's root for it. */
  private check(tree: MerkleLevels, row: AnchorRow): void {
    const where = { anchorIndex: Number(row.anchor_index), treeSize: Number(row.tree_size) };
    if (row.tree_size > tree.size) {
      this.logger.error({ ...where, logSize: tree.size }, `INTEGRITY ALERT: the chain holds a head of tree size ${row.tree_size}, the audit log has only ${tree.size} entries`);
    } else if (`0x${bytesToHex(rootOf(tree, row.tree_size))}` !== row.root_hash.toLowerCase()) {
      this.logger.error(where, `INTEGRITY ALERT: the chain's root for tree size ${row.tree_size} differs from the root the audit log recomputes for it`);
    }
  }

  /** TreeHeadAnchored logs with index >= `fromIndex`, in index order, stopping at the first missing index. */
  private async readHeads(fromIndex: number, fromBlock: number, toBlock: number): Promise<AnchorRow[]> {
    const contract = this.chain.auditAnchor;
    const topic = contract.interface.getEvent('TreeHeadAnchored')!.topicHash;
    const address = await contract.getAddress();
    const range = this.chain.mode === 'external' ? EXTERNAL_LOG_RANGE : Number.POSITIVE_INFINITY;
    const found = new Map<number, AnchorRow>();
    for (let from = fromBlock; from <= toBlock; ) {
      const to = Math.min(toBlock, from + range - 1);
      for (const log of await this.chain.provider.getLogs({ address, topics: [topic], fromBlock: from, toBlock: to })) {
        if (log.removed) continue;
        const args = contract.interface.parseLog(log)?.args;
        if (!args) continue;
        const row = rowOf(args, log.transactionHash, log.blockNumber);
        if (row.anchor_index >= fromIndex) found.set(row.anchor_index, row);
      }
      from = to + 1;
    }
    const rows: AnchorRow[] = [];
    for (let i = fromIndex; found.has(i); i += 1) rows.push(found.get(i)!);
    return rows;
  }
}

function rowOf(args: { getValue(name: string): unknown }, txHash: string, blockNumber: number): AnchorRow {
  return {
    anchor_index: Number(args.getValue('index') as bigint),
    tree_size: Number(args.getValue('treeSize') as bigint),
    root_hash: (args.getValue('rootHash') as string).toLowerCase(),
    tx_hash: txHash,
    block_number: blockNumber,
    // The event's block timestamp, in seconds (AuditAnchor.sol): stored in unix ms like every other time.
    anchored_at: Number(args.getValue('timestamp') as bigint) * 1000,
  };
}
