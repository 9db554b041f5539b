import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { hexToBytes } from '@noble/hashes/utils.js';
import { type Kysely, sql } from 'kysely';
import { canonicalJson } from '../crypto/index.js';
import { type DatabaseSchema, databaseDialect } from '../store/index.js';
import { type AuditEntry, entryLeafHash, GENESIS_PREV } from './audit-entry.js';
import { AUDIT_WRITER_WORKER_SOURCE } from './audit-writer.worker-source.js';

/** An entry before it has a position: everything but `seq` and `prev`. */
export type EntryDraft = Omit<AuditEntry, 'seq' | 'prev'>;

/** One entry to append, with its time in unix ms and, the first time an actor is seen, the actor's display name. */
export interface DraftRow {
  readonly entry: EntryDraft;
  readonly atMs: number;
  readonly actorName?: string;
}

/** Where an appended entry landed. */
export interface AppendedEntry {
  readonly leafIndex: number;
  /** Hex leaf hash. */
  readonly leafHash: string;
  /** The exact canonical JSON that was hashed. */
  readonly entry: string;
}

/** Commits batches of entries after the last stored leaf, in one transaction each, in call order. */
export interface AuditWriter {
  commit(drafts: readonly DraftRow[]): Promise<AppendedEntry[]>;
  close(): Promise<void>;
}

/** Serializes appends of every gateway instance on one PostgreSQL (transaction-scoped advisory lock). */
const APPEND_LOCK = 'fhir-gateway/audit-append';

/**
 * Commits through the store's own Kysely connection: PostgreSQL (asynchronous, with an advisory lock so several
 * instances share one gap-free sequence) and in-memory SQLite (tests).
 */
export class KyselyAuditWriter implements AuditWriter {
  private readonly postgres: boolean;

  constructor(private readonly db: Kysely<DatabaseSchema>) {
    this.postgres = databaseDialect(db) === 'postgres';
  }

  async commit(drafts: readonly DraftRow[]): Promise<AppendedEntry[]> {
    return this.db.transaction().execute(async (trx) => {
      if (this.postgres) await sql`select pg_advisory_xact_lock(hashtextextended(${APPEND_LOCK}, 0))`.execute(trx);
      const last = await trx.selectFrom('audit_entry').select(['leaf_index', 'leaf_hash']).orderBy('leaf_index', 'desc').limit(1).executeTakeFirst();
      let seq = last ? Number(last.leaf_index) + 1 : 0;
      let prev = last ? Buffer.from(last.leaf_hash).toString('hex') : GENESIS_PREV;
      const rows: DatabaseSchema['audit_entry'][] = [];
      const out: AppendedEntry[] = [];
      for (const draft of drafts) {
        const entry = { ...draft.entry, seq, prev } as AuditEntry;
        const text = canonicalJson(entry);
        const hash = entryLeafHash(text);
        rows.push({
          leaf_index: seq,
          at: draft.atMs,
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
        seq += 1;
        prev = hash;
      }
      for (let i = 0; i < rows.length; i += 100) await trx.insertInto('audit_entry').values(rows.slice(i, i + 100)).execute();
      for (const draft of drafts) {
        if (draft.actorName === undefined) continue;
        const values = { actor: draft.entry.actor, name: draft.actorName, role: draft.entry.role };
        await trx.insertInto('audit_actor').values(values).onConflict((c) => c.column('actor').doUpdateSet({ name: values.name, role: values.role })).execute();
      }
      return out;
    });
  }

  async close(): Promise<void> {}
}

/**
 * Commits to the audit file of an embedded SQLite store from a worker thread with its own connection: better-sqlite3
 * is synchronous, so a commit's disk flush (synchronous=FULL) on the main thread would stall every request for its
 * duration. Appends that arrive meanwhile form the next batch. The file is the one {@link auditFileOf} names, which
 * the store's connection attaches for reading; nothing else writes to it.
 */
export class SqliteWorkerAuditWriter implements AuditWriter {
  private worker: Worker | undefined;
  private nextId = 0;
  private readonly waiting = new Map<number, { resolve(value: AppendedEntry[]): void; reject(error: Error): void }>();

  constructor(private readonly file: string) {}

  commit(drafts: readonly DraftRow[]): Promise<AppendedEntry[]> {
    const worker = this.start();
    const id = this.nextId++;
    return new Promise<AppendedEntry[]>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      // Referenced only while a commit is pending, so an idle writer never keeps the process alive.
      worker.ref();
      worker.postMessage({ id, drafts: JSON.stringify(drafts) });
    });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.worker = undefined;
    await worker.terminate();
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const resolve = createRequire(import.meta.url).resolve;
    const worker = new Worker(AUDIT_WRITER_WORKER_SOURCE, { eval: true, workerData: { file: this.file, sqlitePath: resolve('better-sqlite3'), canonicalizePath: resolve('canonicalize') } });
    worker.on('message', (message: { id: number; appended?: string; error?: string }) => {
      const waiter = this.waiting.get(message.id);
      if (!waiter) return;
      this.waiting.delete(message.id);
      if (this.waiting.size === 0) worker.unref();
      if (message.appended !== undefined) waiter.resolve(JSON.parse(message.appended) as AppendedEntry[]);
      else waiter.reject(new Error(message.error ?? 'the audit writer failed'));
    });
    const fail = (error: Error): void => {
      if (this.worker === worker) this.worker = undefined;
      for (const waiter of this.waiting.values()) waiter.reject(error);
      this.waiting.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the audit writer thread exited (code ${code})`)));
    this.worker = worker;
    return worker;
  }
}
