/**
 * PostgreSQL for tests: a fresh database per suite on a real server, and the rule for when there is none.
 *
 * Where tests that need PostgreSQL live: a test of one module's own behaviour sits beside its code as a
 * `*.spec.ts` (unit project) and runs on both databases through {@link databaseAdapters} (e.g. the store's and
 * the oidc adapter's specs); a test that boots the whole gateway on PostgreSQL lives in test/ (integration
 * project) under {@link describePostgres}. Both obey one rule: without a reachable server the PostgreSQL tests
 * are skipped, unless `REQUIRE_POSTGRES=1` (CI), where they fail saying so.
 *
 * The server is `TEST_POSTGRES_URL`, default `postgres://postgres@127.0.0.1:5432/postgres` (a role that may
 * create and drop databases). Whether it answers is probed once per test file, when this module loads (top-level
 * await: Jest collects suites synchronously, so the answer must be known before `describe` runs).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import pg from 'pg';
import { type DatabaseConfig, redactUrl } from '../../gateway/src/config/index.js';
import { type DatabaseDialect, type DatabaseSchema, migrateToLatest, openDatabase } from '../../gateway/src/store/index.js';

/** The admin connection: creates and drops the test databases. */
export const TEST_POSTGRES_URL = process.env['TEST_POSTGRES_URL'] || 'postgres://postgres@127.0.0.1:5432/postgres';

/** How long the reachability probe waits for a connection. */
const PROBE_TIMEOUT_MS = 2_000;

/** True when `REQUIRE_POSTGRES=1`: an unreachable server then fails the PostgreSQL tests instead of skipping them. */
export function postgresRequired(): boolean {
  return process.env['REQUIRE_POSTGRES'] === '1';
}

async function withAdmin<T>(work: (client: pg.Client) => Promise<T>, connectionTimeoutMillis = 10_000): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL, connectionTimeoutMillis });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Connects to the admin URL once, briefly: the reason it failed, or undefined when the server answered. */
async function probe(): Promise<string | undefined> {
  try {
    await withAdmin((client) => client.query('select 1'), PROBE_TIMEOUT_MS);
    return undefined;
  } catch (error) {
    const e = error as Error & { code?: string };
    return e.message || e.code || String(error);
  }
}

/** Whether the test server answers now (one connection, at most 2 s). */
export async function postgresAvailable(): Promise<boolean> {
  return (await probe()) === undefined;
}

/** Why the server did not answer when this module loaded; undefined when it did. Decides skip, fail or run. */
const unreachableReason = await probe();

/** What a PostgreSQL test reports when REQUIRE_POSTGRES=1 and the server does not answer. */
function requiredButUnreachable(): Error {
  return new Error(`PostgreSQL was required (REQUIRE_POSTGRES=1) but is not reachable at ${redactUrl(TEST_POSTGRES_URL)}: ${unreachableReason}`);
}

/**
 * `describe` for a suite that needs PostgreSQL: runs it when the server answers; otherwise skips it, or, with
 * REQUIRE_POSTGRES=1, replaces it by one failing test that says why (a real test failure, not a collection error).
 */
export function describePostgres(name: string, fn: () => void): void {
  if (unreachableReason === undefined) describe(name, fn);
  else if (postgresRequired()) {
    describe(name, () => {
      it('needs a reachable PostgreSQL server', () => {
        throw requiredButUnreachable();
      });
    });
  } else {
    // Honest skip: no PostgreSQL server answers at TEST_POSTGRES_URL and none is required (a laptop without it).
    // CI sets REQUIRE_POSTGRES=1, so there this branch is never taken and the suite fails instead.
    describe.skip(name, fn);
  }
}

/** A database of its own for one suite. */
export interface TestDatabase {
  /** `fhir_gateway_test_<12 hex digits>`. */
  readonly name: string;
  /** The admin URL with this database in its path. */
  readonly url: string;
  /** Ends every connection to the database and drops it; harmless when called again. */
  drop(): Promise<void>;
}

/** Creates a fresh, uniquely named, empty database on the test server. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `fhir_gateway_test_${randomBytes(6).toString('hex')}`;
  // The name is ours (hex digits only), so it may be spliced into the statement: identifiers cannot be bound.
  await withAdmin((client) => client.query(`create database ${name}`));
  const url = new URL(TEST_POSTGRES_URL);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.href,
    drop: () =>
      withAdmin(async (client) => {
        await client.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [name]);
        await client.query(`drop database if exists ${name}`);
      }),
  };
}

/** An open, empty (or freshly migrated) database of either kind. */
export interface OpenedDatabase {
  readonly config: DatabaseConfig;
  readonly db: Kysely<DatabaseSchema>;
  /** Closes the connection(s) and deletes the database (SQLite file or PostgreSQL database). */
  close(): Promise<void>;
}

/** One row for `describe.each(databaseAdapters())('… on $name', (adapter) => …)`. */
export interface DatabaseAdapter {
  readonly name: DatabaseDialect;
  /** Opens a new database of this kind; migrated to the latest schema unless `migrate: false`. */
  open(options?: { readonly migrate?: boolean }): Promise<OpenedDatabase>;
}

async function opened(config: DatabaseConfig, migrate: boolean, remove: () => Promise<void>): Promise<OpenedDatabase> {
  const db = openDatabase(config);
  try {
    if (migrate) await migrateToLatest(db);
  } catch (error) {
    await db.destroy();
    await remove();
    throw error;
  }
  return {
    config,
    db,
    async close() {
      await db.destroy();
      await remove();
    },
  };
}

const SQLITE: DatabaseAdapter = {
  name: 'sqlite',
  open({ migrate = true } = {}) {
    const dir = mkdtempSync(join(tmpdir(), 'fhir-gateway-sqlite-'));
    return opened({ kind: 'sqlite', file: join(dir, 'gateway.sqlite') }, migrate, async () => rmSync(dir, { recursive: true, force: true }));
  },
};

const POSTGRES: DatabaseAdapter = {
  name: 'postgres',
  async open({ migrate = true } = {}) {
    if (unreachableReason !== undefined) throw requiredButUnreachable();
    const database = await createTestDatabase();
    return opened({ kind: 'postgres', url: database.url, poolSize: 4 }, migrate, () => database.drop());
  },
};

/**
 * The database adapters a suite runs on: SQLite always; PostgreSQL when the server answers. Without a server the
 * PostgreSQL row is left out (skipped), except under REQUIRE_POSTGRES=1: then it stays and its `open()` rejects
 * with "PostgreSQL was required …", failing every test of that row (call `open()` in `beforeAll`/`beforeEach`).
 */
export function databaseAdapters(): readonly DatabaseAdapter[] {
  return unreachableReason === undefined || postgresRequired() ? [SQLITE, POSTGRES] : [SQLITE];
}
