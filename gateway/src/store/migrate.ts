import { type Kysely, Migrator } from 'kysely';
import type { DatabaseSchema } from './database.schema.js';
import { StaticMigrationProvider } from './migrations/index.js';

/** The result of bringing a schema up to date: the migrations applied by this call, by name. */
export interface MigrationReport {
  readonly applied: readonly string[];
}

/**
 * Applies every pending migration in order; throws with the failing migration's name. On PostgreSQL several
 * gateways may start at once: Kysely's Migrator takes a session advisory lock (`pg_advisory_lock`) and runs the
 * pending migrations in one transaction under it, so each migration is applied exactly once and all or none of
 * a run commits. SQLite serves one gateway process (its Migrator lock is a no-op, and SQLite DDL runs outside a
 * transaction there).
 */
export async function migrateToLatest(db: Kysely<DatabaseSchema>): Promise<MigrationReport> {
  const migrator = new Migrator({ db, provider: new StaticMigrationProvider() });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error) {
    throw new Error(`database migration ${failed ? `"${failed.migrationName}" ` : ''}failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  return { applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName) };
}
