import { type Kysely, sql } from 'kysely';
import { type DatabaseConfig, redactUrl } from '../config/index.js';
import type { DatabaseSchema } from './database.schema.js';
import { openPostgres, type PostgresOptions } from './postgres-database.js';
import { openSqlite } from './sqlite-database.js';

/**
 * Opens the configured database: the embedded SQLite file, or a PostgreSQL pool. The same schema, migrations and
 * queries run on both (design.md §4: no separate code path for the scaled mode).
 */
export function openDatabase(config: DatabaseConfig, options: PostgresOptions = {}): Kysely<DatabaseSchema> {
  return config.kind === 'sqlite' ? openSqlite(config.file) : openPostgres(config.url, config.poolSize, options);
}

/** A cheap round trip proving the database answers. */
export async function pingDatabase(db: Kysely<DatabaseSchema>): Promise<void> {
  await sql`select 1`.execute(db);
}

/** Where the database is, for messages and logs: the SQLite file, or the PostgreSQL URL without its password. */
export function describeDatabase(config: DatabaseConfig): string {
  return config.kind === 'sqlite' ? `SQLite database at ${config.file}` : `PostgreSQL database at ${redactUrl(config.url)}`;
}

/** The driver's reason, e.g. `connect ECONNREFUSED 127.0.0.1:5432` or `database "x" does not exist (3D000)`. */
function reasonOf(error: unknown): string {
  const e = error as Error & { code?: string; errors?: unknown[] };
  // Node reports a refused connection to every address of a host as an AggregateError without a message.
  if (!e.message && Array.isArray(e.errors) && e.errors.length > 0) return e.errors.map(reasonOf).join('; ');
  const message = e.message || String(error);
  return e.code && !message.includes(e.code) ? `${message} (${e.code})` : message;
}

/**
 * Proves at boot that the database answers, so a wrong DATABASE_URL fails at once with its name rather than at
 * the first request.
 * @throws Error `DATABASE_URL: expected a reachable PostgreSQL database at <url without password>, got <reason>`.
 */
export async function assertDatabaseAnswers(db: Kysely<DatabaseSchema>, config: DatabaseConfig): Promise<void> {
  try {
    await pingDatabase(db);
  } catch (error) {
    throw new Error(`DATABASE_URL: expected a reachable ${describeDatabase(config)}, got ${withoutPassword(reasonOf(error), config)}`, { cause: error });
  }
}

/** Belt and braces: a driver's message never carries the password, but a parse error might echo the URL. */
function withoutPassword(text: string, config: DatabaseConfig): string {
  if (config.kind !== 'postgres' || !URL.canParse(config.url)) return text;
  const raw = new URL(config.url).password;
  let decoded = raw;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    // A malformed %-escape: only the raw form can appear.
  }
  return [raw, decoded].filter(Boolean).reduce((t, secret) => t.split(secret).join('***'), text);
}
