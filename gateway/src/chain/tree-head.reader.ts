import { type JsonRpcProvider, toBeHex, zeroPadValue } from 'ethers';
import type { AnchoredTreeHead, AuditAnchorContract } from './audit-anchor.contract.js';

/** Upper bound on heads per call: each wanted index is one topic in the eth_getLogs OR-filter. */
const MAX_TREE_HEADS_PER_READ = 1_000;

/** Options of {@link readAnchoredTreeHeads}. */
export interface TreeHeadReadOptions {
  /** How many of the most recent heads to return (clamped to 0..{@link MAX_TREE_HEADS_PER_READ}). */
  readonly limit: number;
  /** First block that can hold logs: the contract's deployment block. */
  readonly fromBlock: number;
  /** Widest block range per eth_getLogs call; hosted RPCs (and L2 nodes) cap it. Default: unbounded. */
  readonly maxBlockRange?: number;
}

/**
 * The `limit` most recent anchored heads, newest first. The head count is read at a pinned block and logs are
 * fetched up to that block (eth_getLogs, filtered by the indexed `index` topic, scanning backwards in ranges),
 * so the result is one consistent snapshot even while new heads are anchored.
 * @throws Error when the node returns fewer logs than the contract says exist (a pruned or inconsistent node).
 */
export async function readAnchoredTreeHeads(contract: AuditAnchorContract, provider: JsonRpcProvider, options: TreeHeadReadOptions): Promise<AnchoredTreeHead[]> {
  const limit = Math.max(0, Math.min(MAX_TREE_HEADS_PER_READ, Math.trunc(options.limit)));
  const pinned = await provider.getBlockNumber();
  const count = Number(await contract.headCount({ blockTag: pinned }));
  if (count === 0 || limit === 0) return [];
  const wanted = Array.from({ length: Math.min(limit, count) }, (_, i) => count - 1 - i);
  const event = contract.interface.getEvent('TreeHeadAnchored');
  if (!event) throw new Error('expected the AuditAnchor ABI to declare TreeHeadAnchored, found none');
  const filter = { address: await contract.getAddress(), topics: [event.topicHash, wanted.map((i) => zeroPadValue(toBeHex(i), 32))] };
  const range = options.maxBlockRange ?? Number.POSITIVE_INFINITY;
  const found = new Map<number, AnchoredTreeHead>();
  for (let to = pinned; to >= options.fromBlock && found.size < wanted.length; ) {
    const from = Math.max(options.fromBlock, to - range + 1);
    for (const log of await provider.getLogs({ ...filter, fromBlock: from, toBlock: to })) {
      if (log.removed) continue;
      const args = contract.interface.parseLog(log)?.args;
      if (!args) continue;
      const index = Number(args.getValue('index'));
      found.set(index, {
        index,
        treeSize: args.getValue('treeSize') as bigint,
        rootHash: args.getValue('rootHash') as string,
        timestamp: Number(args.getValue('timestamp')),
        txHash: log.transactionHash,
        blockNumber: log.blockNumber,
        blockHash: log.blockHash,
      });
    }
    to = from - 1;
  }
  if (found.size < wanted.length) {
    throw new Error(`expected ${wanted.length} TreeHeadAnchored logs (indices ${wanted.at(-1)}..${wanted[0]}), the node returned ${found.size}`);
  }
  return wanted.map((i) => found.get(i)!);
}
