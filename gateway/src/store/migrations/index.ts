import type { Migration, MigrationProvider } from 'kysely';
import * as m0001 from './0001-oidc-state.js';
import * as m0002 from './0002-patient-stores.js';
import * as m0003 from './0003-consent.js';
import * as m0004 from './0004-diagnosis.js';
import * as m0005 from './0005-audit.js';

/**
 * Every schema migration, in order. Names are versioned and never change once released; add a new file for
 * every change. The same migrations run on SQLite and PostgreSQL: binary columns must take their type from
 * `columnTypes(db).binary` (blob or bytea, see column-types.ts); 64-bit integers are `bigint`, JSON is `text`,
 * and only SQL that both dialects accept may appear (SQLite applies a migration outside a transaction).
 */
export const MIGRATIONS: Readonly<Record<string, Migration>> = {
  '0001-oidc-state': m0001,
  '0002-patient-stores': m0002,
  '0003-consent': m0003,
  '0004-diagnosis': m0004,
  '0005-audit': m0005,
};

/** Serves {@link MIGRATIONS} to Kysely's Migrator from code, so the compiled app needs no migration folder. */
export class StaticMigrationProvider implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    return { ...MIGRATIONS };
  }
}
