import { type Kysely, sql } from 'kysely';
import { type DatabaseSchema, databaseDialect } from '../../store/index.js';

/** Key of the PostgreSQL advisory lock every gateway instance on one database takes for an anchoring round. */
const ANCHOR_LOCK = 'fhir-gateway/audit-anchor';
/** How long a waiting round (anchorNow, shutdown) waits for another instance's round before giving up. */
const LOCK_WAIT_MS = 10_000;

/** The outcome of {@link AnchorLock.run}: the work's value, or `acquired: false` when another instance held the lock. */
export type AnchorLockResult<T> = { readonly acquired: true; readonly value: T } | { readonly acquired: false };

/**
 * Makes anchoring rounds exclusive: one at a time in this process (a FIFO queue), and on PostgreSQL one at a time
 * across every gateway instance on the database, through a transaction-scoped advisory lock held for the whole
 * round (released by the commit, or by the server if this process dies). SQLite has one process per file, so the
 * queue is enough there.
 *
 * On PostgreSQL the work gets the round's transaction, so the anchors it records commit with the lock's release;
 * on SQLite it gets the database itself (a transaction would hold SQLite's only connection, which the audit log's
 * own reads need meanwhile).
 */
export class AnchorLock {
  private readonly postgres: boolean;
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly db: Kysely<DatabaseSchema>) {
    this.postgres = databaseDialect(db) === 'postgres';
  }

  /** Whether other instances may share the database (and so the chain key and the anchors). */
  get shared(): boolean {
    return this.postgres;
  }

  /**
   * Runs `work` once every earlier round of this process has settled, holding the cluster-wide lock on PostgreSQL.
   * @param wait Wait (up to 10 s) for another instance's round instead of skipping this one.
   */
  run<T>(wait: boolean, work: (db: Kysely<DatabaseSchema>) => Promise<T>): Promise<AnchorLockResult<T>> {
    const run = this.tail.then(() => (this.postgres ? this.underAdvisoryLock(wait, work) : work(this.db).then((value) => ({ acquired: true as const, value }))));
    this.tail = run.catch(() => undefined);
    return run;
  }

  private underAdvisoryLock<T>(wait: boolean, work: (db: Kysely<DatabaseSchema>) => Promise<T>): Promise<AnchorLockResult<T>> {
    return this.db.transaction().execute(async (trx) => {
      if (wait) {
        // lock_timeout bounds the wait for an advisory lock too; `set local` ends with the transaction.
        await sql.raw(`set local lock_timeout = '${LOCK_WAIT_MS}ms'`).execute(trx);
        await sql`select pg_advisory_xact_lock(hashtextextended(${ANCHOR_LOCK}, 0))`.execute(trx);
      } else {
        const { rows } = await sql<{ locked: boolean }>`select pg_try_advisory_xact_lock(hashtextextended(${ANCHOR_LOCK}, 0)) as locked`.execute(trx);
        if (!rows[0]?.locked) return { acquired: false as const };
      }
      return { acquired: true as const, value: await work(trx) };
    });
  }
}
