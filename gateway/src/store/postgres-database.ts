import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { DatabaseSchema } from './database.schema.js';

/** How long a new connection may take before the query waiting for it fails (pg waits forever by default). */
const CONNECT_TIMEOUT_MS = 10_000;

/**
 * int8 (bigint, also what count(*) returns) as a JS number: the values stored here are unix times and counters,
 * far below 2^53. pg hands int8 over as a string because it may not fit a double; one that does not fit makes
 * the query fail rather than come back rounded.
 */
function parseInt8(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new RangeError(`expected an int8 within ±(2^53 − 1), got ${text}`);
  return value;
}

/**
 * The pool's own type parsers (pg's `types` option), so that the process-wide `pg.types` stay untouched. bytea
 * keeps pg's default: a Buffer, as better-sqlite3 returns blobs.
 */
const TYPES: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (format !== 'binary' && oid === pg.types.builtins.INT8) return parseInt8;
    return format === 'binary' ? pg.types.getTypeParser(oid, 'binary') : pg.types.getTypeParser(oid);
  }) as pg.CustomTypesConfig['getTypeParser'],
};

/** Options of {@link openPostgres}. */
export interface PostgresOptions {
  /**
   * Told about an error of an idle pooled connection (e.g. the server restarted); the pool drops that connection
   * and opens a new one for the next query. Without a listener such an error would end the process.
   */
  readonly onIdleError?: (error: Error) => void;
}

/**
 * Opens a pool of at most `poolSize` connections to the PostgreSQL database at `url` (a libpq URI, PostgreSQL
 * docs §34.1.1.2). Lazy: nothing connects until the first query (see `assertDatabaseAnswers`).
 */
export function openPostgres(url: string, poolSize: number, options: PostgresOptions = {}): Kysely<DatabaseSchema> {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    application_name: 'fhir-gateway',
    types: TYPES,
  });
  pool.on('error', options.onIdleError ?? (() => undefined));
  return new Kysely<DatabaseSchema>({ dialect: new PostgresDialect({ pool }) });
}
