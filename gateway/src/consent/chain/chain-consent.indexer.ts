import { setTimeout as sleep } from 'node:timers/promises';
import { Logger } from '@nestjs/common';
import type { Kysely } from 'kysely';
import type { ChainLogger, ChainLogSource } from '../../chain/index.js';
import type { DatabaseSchema } from '../../store/index.js';
import { ChainMovedError, ConsentLogReader } from './consent-log.reader.js';
import { type ConsentCursor, ConsentViewWriter, type EmergencyAccessRow } from './consent-view.writer.js';

/** Options of {@link ChainConsentIndexer}. */
export interface ChainConsentIndexerOptions {
  /** Pause between the end of one poll and the start of the next. */
  readonly pollIntervalMs: number;
  /** The view is stale (enforcement fails closed) when its last sync is older than this. */
  readonly maxStalenessMs: number;
  /** Widest eth_getLogs range; hosted RPCs cap it (commonly around 10k blocks). Default: unbounded. */
  readonly maxBlockRange?: number;
  readonly logger?: ChainLogger;
}

/** What one poll did. */
export interface ConsentSyncResult {
  /** First block scanned; `toBlock + 1` when there was nothing new. */
  readonly fromBlock: number;
  /** The chain's head, which the view now reaches. */
  readonly toBlock: number;
  readonly grants: number;
  readonly revocations: number;
  readonly emergencies: number;
  /** After a reorganisation: the first block whose rows were dropped and scanned again (the fork point + 1). */
  readonly reorgedFrom?: number;
}

/** How current the consent view is. */
export interface ConsentViewFreshness {
  /** Unix ms of the last sync that reached the chain's head; undefined before the first. */
  readonly syncedAt: number | undefined;
  /** Milliseconds since then (Infinity before the first sync). */
  readonly ageMs: number;
  /** No sync yet, or the last one is older than `maxStalenessMs`: enforcement must fail closed. */
  readonly stale: boolean;
  /** The last block the view includes. */
  readonly block: number | undefined;
}

/** Polls of one sync that may meet a moving chain or cursor before one is given up. */
const ATTEMPTS = 3;

/**
 * The consent view's indexer (design §2.2): mirrors ConsentRegistry's `ConsentGranted`, `ConsentRevoked` and
 * `EmergencyAccessRecorded` events into the database with eth_getLogs from the last processed block, checks block
 * hashes to follow reorganisations, and reports how fresh the view is so that enforcement fails closed when it
 * falls behind. Several gateways may share one view (PostgreSQL): their polls serialize on the cursor row, and each
 * tells its own listeners about what any of them indexed.
 */
export class ChainConsentIndexer {
  private readonly reader: ConsentLogReader;
  private readonly writer: ConsentViewWriter;
  private readonly logger: ChainLogger;
  private readonly revokedListeners = new Set<(consentIds: string[]) => void>();
  private readonly emergencyListeners = new Set<(accesses: EmergencyAccessRow[]) => void>();
  /** Settles when the last queued sync has; never rejects. Syncs of this instance run one at a time. */
  private tail: Promise<unknown> = Promise.resolve();
  private last: { syncedAt: number; block: number } | undefined;
  /** The block through which this instance's listeners have been told; undefined before the first sync. */
  private notifiedThrough: number | undefined;
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private failure: { message: string; count: number } | undefined;

  constructor(
    db: Kysely<DatabaseSchema>,
    private readonly source: ChainLogSource,
    private readonly options: ChainConsentIndexerOptions,
  ) {
    this.reader = new ConsentLogReader(source, options.maxBlockRange ?? Number.POSITIVE_INFINITY);
    this.writer = new ConsentViewWriter(db);
    this.logger = options.logger ?? new Logger('ConsentIndexer');
  }

  /** Starts polling: one poll at once, then one `pollIntervalMs` after each ends (never overlapping). */
  start(): void {
    if (this.running) return;
    this.running = true;
    // Restarted while a poll is still in flight: that poll schedules the next one when it ends.
    if (!this.inFlight) this.schedule(0);
  }

  /** Stops polling; resolves once the poll in flight, if any, has ended. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.inFlight;
  }

  /**
   * One poll: follows a reorganisation if the chain no longer has the cursor's block (dropping the view's rows
   * after the fork point), reads the events up to the chain's head, and writes them with the kept block hashes
   * and the new cursor in one transaction; then tells the listeners. Queued behind a sync of this instance that
   * is still running.
   * @throws Error from the RPC endpoint or the database; the view is then unchanged.
   */
  syncOnce(): Promise<ConsentSyncResult> {
    const run = this.tail.then(() => this.syncWithRetries());
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** How current the shared view is, from the database (another instance's sync counts). */
  async freshness(now = Date.now()): Promise<ConsentViewFreshness> {
    const cursor = await this.writer.cursor();
    return this.freshnessOf(cursor?.synced_at || undefined, cursor?.block_number, now);
  }

  /** How current the view was at this instance's last sync: no I/O, for the hot read path. */
  lastFreshness(now = Date.now()): ConsentViewFreshness {
    return this.freshnessOf(this.last?.syncedAt, this.last?.block, now);
  }

  /**
   * Resolves once the view includes block `blockNumber` (syncing as needed): after relaying a transaction, so the
   * gateway's own grants and revocations take effect at once.
   * @throws Error when the view has not reached the block within `maxStalenessMs`.
   */
  async catchUp(blockNumber: number): Promise<void> {
    const deadline = Date.now() + this.options.maxStalenessMs;
    let reason: string;
    for (let pause = 10; ; pause = Math.min(pause * 2, this.options.pollIntervalMs)) {
      if (this.last && this.last.block >= blockNumber) return;
      try {
        const { toBlock } = await this.syncOnce();
        if (toBlock >= blockNumber) return;
        reason = `it is at block ${toBlock}`;
      } catch (error) {
        reason = `the last sync failed: ${shortMessage(error)}`;
      }
      if (Date.now() >= deadline) throw new Error(`expected the consent view to reach block ${blockNumber} within ${this.options.maxStalenessMs} ms, ${reason}`);
      await sleep(pause);
    }
  }

  /**
   * Calls `listener` after a sync with the consent ids revoked in the blocks it added to the view (by this or
   * another instance), and with those whose grant a reorganisation removed.
   * @returns A function that removes the listener.
   */
  onRevoked(listener: (consentIds: string[]) => void): () => void {
    this.revokedListeners.add(listener);
    return () => this.revokedListeners.delete(listener);
  }

  /** Calls `listener` after a sync with the break-glass accesses recorded in the blocks it added to the view. */
  onEmergency(listener: (accesses: EmergencyAccessRow[]) => void): () => void {
    this.emergencyListeners.add(listener);
    return () => this.emergencyListeners.delete(listener);
  }

  private async syncWithRetries(): Promise<ConsentSyncResult> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.attempt();
      } catch (error) {
        if (!(error instanceof ChainMovedError || error instanceof CursorMovedError) || attempt === ATTEMPTS) throw error;
      }
    }
  }

  private async attempt(): Promise<ConsentSyncResult> {
    const cursor = await this.writer.cursor();
    const base = cursor?.block_number ?? this.source.fromBlock - 1;
    // Told through the cursor at our first sync; moved back if another instance rolled the view back since.
    this.notifiedThrough = Math.min(this.notifiedThrough ?? base, base);
    const syncedAt = Date.now();
    const head = await this.reader.head();
    const forkAt = cursor ? await this.forkPoint(cursor, head.number, head.hash) : undefined;
    const from = (forkAt ?? base) + 1;
    const batch = await this.reader.read(from, head);
    const applied = await this.writer.commit(cursor, { ...(forkAt !== undefined ? { forkAt } : {}), batch, head, syncedAt });
    if (applied === 'moved') throw new CursorMovedError();
    this.last = { syncedAt, block: head.number };
    if (forkAt !== undefined) {
      this.logger.warn(`consent view: the chain reorganised from block ${forkAt + 1} (the view reached block ${base}); dropped the view's rows from there and scanned again`);
      this.notifiedThrough = Math.min(this.notifiedThrough, forkAt);
    }
    await this.notify(head.number, applied.vanished);
    return {
      fromBlock: from,
      toBlock: head.number,
      grants: batch.grants.length,
      revocations: batch.revocations.length,
      emergencies: batch.emergencies.length,
      ...(forkAt !== undefined ? { reorgedFrom: forkAt + 1 } : {}),
    };
  }

  /**
   * undefined when the chain still has the cursor's block; otherwise the newest kept block it still has (where it
   * forked), or the block before the contract's deployment when none is left, which rebuilds the whole view.
   */
  private async forkPoint(cursor: ConsentCursor, headNumber: number, headHash: string): Promise<number | undefined> {
    const now = cursor.block_number === headNumber ? headHash : await this.reader.hashAt(cursor.block_number);
    if (now === cursor.block_hash) return undefined;
    const kept = await this.writer.blocksBelow(Math.min(cursor.block_number, headNumber + 1));
    return (await this.reader.newestMatching(kept))?.number ?? this.source.fromBlock - 1;
  }

  private async notify(through: number, vanished: string[]): Promise<void> {
    const { revoked, emergencies } = await this.writer.indexedBetween(this.notifiedThrough ?? through, through);
    this.notifiedThrough = through;
    const ids = [...new Set([...vanished, ...revoked])];
    if (ids.length > 0) this.call(this.revokedListeners, ids, 'revocation');
    if (emergencies.length > 0) this.call(this.emergencyListeners, emergencies, 'emergency');
  }

  private call<T>(listeners: ReadonlySet<(value: T) => void>, value: T, kind: string): void {
    for (const listener of listeners) {
      try {
        listener(value);
      } catch (error) {
        this.logger.error(`consent view: a ${kind} listener failed: ${shortMessage(error)}`);
      }
    }
  }

  private freshnessOf(syncedAt: number | undefined, block: number | undefined, now: number): ConsentViewFreshness {
    const ageMs = syncedAt === undefined ? Number.POSITIVE_INFINITY : Math.max(0, now - syncedAt);
    return { syncedAt, ageMs, stale: ageMs > this.options.maxStalenessMs, block };
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const started = Date.now();
      const poll = this.poll();
      this.inFlight = poll;
      void poll.then(() => {
        if (this.inFlight === poll) this.inFlight = undefined;
        // Fixed rate: polls start one interval apart (not an interval after the last one ended), so a revocation
        // reaches the view within one block plus the poll interval.
        if (this.running) this.schedule(Math.max(0, this.options.pollIntervalMs - (Date.now() - started)));
      });
    }, delayMs);
    this.timer.unref();
  }

  /** One poll of the loop: never rejects; logs a failure once per distinct reason, and the recovery. */
  private async poll(): Promise<void> {
    try {
      await this.syncOnce();
      if (this.failure) this.logger.log(`consent view: syncing again after ${this.failure.count} failed poll(s)`);
      this.failure = undefined;
    } catch (error) {
      const message = shortMessage(error);
      if (this.failure?.message !== message) {
        this.logger.error(`consent view: poll failed (stale after ${this.options.maxStalenessMs} ms without a sync): ${message}`);
      }
      this.failure = { message, count: (this.failure?.count ?? 0) + 1 };
    }
  }
}

/** Another instance moved the shared cursor while this one read the chain; the poll is repeated. */
class CursorMovedError extends Error {
  constructor() {
    super('expected the consent cursor to stay put during one poll, another instance moved it');
    this.name = 'CursorMovedError';
  }
}

/** The RPC's short message (ethers' `shortMessage`), else the error's message. */
function shortMessage(error: unknown): string {
  return (error as { shortMessage?: string }).shortMessage ?? (error as Error).message ?? String(error);
}
