import { AsyncLocalStorage } from 'node:async_hooks';
import { Logger } from '@nestjs/common';
import { hexToBytes } from '@noble/hashes/utils.js';
import { type Kysely, sql } from 'kysely';
import type { Principal } from '../auth/index.js';
import { canonicalJson, granteeId } from '../crypto/index.js';
import { type AccessDecision, type AccessRecorder, type DatabaseSchema, databaseDialect, principalRef, type StoreKeyRing } from '../store/index.js';
import { type AuditEntry, entryLeafHash, GENESIS_PREV } from './audit-entry.js';
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

/** Where an appended entry landed. */
export interface AppendedEntry {
  readonly leafIndex: number;
  /** Hex leaf hash. */
  readonly leafHash: string;
  /** The exact canonical JSON that was hashed. */
  readonly entry: string;
}

/** One anchored tree head as the gateway recorded it (the chain holds the authoritative copy). */
export interface AnchorRecord {
  readonly index: number;
  readonly treeSize: number;
  /** 0x-prefixed hex. */
  readonly rootHash: string;
  readonly transactionHash: string;
  readonly blockNumber: number;
  readonly anchoredAt: string;
}

/** What a receipt says about its audit entry: where it is and, once anchored, the proof up to the first anchor covering it. */
export interface AuditReceipt {
  readonly leafIndex: number;
  /** Hex leaf hash. */
  readonly leafHash: string;
  readonly anchor?: AnchorRecord;
  /** Hex hashes, leaf to root, proving the leaf in the tree of `anchor.treeSize` leaves (RFC 9162 §2.1.3). */
  readonly inclusionProof?: readonly string[];
}

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
  resolve(entry: AppendedEntry): void;
  reject(error: Error): void;
}

const ROLE_ORDER = ['clinician', 'hospital-system', 'patient', 'auditor', 'steward'];
const MAX_BATCH = 512;
/** Serializes appends of every gateway instance on one PostgreSQL (transaction-scoped advisory lock). */
const APPEND_LOCK = 'fhir-gateway/audit-append';

/** The role an access is shown under: the first of the principal's roles in {@link ROLE_ORDER}. */
function roleOf(principal: Principal): string {
  return ROLE_ORDER.find((role) => principal.roles.includes(role)) ?? 'none';
}

/** The pending appends of the HTTP request being served (see {@link AuditLog.pendingOfRequest}). */
const requestScope = new AsyncLocalStorage<Set<Promise<AppendedEntry>>>();

/**
 * The verifiable audit log (design.md §2.4): every access decision becomes one entry, appended to an RFC 9162
 * Merkle tree whose heads are anchored on-chain. Stored beside the clinical store (tables `audit_*`).
 *
 * Durability: an append resolves only once its entry is committed. Appends made while serving an HTTP request are
 * collected for that request, and the gateway's `onSend` hook holds the response until they are durable (or
 * answers 503 when the log could not be written). Appends arriving while a commit runs are grouped into the next
 * one, so a busy gateway pays one disk sync per group, not per entry, and no response waits on a timer.
 *
 * Order: one commit appends a contiguous run of leaves after the current last one, inside a transaction (with an
 * advisory lock on PostgreSQL), so several instances on one database share one gap-free sequence.
 */
export class AuditLog implements AccessRecorder {
  private readonly logger = new Logger('audit-log');
  private readonly postgres: boolean;
  private queue: Pending[] = [];
  private committing = false;
  private readonly tree = new MerkleLevels();
  private catchingUp: Promise<MerkleLevels> | undefined;
  private readonly knownActors = new Set<string>();
  private readonly actorIds = new Map<string, string>();
  private readonly listeners: ((size: number) => void)[] = [];

  constructor(
    private readonly db: Kysely<DatabaseSchema>,
    private readonly ring: StoreKeyRing,
    private readonly clock: () => number = Date.now,
  ) {
    this.postgres = databaseDialect(db) === 'postgres';
  }

  /** Runs `work` (the rest of an HTTP request) with its own set of pending appends. */
  static withRequestScope(work: () => void): void {
    requestScope.run(new Set(), work);
  }

  /** The appends made so far while serving the current request (empty outside one). */
  static pendingOfRequest(): readonly Promise<AppendedEntry>[] {
    return [...(requestScope.getStore() ?? [])];
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
    });
  }

  /**
   * Appends one entry; resolves with its position once it is committed. Inside an HTTP request the response
   * waits for it too, so callers that need nothing back may ignore the promise.
   */
  append(event: AuditEvent): Promise<AppendedEntry> {
    const promise = new Promise<AppendedEntry>((resolve, reject) => {
      this.queue.push({ event, atMs: this.clock(), resolve, reject });
    });
    // Rejections reach whoever awaits (the request's onSend hook); this handler only keeps an ignored one quiet.
    promise.catch(() => undefined);
    requestScope.getStore()?.add(promise);
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
        }
      }
    } finally {
      this.committing = false;
    }
  }

  private async commit(batch: readonly Pending[]): Promise<AppendedEntry[]> {
    const actors = new Map<string, { name: string; role: string }>();
    const appended = await this.db.transaction().execute(async (trx) => {
      if (this.postgres) await sql`select pg_advisory_xact_lock(hashtextextended(${APPEND_LOCK}, 0))`.execute(trx);
      const last = await trx.selectFrom('audit_entry').select(['leaf_index', 'leaf_hash']).orderBy('leaf_index', 'desc').limit(1).executeTakeFirst();
      let seq = last ? Number(last.leaf_index) + 1 : 0;
      let prev = last ? Buffer.from(last.leaf_hash).toString('hex') : GENESIS_PREV;
      const rows: DatabaseSchema['audit_entry'][] = [];
      const out: AppendedEntry[] = [];
      for (const pending of batch) {
        const entry = this.entryOf(pending, seq, prev);
        const text = canonicalJson(entry);
        const hash = entryLeafHash(text);
        rows.push({
          leaf_index: seq,
          at: pending.atMs,
          entry: text,
          leaf_hash: hexToBytes(hash),
          actor: entry.actor,
          action: entry.action,
          outcome: entry.outcome,
          patient: entry.patient ?? null,
          purpose: entry.purpose ?? null,
          model_id: entry.model?.id ?? null,
          consent_id: entry.consent ?? null,
        });
        out.push({ leafIndex: seq, leafHash: hash, entry: text });
        if (!this.knownActors.has(entry.actor)) actors.set(entry.actor, { name: pending.event.principal.username, role: entry.role });
        seq += 1;
        prev = hash;
      }
      for (let i = 0; i < rows.length; i += 100) await trx.insertInto('audit_entry').values(rows.slice(i, i + 100)).execute();
      for (const [actor, about] of actors) {
        await trx.insertInto('audit_actor').values({ actor, name: about.name, role: about.role }).onConflict((c) => c.column('actor').doUpdateSet({ name: about.name, role: about.role })).execute();
      }
      return out;
    });
    for (const actor of actors.keys()) this.knownActors.add(actor);
    // The in-memory tree follows when it is contiguous with this commit; otherwise it catches up on next use.
    if (appended[0] && appended[0].leafIndex === this.tree.size) for (const entry of appended) this.tree.append(hexToBytes(entry.leafHash));
    return appended;
  }

  private entryOf(pending: Pending, seq: number, prev: string): AuditEntry {
    const e = pending.event;
    return {
      v: 1,
      seq,
      prev,
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
