import { decodeBytes32String, type Log } from 'ethers';
import type { Insertable } from 'kysely';
import { CONSENT_REGISTRY_EVENTS, type ChainLogSource } from '../../chain/index.js';
import type { DatabaseSchema } from '../../store/index.js';

/** How many of the most recent processed blocks keep their hash (`chain_block`) for finding a fork point. */
export const KEPT_BLOCK_HASHES = 256;

/** Headers fetched at once: enough to batch, few enough not to trip an RPC provider's rate limit. */
const HEADER_BATCH = 32;

/** A block as the indexer identifies it. */
export interface BlockRef {
  readonly number: number;
  /** Lowercase 0x-hex. */
  readonly hash: string;
}

/** What the indexer keeps of a block header. */
interface Header extends BlockRef {
  /** Unix seconds. */
  readonly timestamp: number;
}

/** Rows of the consent view read from one range of blocks, ready to write. */
export interface ConsentLogBatch {
  readonly grants: Insertable<DatabaseSchema['consent_grant']>[];
  readonly revocations: Insertable<DatabaseSchema['consent_revocation']>[];
  readonly emergencies: Insertable<DatabaseSchema['emergency_access']>[];
  /** Hashes of the last {@link KEPT_BLOCK_HASHES} blocks of the range (always including its last block). */
  readonly blocks: BlockRef[];
}

/**
 * The chain moved while one poll was reading it (a block it read changed hash or vanished); the poll is repeated.
 * Nothing read in that poll is written.
 */
export class ChainMovedError extends Error {
  constructor(detail: string) {
    super(`expected the chain to hold still during one poll, ${detail}`);
    this.name = 'ChainMovedError';
  }
}

/**
 * Reads ConsentRegistry's events and the block hashes that vouch for them (design §2.2: eth_getLogs from the last
 * processed block, block-hash checks). Stateless: the cursor lives in the database.
 */
export class ConsentLogReader {
  private readonly topics: string[];
  private readonly maxBlockRange: number;

  /** @param maxBlockRange Widest eth_getLogs range, at least 1 (Infinity: one call up to the head). */
  constructor(
    private readonly source: ChainLogSource,
    maxBlockRange: number,
  ) {
    if (!(maxBlockRange >= 1)) throw new Error(`expected a block range of at least 1 block, got ${maxBlockRange}`);
    this.maxBlockRange = Math.floor(maxBlockRange);
    this.topics = CONSENT_REGISTRY_EVENTS.map((name) => {
      const event = source.interface.getEvent(name);
      if (!event) throw new Error(`expected the ConsentRegistry ABI to declare ${name}, found none`);
      return event.topicHash;
    });
  }

  /** The chain's latest block. */
  async head(): Promise<BlockRef> {
    const block = await this.source.provider.getBlock('latest');
    if (!block?.hash) throw new Error('expected the latest block from the RPC endpoint, got none');
    return { number: block.number, hash: block.hash.toLowerCase() };
  }

  /** The hash of block `number` on the chain now; undefined when the chain has no such block (it got shorter). */
  async hashAt(number: number): Promise<string | undefined> {
    return (await this.source.provider.getBlock(number))?.hash?.toLowerCase() ?? undefined;
  }

  /**
   * The newest of `stored` (newest first) whose hash the chain still has: where the chain forked from the view.
   * @returns undefined when none matches.
   */
  async newestMatching(stored: readonly BlockRef[]): Promise<BlockRef | undefined> {
    for (let i = 0; i < stored.length; i += HEADER_BATCH) {
      const batch = stored.slice(i, i + HEADER_BATCH);
      const hashes = await Promise.all(batch.map((b) => this.hashAt(b.number)));
      const match = batch.find((b, j) => hashes[j] === b.hash);
      if (match) return match;
    }
    return undefined;
  }

  /**
   * The view's rows for blocks `from` to `head.number`, read with eth_getLogs in ranges of at most
   * `maxBlockRange` blocks. Every log's block hash is checked against that block's header, and the head's header
   * is read again after the logs: a hash commits to all its ancestors, so an unchanged head means no block up to
   * it changed while the logs were read.
   * @throws ChainMovedError when a hash does not match (a reorganisation during the poll).
   */
  async read(from: number, head: BlockRef): Promise<ConsentLogBatch> {
    if (from > head.number) return { grants: [], revocations: [], emergencies: [], blocks: [head] };
    const logs: Log[] = [];
    for (let start = from; start <= head.number; start += this.maxBlockRange) {
      const end = Math.min(head.number, start + this.maxBlockRange - 1);
      logs.push(...(await this.source.provider.getLogs({ address: this.source.address, topics: [this.topics], fromBlock: start, toBlock: end })));
    }
    const windowStart = Math.max(from, head.number - KEPT_BLOCK_HASHES + 1);
    const wanted = new Set<number>(logs.map((l) => l.blockNumber));
    for (let n = windowStart; n <= head.number; n++) wanted.add(n);
    const headers = await this.headers([...wanted].sort((a, b) => a - b));
    if (headers.get(head.number)?.hash !== head.hash) throw new ChainMovedError(`block ${head.number} changed from ${head.hash} while its logs were read`);

    const batch: ConsentLogBatch = { grants: [], revocations: [], emergencies: [], blocks: [] };
    for (let n = windowStart; n <= head.number; n++) batch.blocks.push({ number: n, hash: headers.get(n)!.hash });
    for (const log of logs) {
      if (log.removed) continue;
      const header = headers.get(log.blockNumber)!;
      const blockHash = log.blockHash.toLowerCase();
      if (blockHash !== header.hash) throw new ChainMovedError(`a log of block ${log.blockNumber} came from ${blockHash}, the block is now ${header.hash}`);
      this.decode(log, header, batch);
    }
    return batch;
  }

  private decode(log: Log, header: Header, batch: ConsentLogBatch): void {
    const parsed = this.source.interface.parseLog(log);
    if (!parsed) return;
    const a = parsed.args;
    const where = { block_number: log.blockNumber, block_hash: log.blockHash.toLowerCase(), tx_hash: log.transactionHash.toLowerCase() };
    switch (parsed.name) {
      case 'ConsentGranted':
        batch.grants.push({
          consent_id: hex(a.getValue('consentId')),
          patient_address: hex(a.getValue('patient')),
          grantee: hex(a.getValue('grantee')),
          purpose: purposeCode(a.getValue('purpose') as string),
          scope_hash: hex(a.getValue('scopeHash')),
          not_before: seconds(a.getValue('notBefore')),
          not_after: seconds(a.getValue('notAfter')),
          ...where,
        });
        break;
      case 'ConsentRevoked':
        batch.revocations.push({ consent_id: hex(a.getValue('consentId')), ...where });
        break;
      case 'EmergencyAccessRecorded':
        batch.emergencies.push({
          access_id: hex(a.getValue('accessId')),
          consent_id: hex(a.getValue('consentId')),
          patient_address: hex(a.getValue('patient')),
          grantee: hex(a.getValue('grantee')),
          reason_hash: hex(a.getValue('reasonHash')),
          declared_at: header.timestamp,
          not_after: seconds(a.getValue('notAfter')),
          ...where,
        });
        break;
    }
  }

  /** Headers of `numbers`, fetched in batches. @throws ChainMovedError when one no longer exists. */
  private async headers(numbers: readonly number[]): Promise<Map<number, Header>> {
    const found = new Map<number, Header>();
    for (let i = 0; i < numbers.length; i += HEADER_BATCH) {
      const batch = numbers.slice(i, i + HEADER_BATCH);
      const blocks = await Promise.all(batch.map((n) => this.source.provider.getBlock(n)));
      blocks.forEach((block, j) => {
        if (!block?.hash) throw new ChainMovedError(`block ${batch[j]} vanished while the logs were read`);
        found.set(block.number, { number: block.number, hash: block.hash.toLowerCase(), timestamp: block.timestamp });
      });
    }
    return found;
  }
}

function hex(value: unknown): string {
  return String(value).toLowerCase();
}

/**
 * A uint64 of seconds as a JS number. Anything past 2^53 − 1 seconds (285 million years) is stored as that bound:
 * still "never" for every comparison, and a patient-signed extreme value cannot stop the indexer.
 */
function seconds(value: unknown): number {
  const big = BigInt(value as bigint);
  return big > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(big);
}

/**
 * The purpose code (consent README: `encodeBytes32String(code)`). A bytes32 that is no such string (anyone may
 * relay a grant the patient signed with other bytes) is kept as its 66-character 0x-hex, which no decoded code
 * (at most 31 characters) can equal: such a grant matches no purpose, and indexing goes on.
 */
function purposeCode(value: string): string {
  try {
    return decodeBytes32String(value);
  } catch {
    return value.toLowerCase();
  }
}
