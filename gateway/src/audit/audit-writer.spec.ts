import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Kysely, sql } from 'kysely';
import { canonicalJson } from '../crypto/index.js';
import { auditFileOf, type DatabaseSchema, migrateToLatest, openSqlite } from '../store/index.js';
import { entryLeafHash, GENESIS_PREV } from './audit-entry.js';
import { type DraftRow, KyselyAuditWriter, SqliteWorkerAuditWriter } from './audit-writer.js';

const draft = (i: number, actorName?: string): DraftRow => ({
  entry: { v: 1, at: new Date(Date.UTC(2026, 10, 22, 10, 0, i)).toISOString(), actor: `0x${String(i % 2).repeat(64)}`, role: 'clinician', action: 'read', outcome: i % 3 === 0 ? 'denied' : 'allowed', patient: 'ab'.repeat(16), resourceType: 'Observation' },
  atMs: Date.UTC(2026, 10, 22, 10, 0, i),
  ...(actorName !== undefined ? { actorName } : {}),
});

describe('the audit writers', () => {
  let dir: string;
  const opened: Kysely<DatabaseSchema>[] = [];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'audit-writer-'));
  });
  afterEach(async () => {
    for (const db of opened.splice(0)) await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  async function store(name: string): Promise<{ db: Kysely<DatabaseSchema>; file: string }> {
    const file = join(dir, `${name}.sqlite`);
    const db = openSqlite(file);
    opened.push(db);
    await migrateToLatest(db);
    return { db, file };
  }

  it('number, link, canonicalize and hash entries the same way on the main thread and in the worker', async () => {
    const main = await store('main');
    const worker = await store('worker');
    const inThread = new KyselyAuditWriter(main.db);
    const threaded = new SqliteWorkerAuditWriter(auditFileOf(worker.file));
    try {
      const batches = [[draft(0, 'dr.chen'), draft(1, 'dr.patel')], [draft(2)], [draft(3), draft(4), draft(5)]];
      for (const batch of batches) expect(await threaded.commit(batch)).toEqual(await inThread.commit(batch));
      const rows = await worker.db.selectFrom('audit_entry').selectAll().orderBy('leaf_index').execute();
      expect(rows).toEqual(await main.db.selectFrom('audit_entry').selectAll().orderBy('leaf_index').execute());
      let prev = GENESIS_PREV;
      for (const [k, row] of rows.entries()) {
        const expected = canonicalJson({ ...draft(k).entry, seq: k, prev });
        expect([Number(row.leaf_index), row.entry, Buffer.from(row.leaf_hash).toString('hex'), row.outcome]).toEqual([k, expected, entryLeafHash(expected), k % 3 === 0 ? 'denied' : 'allowed']);
        prev = entryLeafHash(expected);
      }
      expect(await worker.db.selectFrom('audit_actor').selectAll().orderBy('name').execute()).toEqual([
        { actor: `0x${'0'.repeat(64)}`, name: 'dr.chen', role: 'clinician' },
        { actor: `0x${'1'.repeat(64)}`, name: 'dr.patel', role: 'clinician' },
      ]);
    } finally {
      await threaded.close();
    }
  });

  it('rejects a batch the database refuses, writes none of it, and goes on with the next', async () => {
    const { db, file } = await store('refusing');
    const threaded = new SqliteWorkerAuditWriter(auditFileOf(file));
    try {
      await threaded.commit([draft(0)]);
      // A trigger that refuses the third insert of the next batch: the batch rolls back whole.
      await sql`create trigger audit.refuse_seq_3 before insert on audit_entry when new.leaf_index = 3 begin select raise(abort, 'refused by the test'); end`.execute(db);
      await expect(threaded.commit([draft(1), draft(2), draft(3)])).rejects.toThrow('refused by the test');
      expect((await db.selectFrom('audit_entry').select('leaf_index').execute()).map((r) => Number(r.leaf_index))).toEqual([0]);
      await sql`drop trigger audit.refuse_seq_3`.execute(db);
      expect((await threaded.commit([draft(1), draft(2), draft(3)])).map((a) => a.leafIndex)).toEqual([1, 2, 3]);
    } finally {
      await threaded.close();
    }
  });
});
