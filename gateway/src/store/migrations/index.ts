import type { Migration, MigrationProvider } from 'kysely';
import * as m0001 from './0001-oidc-state.js';

/**
 * Every schema migration, in order. Names are versioned and never change once released; add a new file for
 * every change (the same migrations run on SQLite and, with the scale-out adapter, PostgreSQL).
 */
export const MIGRATIONS: Readonly<Record<string, Migration>> = {
  '0001-oidc-state': m0001,
};

/** Serves {@link MIGRATIONS} to Kysely's Migrator from code, so the compiled app needs no migration folder. */
export class StaticMigrationProvider implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    return { ...MIGRATIONS };
  }
}
