import { type BeforeApplicationShutdown, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { bytesToHex } from '@noble/hashes/utils.js';
import type { Kysely } from 'kysely';
import type { AuditAnchorContract, ChainService } from '../../chain/index.js';
import { withTimeout } from '../../common/index.js';
import type { AppConfig } from '../../config/index.js';
import type { DatabaseSchema } from '../../store/index.js';
import type { AnchorRecord, AuditLog } from '../audit-log.js';
import { rootOf } from '../merkle.js';
import { backoffDelay } from './anchor-backoff.js';
import { AnchorLedger } from './anchor-ledger.js';
import { AnchorLock } from './anchor-lock.js';
import type { AnchorMetrics } from './anchor-metrics.js';

/** How long an anchoring transaction may take to be mined before the round gives up (and tracks it). */
const RECEIPT_TIMEOUT_MS = 60_000;
/** Bound of the final anchoring attempt at shutdown (main.ts exits anyway after 10 s). */
const SHUTDOWN_BOUND_MS = 5_000;
/** When another instance held the anchoring lock: look again this much later. */
const SKIPPED_RETRY_MS = 1_000;

/**
 * Anchors the audit log's tree heads (size, root) on AuditAnchor (design.md §2.4, issue 6 §3).
 *
 * When: in `batch` mode once M entries are unanchored (checked at each commit of this instance) or N seconds
 * after the last round with anything unanchored; in `per-record` mode at each commit. A round anchors the whole
 * log as it is when the round starts, so records committed while an anchoring transaction is in flight wait for
 * it and the next round covers them all (one transaction at a time, strictly growing sizes). `off`: only
 * {@link anchorNow}.
 *
 * Nothing anchored twice, nothing lost: each round first reads the chain's head; when the chain already holds a
 * head at least as large as the log (another instance anchored, or this one lost a receipt in a crash) nothing is
 * sent, and `audit_anchor` is completed from the chain's logs (see AnchorLedger), as it is after an
 * `AuditAnchorSizeNotGrowing` refusal. A failed round (chain unreachable) is retried with exponential backoff
 * (1 s doubling to 60 s, with jitter), meanwhile entries accumulate and the first successful round anchors them
 * all. On PostgreSQL one instance anchors at a time (advisory lock; the others skip the round).
 *
 * Caveat: a transaction whose receipt never came (timeout) is waited for before anything else is sent by this
 * instance; another instance using the same key cannot know of it and may, on a chain that does not mine at once,
 * send a head of the same size that then reverts (harmless: the ledger records the chain's head either way).
 */
export class AuditAnchorer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('audit-anchor');
  private readonly lock: AnchorLock;
  private readonly ledger: AnchorLedger;
  private logSize = 0;
  private anchoredSize = 0;
  private failures = 0;
  private current: Promise<void> | undefined;
  private stopped = false;
  private tickTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private inFlight: string | undefined;

  constructor(
    private readonly log: AuditLog,
    private readonly chain: ChainService,
    private readonly db: Kysely<DatabaseSchema>,
    private readonly settings: AppConfig['audit'],
    private readonly metrics?: AnchorMetrics,
  ) {
    this.lock = new AnchorLock(db);
    this.ledger = new AnchorLedger(chain);
  }

  async onApplicationBootstrap(): Promise<void> {
    this.observe(0, await this.ledger.recordedSize(this.db));
    if (this.settings.anchorMode === 'off') return;
    this.log.onCommitted((size) => this.onCommitted(size));
    this.scheduleTick();
  }

  /** A final anchoring attempt, bounded in time, before the chain stops (its onApplicationShutdown hook). */
  async beforeApplicationShutdown(): Promise<void> {
    const final = !this.stopped && this.settings.anchorMode !== 'off';
    this.stopped = true;
    clearTimeout(this.tickTimer);
    clearTimeout(this.retryTimer);
    if (!final) return;
    try {
      await withTimeout(this.log.flush().then(() => this.anchorNow()), SHUTDOWN_BOUND_MS);
    } catch (error) {
      this.logger.warn({ reason: reasonOf(error) }, 'the final tree head was not anchored before shutdown; the next start anchors it');
    }
  }

  /**
   * Anchors the log's current tree head if it grew past the chain's (waiting for any round in progress, here or,
   * up to 10 s, on another instance).
   * @returns The new anchor, or undefined when the chain already covered the log.
   * @throws Error when the chain cannot be reached or the transaction fails.
   */
  async anchorNow(): Promise<AnchorRecord | undefined> {
    const outcome = await this.lock.run(true, (db) => this.round(db));
    this.succeeded();
    return outcome.acquired ? outcome.value : undefined;
  }

  /** Resolves once no automatic round runs (tests: the anchoring a commit triggered has finished). */
  async idle(): Promise<void> {
    while (this.current) await this.current;
  }

  private onCommitted(size: number): void {
    this.observe(size, 0);
    if (this.due()) this.trigger();
  }

  /** Whether the mode's threshold is reached for what this instance knows of the log and the chain. */
  private due(): boolean {
    const unanchored = this.logSize - this.anchoredSize;
    return this.settings.anchorMode === 'per-record' ? unanchored > 0 : this.settings.anchorMode === 'batch' && unanchored >= this.settings.anchorEveryRecords;
  }

  /** Starts rounds unless one runs (it loops while due) or a retry is pending (it will cover everything). */
  private trigger(): void {
    if (this.stopped || this.current || this.retryTimer) return;
    this.current = this.runRounds().finally(() => {
      this.current = undefined;
    });
  }

  private async runRounds(): Promise<void> {
    do {
      let outcome;
      try {
        outcome = await this.lock.run(false, (db) => this.round(db));
      } catch (error) {
        this.failed(error);
        return;
      }
      this.succeeded();
      if (!outcome.acquired) {
        this.retryAfter(SKIPPED_RETRY_MS, false);
        return;
      }
    } while (!this.stopped && this.due());
    this.scheduleTick();
  }

  /** One anchoring round; the caller holds the anchoring lock. */
  private async round(db: Kysely<DatabaseSchema>): Promise<AnchorRecord | undefined> {
    await this.settleInFlight();
    // The chain first, then the log: every head the chain holds is then covered by the tree read after it.
    const heads = await this.ledger.chainHeads();
    const tree = await this.log.merkleTree();
    const size = tree.size;
    const root = `0x${bytesToHex(rootOf(tree, size))}`;
    await this.ledger.reconcile(db, tree, heads);
    this.observe(size, heads.size);
    if (size <= heads.size) return undefined;
    // Other instances on this database may send with the same key: take the nonce from the chain, not the cache.
    if (this.lock.shared) this.chain.signer.reset();
    let sent;
    try {
      sent = await this.chain.auditAnchor.anchor(size, root);
    } catch (error) {
      if (revertName(this.chain.auditAnchor, error) !== 'AuditAnchorSizeNotGrowing') throw error;
      // Refused by the gas estimate, so nothing was mined: someone anchored meanwhile; record their heads instead.
      const now = await this.ledger.chainHeads();
      await this.ledger.reconcile(db, await this.log.merkleTree(), now);
      this.observe(0, now.size);
      return undefined;
    }
    this.inFlight = sent.hash;
    const receipt = await sent.wait(1, RECEIPT_TIMEOUT_MS);
    this.inFlight = undefined;
    const record = await this.ledger.record(db, receipt!);
    this.logger.debug({ index: record.index, treeSize: record.treeSize, gasUsed: Number(receipt!.gasUsed), block: record.blockNumber }, "anchored the audit log's tree head");
    this.observe(0, record.treeSize);
    return record;
  }

  /** Waits for an anchoring transaction whose receipt an earlier round did not get, rather than send a second. */
  private async settleInFlight(): Promise<void> {
    if (this.inFlight === undefined) return;
    const provider = this.chain.provider;
    if (!(await provider.getTransactionReceipt(this.inFlight))) {
      const pending = await provider.getTransaction(this.inFlight);
      if (pending) await pending.wait(1, RECEIPT_TIMEOUT_MS);
    }
    // Mined (its head is then read back from the chain's logs) or dropped by the node.
    this.inFlight = undefined;
  }

  private scheduleTick(): void {
    clearTimeout(this.tickTimer);
    if (this.stopped || this.settings.anchorMode === 'off') return;
    this.tickTimer = setTimeout(() => void this.tick(), this.settings.anchorEverySeconds * 1000);
    this.tickTimer.unref();
  }

  /** N seconds passed: anchor if anything is unanchored (entries of other instances included). */
  private async tick(): Promise<void> {
    try {
      const [tree, recorded] = await Promise.all([this.log.merkleTree(), this.ledger.recordedSize(this.db)]);
      this.observe(tree.size, recorded);
    } catch (error) {
      this.logger.warn({ reason: reasonOf(error) }, 'could not read the audit log to decide on anchoring');
    }
    if (this.logSize > this.anchoredSize) this.trigger();
    if (!this.current && !this.retryTimer) this.scheduleTick();
  }

  private failed(error: unknown): void {
    this.failures += 1;
    this.metrics?.failures.inc();
    const delay = backoffDelay(this.failures);
    this.logger.warn({ attempt: this.failures, retryInMs: delay, reason: reasonOf(error) }, "could not anchor the audit log's tree head; entries keep accumulating and the next successful attempt anchors them all");
    this.retryAfter(delay, true);
  }

  private succeeded(): void {
    if (this.failures > 0) this.logger.log({ failedAttempts: this.failures }, 'anchoring resumed');
    this.failures = 0;
  }

  /** One retry after `ms`; commits and ticks wait for it meanwhile. `always`: a round even if not due. */
  private retryAfter(ms: number, always: boolean): void {
    clearTimeout(this.tickTimer);
    clearTimeout(this.retryTimer);
    if (this.stopped) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (always || this.due()) this.trigger();
      else this.scheduleTick();
    }, ms);
    this.retryTimer.unref();
  }

  private observe(logSize: number, anchoredSize: number): void {
    this.logSize = Math.max(this.logSize, logSize);
    this.anchoredSize = Math.max(this.anchoredSize, anchoredSize);
    this.metrics?.logSize.set(this.logSize);
    this.metrics?.anchoredSize.set(this.anchoredSize);
  }
}

/** The name of the contract's custom error carried by a failed call or estimate, if any. */
function revertName(contract: AuditAnchorContract, error: unknown): string | undefined {
  const e = error as { revert?: { name?: string }; data?: unknown; info?: { error?: { data?: unknown } } };
  if (e.revert?.name) return e.revert.name;
  const data = typeof e.data === 'string' ? e.data : e.info?.error?.data;
  if (typeof data !== 'string' || data.length < 10) return undefined;
  try {
    return contract.interface.parseError(data)?.name;
  } catch {
    return undefined;
  }
}

/** A failure's short description for the log (ethers' shortMessage leaves out request bodies and URLs). */
function reasonOf(error: unknown): string {
  return (error as { shortMessage?: string }).shortMessage ?? (error as Error).message ?? String(error);
}
