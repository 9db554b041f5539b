import { Logger } from '@nestjs/common';
import { hexToBytes } from '@noble/hashes/utils.js';
import type { Kysely } from 'kysely';
import type { Principal } from '../auth/index.js';
import { GATEWAY_PRINCIPAL } from '../consent/gateway-principal.js';
import { ConfigError } from '../config/index.js';
import { granteeId } from '../crypto/index.js';
import { type AccessDecision, type AccessRecorder, type DatabaseSchema, principalRef, type StoreKeyRing } from '../store/index.js';
import type { AnchorRecord, AuditReceipt } from './audit-api.types.js';
import type { AuditEntry } from './audit-entry.js';
import { type AppendedEntry, type AuditWriter, type DraftRow, type EntryDraft, KyselyAuditWriter } from './audit-writer.js';
import { inclusionProof, MerkleLevels } from './merkle.js';

/** What a caller reports; the log adds position, time, pseudonyms and the chain link. */
export interface AuditEvent {
  readonly principal: Principal;
  readonly action: string;
  readonly outcome: 'allowed' | 'denied';
  readonly patientId?: string;
  readonly resourceType?: string;
  readonly compartment?: string;
  readonly consentId?: string;
  readonly purpose?: string;
  readonly emergencyId?: string;
  readonly model?: AuditEntry['model'];
  readonly inputs?: readonly string[];
  readonly output?: string;
  readonly explanation?: string;
  readonly result?: string;
  readonly reason?: string;
}

export type { AppendedEntry } from './audit-writer.js';
export type { AnchorRecord, AuditReceipt } from './audit-api.types.js';

/** One entry of a patient's access timeline (the audit log read back for its patient, with actor names). */
export interface AccessEvent {
  readonly leafIndex: number;
  readonly at: Date;
  readonly actor: string;
  readonly actorName: string;
  readonly actorRole: string;
  readonly interaction: string;
  readonly resourceType: string | null;
  readonly outcome: 'allowed' | 'denied';
  readonly consentId: string | null;
  readonly purpose: string | null;
  readonly emergencyId: string | null;
  readonly model: AuditEntry['model'] | null;
}

interface Pending {
  readonly event: AuditEvent;
  readonly atMs: number;
  readonly ordinal: number;
  resolve(entry: AppendedEntry): void;
  reject(error: Error): void;
}

const ROLE_ORDER = ['clinician', 'hospital-system', 'patient', 'auditor', 'steward'];
const MAX_BATCH = 512;

/** The role an access is shown under: `gateway` for the gateway's own writes, else the first of the principal's roles in {@link ROLE_ORDER}. */
function roleOf(principal: Principal): string {
  if (principal.issuer === GATEWAY_PRINCIPAL.issuer) return 'gateway';
  return ROLE_ORDER.find((role) => principal.roles.includes(role)) ?? 'none';
}

/**
 * The verifiable audit log (design.md §2.4): every access decision becomes one entry, appended to an RFC 9162
 * Merkle tree whose heads are anchored on-chain. Stored beside the clinical store: tables `audit_*`, on SQLite in
 * their own file, written by the worker thread of audit-writer.ts.
 *
 * Durability: an append resolves only once its entry is committed. Every append takes the next number of this
 * instance's queue; the gateway notes the queue's {@link position} when a request arrives, and its `onSend` hook
 * holds the response until everything queued since is durable ({@link durableSince}), or answers 503 when any of
 * it could not be written (fail closed: it may also hold back a response whose own entries were fine). Appends
 * arriving while a commit runs are grouped into the next one, so a busy gateway pays one disk sync per group, not
 * per entry, and no response waits on a timer.
 *
 * Order: one commit appends a contiguous run of leaves after the current last one, inside a transaction (with an
 * advisory lock on PostgreSQL), so several instances on one database share one gap-free sequence.
 */
export class AuditLog implements AccessRecorder {
  private readonly logger = new Logger('audit-log');
  private readonly writer: AuditWriter;
  private queue: Pending[] = [];
  private committing = false;
  private readonly tree = new MerkleLevels();
  private catchingUp: Promise<MerkleLevels> | undefined;
  private readonly knownActors = new Set<string>();
  private readonly actorIds = new Map<string, string>();
  private readonly listeners: ((size: number) => void)[] = [];
  /** Appends queued, and queued appends whose commit has finished (committed or failed), by ordinal. */
  private enqueued = 0;
  private processed = 0;
  /** Ordinal ranges [first, last] of failed commits (the most recent ones). */
  private failures: [number, number][] = [];
  private waiters: { start: number; target: number; resolve(): void; reject(error: Error): void }[] = [];
  /** BENCH_DISCARD_AUDIT only (see {@link benchDiscard}): appends resolve at once and write nothing. */
  private readonly discard = benchDiscard(process.env);
  private readonly clock: () => number;

  /**
   * @param options.writer How batches are committed: by default through `db` ({@link KyselyAuditWriter}); an embedded
   *   SQLite store passes a {@link SqliteWorkerAuditWriter} on its audit file.
   */
  constructor(
    private readonly db: Kysely<DatabaseSchema>,
    private readonly ring: StoreKeyRing,
    options: { readonly writer?: AuditWriter; readonly clock?: () => number } = {},
  ) {
    this.writer = options.writer ?? new KyselyAuditWriter(db);
    this.clock = options.clock ?? Date.now;
  }

  /** Commits what is pending and stops the writer (Nest calls it at shutdown). */
  async onApplicationShutdown(): Promise<void> {
    await this.flush();
    await this.writer.close();
  }

  /** How many appends this instance has queued so far. */
  position(): number {
    return this.enqueued;
  }

  /**
   * Resolves once every append queued after `start` (a {@link position}) up to now is committed; rejects if any of
   * them could not be. Resolves at once when nothing was queued since.
   */
  durableSince(start: number): Promise<void> {
    const target = this.enqueued;
    if (target === start) return Promise.resolve();
    if (this.processed >= target) return this.failedBetween(start, target) ? Promise.reject(new Error('the audit log could not be written')) : Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ start, target, resolve, reject }));
  }

  /** AccessRecorder: a record access decision from the store's enforcement point. */
  record(decision: AccessDecision): void {
    void this.append({
      principal: decision.principal,
      action: decision.interaction,
      outcome: decision.outcome,
      resourceType: decision.resourceType,
      ...(decision.patientId !== undefined ? { patientId: decision.patientId } : {}),
      ...(decision.grant ? { consentId: decision.grant.consentId, purpose: decision.grant.purpose } : {}),
      ...(decision.grant?.emergencyId !== undefined ? { emergencyId: decision.grant.emergencyId } : {}),
      ...(decision.reason !== undefined ? { reason: decision.reason } : {}),
    });
  }

  /**
   * Appends one entry; resolves with its position once it is committed. Inside an HTTP request the response
   * waits for it too, so callers that need nothing back may ignore the promise.
   */
  append(event: AuditEvent): Promise<AppendedEntry> {
    if (this.discard) return Promise.resolve(DISCARDED);
    const ordinal = ++this.enqueued;
    const promise = new Promise<AppendedEntry>((resolve, reject) => {
      this.queue.push({ event, atMs: this.clock(), ordinal, resolve, reject });
    });
    // Rejections reach whoever awaits (and the request's onSend hook through durableSince); this keeps an ignored one quiet.
    promise.catch(() => undefined);
    if (!this.committing) {
      this.committing = true;
      // Let the current tick finish, so appends made in it share one commit.
      setImmediate(() => void this.drain());
    }
    return promise;
  }

  /** Calls `listener` with the log's new size after each commit of this instance (e.g. to trigger anchoring). */
  onCommitted(listener: (size: number) => void): void {
    this.listeners.push(listener);
  }

  /** A patient's pseudonym in the log. */
  pseudonym(patientId: string): string {
    return this.ring.patientPseudonym(patientId);
  }

  /** The actor pseudonym of a principal (the grantee id a consent names on-chain). */
  actorOf(principal: Principal): string {
    const key = `${principal.issuer}\0${principalRef(principal)}`;
    let id = this.actorIds.get(key);
    if (id === undefined) {
      if (this.actorIds.size >= 10_000) this.actorIds.clear();
      this.actorIds.set(key, (id = granteeId(principal.issuer, principalRef(principal))));
    }
    return id;
  }

  /** Resolves when everything appended so far is committed (e.g. before shutdown). */
  async flush(): Promise<void> {
    while (this.committing || this.queue.length > 0) await new Promise((resolve) => setImmediate(resolve));
  }

  /** The Merkle tree over every committed entry, caught up with the database (entries of other instances too). */
  async merkleTree(): Promise<MerkleLevels> {
    this.catchingUp ??= this.catchUp().finally(() => {
      this.catchingUp = undefined;
    });
    return this.catchingUp;
  }

  /** The receipt of one entry: its leaf hash, and once a head covering it is anchored, the anchor and the inclusion proof. */
  async receiptOf(leafIndex: number): Promise<AuditReceipt | undefined> {
    const row = await this.db.selectFrom('audit_entry').select('leaf_hash').where('leaf_index', '=', leafIndex).executeTakeFirst();
    if (!row) return undefined;
    const receipt = { leafIndex, leafHash: Buffer.from(row.leaf_hash).toString('hex') };
    const anchor = await this.anchorCovering(leafIndex);
    if (!anchor) return receipt;
    const tree = await this.merkleTree();
    if (tree.size < anchor.treeSize) return receipt;
    return { ...receipt, anchor, inclusionProof: inclusionProof(tree, leafIndex, anchor.treeSize).map((h) => Buffer.from(h).toString('hex')) };
  }

  /** The first anchored head that covers leaf `leafIndex`, from the gateway's record of its anchors. */
  async anchorCovering(leafIndex: number): Promise<AnchorRecord | undefined> {
    const row = await this.db.selectFrom('audit_anchor').selectAll().where('tree_size', '>', leafIndex).orderBy('tree_size').limit(1).executeTakeFirst();
    return row ? anchorRecordOf(row) : undefined;
  }

  /** A patient's timeline, newest first: the log's entries about that patient, with the actors' display names. */
  async timeline(patientId: string, limit: number): Promise<AccessEvent[]> {
    const rows = await this.db
      .selectFrom('audit_entry')
      .leftJoin('audit_actor', 'audit_actor.actor', 'audit_entry.actor')
      .select(['audit_entry.leaf_index', 'audit_entry.entry', 'audit_actor.name'])
      .where('audit_entry.patient', '=', this.pseudonym(patientId))
      .orderBy('audit_entry.leaf_index', 'desc')
      .limit(limit)
      .execute();
    return rows.map((row) => {
      const entry = JSON.parse(row.entry) as AuditEntry;
      return {
        leafIndex: Number(row.leaf_index),
        at: new Date(entry.at),
        actor: entry.actor,
        actorName: row.name ?? 'unknown',
        actorRole: entry.role,
        interaction: entry.action,
        resourceType: entry.resourceType ?? null,
        outcome: entry.outcome,
        consentId: entry.consent ?? null,
        purpose: entry.purpose ?? null,
        emergencyId: entry.emergency ?? null,
        model: entry.model ?? null,
      };
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, MAX_BATCH);
        try {
          const appended = await this.commit(batch);
          batch.forEach((pending, i) => pending.resolve(appended[i]!));
          const size = appended.at(-1)!.leafIndex + 1;
          for (const listener of this.listeners) listener(size);
        } catch (error) {
          this.logger.error({ lost: batch.length, reason: (error as Error).message }, 'could not append to the audit log; the requests it records are refused');
          const failure = new Error('the audit log could not be written');
          for (const pending of batch) pending.reject(failure);
          this.failures.push([batch[0]!.ordinal, batch.at(-1)!.ordinal]);
          if (this.failures.length > 1_000) this.failures.shift();
        }
        this.processed = batch.at(-1)!.ordinal;
        this.wake();
      }
    } finally {
      this.committing = false;
    }
  }

  /** Settles the waiters whose appends have all been processed. */
  private wake(): void {
    const still: typeof this.waiters = [];
    for (const waiter of this.waiters) {
      if (waiter.target > this.processed) still.push(waiter);
      else if (this.failedBetween(waiter.start, waiter.target)) waiter.reject(new Error('the audit log could not be written'));
      else waiter.resolve();
    }
    this.waiters = still;
  }

  /** Whether a commit of any append numbered in (start, target] failed. */
  private failedBetween(start: number, target: number): boolean {
    return this.failures.some(([first, last]) => last > start && first <= target);
  }

  private async commit(batch: readonly Pending[]): Promise<AppendedEntry[]> {
    const fresh = new Set<string>();
    const drafts: DraftRow[] = batch.map((pending) => {
      const entry = this.entryOf(pending);
      const known = this.knownActors.has(entry.actor) || fresh.has(entry.actor);
      fresh.add(entry.actor);
      return { entry, atMs: pending.atMs, ...(known ? {} : { actorName: pending.event.principal.username }) };
    });
    const appended = await this.writer.commit(drafts);
    for (const actor of fresh) this.knownActors.add(actor);
    // The in-memory tree follows when it is contiguous with this commit; otherwise it catches up on next use.
    if (appended[0] && appended[0].leafIndex === this.tree.size) for (const entry of appended) this.tree.append(hexToBytes(entry.leafHash));
    return appended;
  }

  private entryOf(pending: Pending): EntryDraft {
    const e = pending.event;
    return {
      v: 1,
      at: new Date(pending.atMs).toISOString(),
      actor: this.actorOf(e.principal),
      role: roleOf(e.principal),
      action: e.action,
      outcome: e.outcome,
      ...(e.patientId !== undefined ? { patient: this.pseudonym(e.patientId) } : {}),
      ...(e.resourceType !== undefined ? { resourceType: e.resourceType } : {}),
      ...(e.compartment !== undefined ? { compartment: e.compartment } : {}),
      ...(e.consentId !== undefined ? { consent: e.consentId } : {}),
      ...(e.purpose !== undefined ? { purpose: e.purpose } : {}),
      ...(e.emergencyId !== undefined ? { emergency: e.emergencyId } : {}),
      ...(e.model !== undefined ? { model: e.model } : {}),
      ...(e.inputs !== undefined ? { inputs: e.inputs } : {}),
      ...(e.output !== undefined ? { output: e.output } : {}),
      ...(e.explanation !== undefined ? { explanation: e.explanation } : {}),
      ...(e.result !== undefined ? { result: e.result } : {}),
      ...(e.reason !== undefined ? { reason: e.reason } : {}),
    };
  }

  private async catchUp(): Promise<MerkleLevels> {
    for (;;) {
      const from = this.tree.size;
      const rows = await this.db.selectFrom('audit_entry').select(['leaf_index', 'leaf_hash']).where('leaf_index', '>=', from).orderBy('leaf_index').limit(10_000).execute();
      for (const row of rows) {
        // A local commit may have appended these meanwhile; only the next leaf in order is taken.
        if (Number(row.leaf_index) === this.tree.size) this.tree.append(new Uint8Array(row.leaf_hash));
      }
      if (rows.length < 10_000) return this.tree;
    }
  }
}

const DISCARDED: AppendedEntry = { leafIndex: -1, leafHash: '', entry: '' };

/**
 * `BENCH_DISCARD_AUDIT=true`, for `npm run bench` only (test/bench/audit-bench.mjs): every append resolves at once and
 * writes nothing, so the benchmark can measure a consented read with and without its audit append. Refused unless
 * the gateway runs outside production with its embedded identity provider and chain (as the benchmark starts it).
 */
function benchDiscard(env: NodeJS.ProcessEnv): boolean {
  if (env['BENCH_DISCARD_AUDIT'] !== 'true') return false;
  if (env['NODE_ENV'] === 'production' || env['KEYCLOAK_URL'] || env['CHAIN_RPC_URL']) {
    throw new ConfigError(['BENCH_DISCARD_AUDIT: refused unless NODE_ENV is development or test with the embedded identity provider and chain (it exists for `npm run bench` only), got true']);
  }
  const warning = 'AUDIT LOG DISCARDED (BENCH_DISCARD_AUDIT=true): accesses are not recorded; for benchmarks only, never with real data';
  new Logger('audit-log').warn(warning);
  process.emitWarning(warning);
  return true;
}

/** An `audit_anchor` row as the API shows it. */
export function anchorRecordOf(row: DatabaseSchema['audit_anchor']): AnchorRecord {
  return {
    index: Number(row.anchor_index),
    treeSize: Number(row.tree_size),
    rootHash: row.root_hash,
    transactionHash: row.tx_hash,
    blockNumber: Number(row.block_number),
    anchoredAt: new Date(Number(row.anchored_at)).toISOString(),
  };
}
