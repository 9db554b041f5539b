import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { migrateToLatest } from './migrate.js';
import { MIGRATIONS } from './migrations/index.js';
import { pingDatabase } from './open-database.js';
import { openSqlite } from './sqlite-database.js';

describe('the embedded SQLite database', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sqlite-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('applies every migration once, in order, and nothing on the next open', async () => {
    const file = join(dir, 'nested', 'gateway.sqlite');
    const db = openSqlite(file);
    expect(await migrateToLatest(db)).toEqual({ applied: Object.keys(MIGRATIONS) });
    await pingDatabase(db);
    await db.destroy();
    const again = openSqlite(file);
    expect(await migrateToLatest(again)).toEqual({ applied: [] });
    const tables = await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name`.execute(again);
    expect(tables.rows.map((r) => r.name)).toEqual([
      'chain_block',
      'chain_cursor',
      'consent_grant',
      'consent_revocation',
      'consent_terms',
      'diagnosis',
      'emergency_access',
      'emergency_reason',
      'key_release',
      'kysely_migration',
      'kysely_migration_lock',
      'oidc_payload',
      'patient_identifier',
      'patient_store',
      'record',
      'record_index',
      'record_key',
      'record_version',
    ]);
    const journal = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(again);
    expect(journal.rows[0]!.journal_mode).toBe('wal');
    // The audit log's tables live in the audit file beside it, attached as schema `audit`, in WAL mode too.
    const audit = await sql<{ name: string }>`select name from audit.sqlite_master where type = 'table' order by name`.execute(again);
    expect(audit.rows.map((r) => r.name)).toEqual(['audit_actor', 'audit_anchor', 'audit_entry']);
    expect((await sql<{ journal_mode: string }>`pragma audit.journal_mode`.execute(again)).rows[0]!.journal_mode).toBe('wal');
    expect(existsSync(join(dir, 'nested', 'gateway.audit.sqlite'))).toBe(true);
    await again.destroy();
  });

  it('names the file and the setting when the file is not a database', () => {
    const file = join(dir, 'gateway.sqlite');
    writeFileSync(file, 'this is not a database, just text that is long enough to have a header '.repeat(20));
    expect(() => openSqlite(file)).toThrow(`DATABASE_URL: expected a SQLite database at ${file} (default: under DATA_DIR), got file is not a database`);
  });
});
