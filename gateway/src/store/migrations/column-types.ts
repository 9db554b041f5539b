import { type Kysely, PostgresAdapter, SqliteAdapter } from 'kysely';

/** The SQL dialects the gateway's database runs on. */
export type DatabaseDialect = 'sqlite' | 'postgres';

/**
 * Column types that differ between the dialects, for migrations. Everything else is spelled the same on both:
 * `text` (also for JSON documents, stored as their text), `bigint` (SQLite gives it INTEGER affinity, SQLite
 * docs §3.1; both drivers hand it back as a JS number).
 */
export interface ColumnTypes {
  readonly dialect: DatabaseDialect;
  /** Raw bytes (ciphertext, nonces, hashes): SQLite `blob`, PostgreSQL `bytea`. Read back as a Buffer on both. */
  readonly binary: 'blob' | 'bytea';
  /** 64-bit integers (unix times, counters): `bigint` on both, read back as a JS number (values stay below 2^53). */
  readonly int8: 'bigint';
}

/** Any Kysely instance or transaction, whatever its schema type (migrations see `Kysely<unknown>`). */
export type AnyKysely = Pick<Kysely<unknown>, 'getExecutor'>;

/**
 * The dialect of a Kysely instance (or of a transaction on one, as migrations receive), from its dialect adapter.
 * @throws Error when the database is neither SQLite nor PostgreSQL.
 */
export function databaseDialect(db: AnyKysely): DatabaseDialect {
  const adapter = db.getExecutor().adapter;
  if (adapter instanceof PostgresAdapter) return 'postgres';
  if (adapter instanceof SqliteAdapter) return 'sqlite';
  throw new Error(`expected a SQLite or PostgreSQL database, got a Kysely database with ${adapter.constructor.name}`);
}

/** The column types to use in a migration on `db` (see {@link ColumnTypes}). */
export function columnTypes(db: AnyKysely): ColumnTypes {
  const dialect = databaseDialect(db);
  return { dialect, binary: dialect === 'postgres' ? 'bytea' : 'blob', int8: 'bigint' };
}
