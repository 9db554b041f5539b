import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect, type SqliteDatabase } from 'kysely';
import type { DatabaseSchema } from './database.schema.js';

/**
 * The audit log's own SQLite file beside the clinical one (`gateway.sqlite` → `gateway.audit.sqlite`), attached
 * to the store's connection as schema `audit`; `:memory:` stays in memory.
 */
export function auditFileOf(file: string): string {
  return file === ':memory:' ? ':memory:' : `${file.replace(/\.(sqlite3?|db)$/, '')}.audit.sqlite`;
}

/**
 * Opens (creating if needed) the embedded SQLite database: WAL journal, foreign keys on, a busy timeout.
 * Integers come back as JS numbers and blobs as Buffers, as from `openPostgres`.
 *
 * The audit log lives in a second file, attached as schema `audit` (its tables are found by their plain names: the
 * clinical file has none of them). Beside, not inside, the clinical store: the audit writer commits to it on its own
 * connection without ever contending for the clinical file's write lock.
 */
export function openSqlite(file: string): Kysely<DatabaseSchema> {
  let database: SQLite.Database | undefined;
  try {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    database = new SQLite(file);
    database.pragma('journal_mode = WAL');
    database.pragma('foreign_keys = ON');
    database.pragma('busy_timeout = 5000');
    // An acknowledged write survives a power loss, not only a crash (WAL + NORMAL may lose the last commits).
    database.pragma('synchronous = FULL');
    // Deleted content (e.g. a destroyed escrow secret) is overwritten with zeros, not left in free pages.
    database.pragma('secure_delete = ON');
    database.prepare('attach database ? as audit').run(auditFileOf(file));
    database.pragma('audit.journal_mode = WAL');
    database.pragma('audit.synchronous = FULL');
  } catch (error) {
    database?.close();
    // Name the file and the settings that choose it: the driver's own message ("file is not a database") names neither.
    throw new Error(`DATABASE_URL: expected a SQLite database at ${file} (default: under DATA_DIR), got ${(error as Error).message}`, { cause: error });
  }
  return new Kysely<DatabaseSchema>({ dialect: new SqliteDialect({ database: new StatementCache(database) }) });
}

/**
 * better-sqlite3 with its prepared statements reused: Kysely prepares every query anew, which cost about as much
 * as running it. Statements are keyed by their SQL text (parameters are bound per call) and kept in insertion
 * order up to a bound; one connection runs one statement at a time, so sharing them is safe.
 */
class StatementCache implements SqliteDatabase {
  private readonly statements = new Map<string, SQLite.Statement>();

  constructor(
    private readonly database: SQLite.Database,
    private readonly limit = 500,
  ) {}

  prepare(sql: string): SQLite.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.database.prepare(sql);
      if (this.statements.size >= this.limit) this.statements.delete(this.statements.keys().next().value!);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  close(): void {
    this.statements.clear();
    this.database.close();
  }
}
