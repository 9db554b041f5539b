import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pg from 'pg';
import { createLogger, freePort } from '../../gateway/src/common/index.js';
import { MIGRATIONS } from '../../gateway/src/store/migrations/index.js';
import { type StartedGateway, startGateway } from '../support/gateway.js';
import { authorizationCodeLogin, passwordGrant, readDemoAccounts, startAuthorization } from '../support/oidc.js';
import { createTestDatabase, describePostgres, type TestDatabase } from '../support/postgres.js';

/** Collects everything the gateway logs, so the test can scan it for what must never be there. */
class MemoryLog extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

/** One query on the test database, outside the gateway (what the gateway really wrote there). */
async function query<T extends Record<string, unknown>>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}

async function whoami(gateway: StartedGateway, token: string): Promise<{ status: number; username?: string }> {
  const response = await fetch(`${gateway.baseUrl}/api/whoami`, { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, username: ((await response.json()) as { username?: string }).username };
}

describePostgres('the gateway on PostgreSQL (DATABASE_URL=postgres://…)', () => {
  let database: TestDatabase;
  let dataDir: string;
  let gateway: StartedGateway | undefined;

  beforeAll(async () => {
    database = await createTestDatabase();
    // One DATA_DIR across the restart: it keeps the realm's signing and cookie keys; the state is in PostgreSQL.
    dataDir = mkdtempSync(join(tmpdir(), 'fhir-gateway-postgres-'));
  });

  afterAll(async () => {
    await gateway?.close();
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('boots on an empty database, migrates it and answers ready, with no SQLite file anywhere', async () => {
    gateway = await startGateway({ DATABASE_URL: database.url }, { dataDir });
    expect(gateway.config.database).toEqual({ kind: 'postgres', url: database.url, poolSize: 10 });
    const ready = await fetch(`${gateway.baseUrl}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { store: { up: true }, chain: { up: true }, identity: { up: true } } });
    expect((await query<{ name: string }>(database.url, 'select name from kysely_migration order by name')).map((r) => r.name)).toEqual(Object.keys(MIGRATIONS));
    expect(existsSync(join(dataDir, 'gateway.sqlite'))).toBe(false);
  });

  it("signs alice in, and keeps her token, her grant and her browser session across a restart on the same database", async () => {
    const alice = readDemoAccounts(dataDir).users.find((u) => u.username === 'alice')!;
    const login = await passwordGrant(gateway!.issuer, 'alice', alice.password);
    expect(login.status).toBe(200);
    const token = login.body.access_token!;
    expect(await whoami(gateway!, token)).toEqual({ status: 200, username: 'alice' });
    const redirectUri = `${gateway!.baseUrl}/portal/callback`;
    const browser = await authorizationCodeLogin(gateway!.issuer, { clientId: 'patient-portal', redirectUri, username: 'alice', password: alice.password });
    const stored = await query<{ model: string }>(database.url, "select distinct model from oidc_payload where model in ('Grant', 'Session') order by model");
    expect(stored.map((r) => r.model)).toEqual(['Grant', 'Session']);

    const port = new URL(gateway!.baseUrl).port;
    await gateway!.close();
    gateway = undefined;
    gateway = await startGateway({ DATABASE_URL: database.url, PORT: port }, { dataDir });

    expect(await whoami(gateway, token)).toEqual({ status: 200, username: 'alice' });
    // The session lives in PostgreSQL: the next authorization request comes straight back with a code.
    const { response } = await startAuthorization(browser.jar, gateway.issuer, { clientId: 'patient-portal', redirectUri });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toMatch(new RegExp(`^${redirectUri}\\?code=`));
    expect((await passwordGrant(gateway.issuer, 'alice', alice.password)).status).toBe(200);
    expect((await query<{ n: string }>(database.url, 'select count(*) as n from kysely_migration'))[0]!.n).toBe(String(Object.keys(MIGRATIONS).length));
  });
});

describe('the gateway with a PostgreSQL DATABASE_URL where nothing listens', () => {
  it('refuses to start, naming DATABASE_URL and the refused connection, and never shows or logs the password', async () => {
    const port = await freePort();
    const log = new MemoryLog();
    const url = `postgres://fhir:s3cret-pw@127.0.0.1:${port}/fhir`;
    await expect(startGateway({ DATABASE_URL: url, LOG_LEVEL: 'info' }, { logger: createLogger('info', log) })).rejects.toHaveProperty(
      'message',
      `DATABASE_URL: expected a reachable PostgreSQL database at postgres://fhir:***@127.0.0.1:${port}/fhir, got connect ECONNREFUSED 127.0.0.1:${port}`,
    );
    expect(log.text).not.toContain('s3cret-pw');
  });
});
