import type { Kysely, Selectable, Transaction } from 'kysely';
import { type DatabaseSchema, databaseDialect } from '../../store/index.js';
import { type BlockRef, type ConsentLogBatch, KEPT_BLOCK_HASHES } from './consent-log.reader.js';

/** The `chain_cursor` row of the consent view. */
export const CONSENT_CURSOR = 'consent-registry';

/** Rows per INSERT: well under SQLite's limit of bound parameters (32,766) at ten columns a row. */
const ROWS_PER_INSERT = 200;

/** The view's cursor: the last block processed and when the view last reached the chain's head. */
export type ConsentCursor = Selectable<DatabaseSchema['chain_cursor']>;

/** A break-glass access as indexed (`emergency_access`). */
export type EmergencyAccessRow = Selectable<DatabaseSchema['emergency_access']>;

/** One poll's change to the view. */
export interface ViewChange {
  /** Set after a reorganisation: rows of later blocks are dropped before the batch is written. */
  readonly forkAt?: number;
  readonly batch: ConsentLogBatch;
  /** The chain's head the batch reaches: the new cursor. */
  readonly head: BlockRef;
  /** Unix milliseconds at which the head was read. */
  readonly syncedAt: number;
}

/**
 * Writes the consent view (`chain_cursor`, `chain_block`, `consent_grant`, `consent_revocation`,
 * `emergency_access`): the only writer of those tables. One poll is one transaction.
 */
export class ConsentViewWriter {
  private readonly postgres: boolean;

  constructor(private readonly db: Kysely<DatabaseSchema>) {
    this.postgres = databaseDialect(db) === 'postgres';
  }

  /** The cursor, or undefined before the first sync. */
  async cursor(): Promise<ConsentCursor | undefined> {
    return this.db.selectFrom('chain_cursor').selectAll().where('name', '=', CONSENT_CURSOR).executeTakeFirst();
  }

  /** The kept block hashes below `below`, newest first. */
  async blocksBelow(below: number): Promise<BlockRef[]> {
    const rows = await this.db.selectFrom('chain_block').selectAll().where('block_number', '<', below).orderBy('block_number', 'desc').limit(KEPT_BLOCK_HASHES).execute();
    return rows.map((r) => ({ number: r.block_number, hash: r.block_hash }));
  }

  /**
   * Applies one poll in one transaction, if the cursor is still `expected` (what the poll started from).
   * On PostgreSQL the cursor row is locked (`FOR UPDATE`), so gateways sharing the view apply their polls one
   * after the other, and one that started from a cursor another has since moved writes nothing. Rows are upserted:
   * an event delivered again (after a cursor rollback, or by another instance) rewrites the same row.
   * @returns The consent ids whose grants the reorganisation removed and the new chain did not bring back, or
   *   `moved` when the cursor is no longer `expected` (nothing was written).
   */
  commit(expected: ConsentCursor | undefined, change: ViewChange): Promise<{ vanished: string[] } | 'moved'> {
    return this.db.transaction().execute(async (trx) => {
      if (!(await this.lockCursor(trx, expected))) return 'moved';
      let vanished: string[] = [];
      if (change.forkAt !== undefined) {
        const fork = change.forkAt;
        const dropped = await trx.selectFrom('consent_grant').select('consent_id').where('block_number', '>', fork).execute();
        const back = new Set(change.batch.grants.map((g) => g.consent_id));
        vanished = dropped.map((r) => r.consent_id).filter((id) => !back.has(id));
        await trx.deleteFrom('consent_grant').where('block_number', '>', fork).execute();
        await trx.deleteFrom('consent_revocation').where('block_number', '>', fork).execute();
        await trx.deleteFrom('emergency_access').where('block_number', '>', fork).execute();
        await trx.deleteFrom('chain_block').where('block_number', '>', fork).execute();
      }
      await this.upsert(trx, change.batch);
      await trx.deleteFrom('chain_block').where('block_number', '<=', change.head.number - KEPT_BLOCK_HASHES).execute();
      await trx
        .updateTable('chain_cursor')
        .set({ block_number: change.head.number, block_hash: change.head.hash, synced_at: change.syncedAt })
        .where('name', '=', CONSENT_CURSOR)
        .execute();
      return { vanished };
    });
  }

  /** Consent ids revoked, and break-glass accesses recorded, in blocks `after + 1` to `through`. */
  async indexedBetween(after: number, through: number): Promise<{ revoked: string[]; emergencies: EmergencyAccessRow[] }> {
    if (through <= after) return { revoked: [], emergencies: [] };
    const revoked = await this.db.selectFrom('consent_revocation').select('consent_id').where('block_number', '>', after).where('block_number', '<=', through).orderBy('block_number').execute();
    const emergencies = await this.db.selectFrom('emergency_access').selectAll().where('block_number', '>', after).where('block_number', '<=', through).orderBy('block_number').execute();
    return { revoked: revoked.map((r) => r.consent_id), emergencies };
  }

  /**
   * Takes the cursor row (creating it on the first sync, in this transaction, so even the first polls of two
   * instances serialize on it) and tells whether it is still `expected`.
   */
  private async lockCursor(trx: Transaction<DatabaseSchema>, expected: ConsentCursor | undefined): Promise<boolean> {
    // An empty hash marks the row this transaction creates; it is overwritten before commit, so nobody sees it.
    await trx.insertInto('chain_cursor').values({ name: CONSENT_CURSOR, block_number: -1, block_hash: '', synced_at: 0 }).onConflict((oc) => oc.column('name').doNothing()).execute();
    let query = trx.selectFrom('chain_cursor').selectAll().where('name', '=', CONSENT_CURSOR);
    if (this.postgres) query = query.forUpdate();
    const row = await query.executeTakeFirstOrThrow();
    return expected === undefined ? row.block_hash === '' : row.block_number === expected.block_number && row.block_hash === expected.block_hash;
  }

  private async upsert(trx: Transaction<DatabaseSchema>, batch: ConsentLogBatch): Promise<void> {
    for (const rows of chunks(batch.grants)) {
      await trx
        .insertInto('consent_grant')
        .values(rows)
        .onConflict((oc) =>
          oc.column('consent_id').doUpdateSet((eb) => ({
            patient_address: eb.ref('excluded.patient_address'),
            grantee: eb.ref('excluded.grantee'),
            purpose: eb.ref('excluded.purpose'),
            scope_hash: eb.ref('excluded.scope_hash'),
            not_before: eb.ref('excluded.not_before'),
            not_after: eb.ref('excluded.not_after'),
            block_number: eb.ref('excluded.block_number'),
            block_hash: eb.ref('excluded.block_hash'),
            tx_hash: eb.ref('excluded.tx_hash'),
          })),
        )
        .execute();
    }
    for (const rows of chunks(batch.revocations)) {
      await trx
        .insertInto('consent_revocation')
        .values(rows)
        .onConflict((oc) =>
          oc.column('consent_id').doUpdateSet((eb) => ({ block_number: eb.ref('excluded.block_number'), block_hash: eb.ref('excluded.block_hash'), tx_hash: eb.ref('excluded.tx_hash') })),
        )
        .execute();
    }
    for (const rows of chunks(batch.emergencies)) {
      await trx
        .insertInto('emergency_access')
        .values(rows)
        .onConflict((oc) =>
          oc.column('access_id').doUpdateSet((eb) => ({
            consent_id: eb.ref('excluded.consent_id'),
            patient_address: eb.ref('excluded.patient_address'),
            grantee: eb.ref('excluded.grantee'),
            reason_hash: eb.ref('excluded.reason_hash'),
            declared_at: eb.ref('excluded.declared_at'),
            not_after: eb.ref('excluded.not_after'),
            block_number: eb.ref('excluded.block_number'),
            block_hash: eb.ref('excluded.block_hash'),
            tx_hash: eb.ref('excluded.tx_hash'),
          })),
        )
        .execute();
    }
    const blocks = batch.blocks.map((b) => ({ block_number: b.number, block_hash: b.hash }));
    for (const rows of chunks(blocks)) {
      await trx.insertInto('chain_block').values(rows).onConflict((oc) => oc.column('block_number').doUpdateSet((eb) => ({ block_hash: eb.ref('excluded.block_hash') }))).execute();
    }
  }
}

function chunks<T>(rows: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) out.push(rows.slice(i, i + ROWS_PER_INSERT));
  return out;
}
