// A fresh PostgreSQL database for the benchmark's PostgreSQL run, on the server the tests use
// (TEST_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432/postgres: a role that may create databases).
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const ADMIN_URL = process.env.TEST_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/postgres';

/** The URL without its password, for printing. */
export function redacted(url) {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.href;
}

async function withAdmin(work, connectionTimeoutMillis = 10_000) {
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Creates an empty database `fhir_gateway_bench_<hex>`. Returns `{ url, drop }`, or `{ unreachable }` (the reason)
 * when the server does not answer within 3 s.
 */
export async function createBenchDatabase() {
  try {
    await withAdmin((client) => client.query('select 1'), 3_000);
  } catch (error) {
    return { unreachable: error.message || error.code || String(error) };
  }
  const name = `fhir_gateway_bench_${randomBytes(6).toString('hex')}`;
  // The name is ours (hex digits only), so it may be spliced in: identifiers cannot be bound parameters.
  await withAdmin((client) => client.query(`create database ${name}`));
  const url = new URL(ADMIN_URL);
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
