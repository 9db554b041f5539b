import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect, sql } from 'kysely';
import type { DatabaseSchema } from './database.schema.js';
import { StaticMigrationProvider } from './migrations/index.js';

/** The result of bringing a schema up to date: the migrations applied by this call, by name. */
export interface MigrationReport {
  readonly applied: readonly string[];
}

/** Opens (creating if needed) the embedded SQLite database: WAL journal, foreign keys on, a busy timeout. */
export function openSqlite(file: string): Kysely<DatabaseSchema> {
  let database: SQLite.Database | undefined;
  try {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    database = new SQLite(file);
    database.pragma('journal_mode = WAL');
    database.pragma('foreign_keys = ON');
    database.pragma('busy_timeout = 5000');
  } catch (error) {
    database?.close();
    // Name the file and the settings that choose it: the driver's own message ("file is not a database") names neither.
    throw new Error(`DATABASE_URL: expected a SQLite database at ${file} (default: under DATA_DIR), got ${(error as Error).message}`, { cause: error });
  }
  return new Kysely<DatabaseSchema>({ dialect: new SqliteDialect({ database }) });
}

/** Applies every pending migration in order; throws with the failing migration's name. */
export async function migrateToLatest(db: Kysely<DatabaseSchema>): Promise<MigrationReport> {
  const migrator = new Migrator({ db, provider: new StaticMigrationProvider() });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error) {
    throw new Error(`database migration ${failed ? `"${failed.migrationName}" ` : ''}failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  return { applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName) };
}

/** A cheap round trip proving the database answers. */
export async function pingDatabase(db: Kysely<DatabaseSchema>): Promise<void> {
  await sql`select 1`.execute(db);
}
