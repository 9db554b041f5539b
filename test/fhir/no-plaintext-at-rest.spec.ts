import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pg from 'pg';
import type { Logger } from 'pino';
import { createLogger } from '../../gateway/src/common/index.js';
import { startGateway, type StartedGateway } from '../support/gateway.js';
import { hospitalAccessToken } from '../support/oidc.js';
import { createTestDatabase, describePostgres, type TestDatabase } from '../support/postgres.js';

/** Values that occur nowhere but in the health data this test loads. */
const SECRETS = ['Zwiebelkuchen-Quaddelbrot', 'Hieronymus', 'MRN-QX-8827361', 'ZZ-99887-1', '987.654321', 'pellucid-narwhal-sentinel', '1931-02-28'];

function bundle(): unknown {
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [
      {
        fullUrl: 'urn:uuid:8a0e7c1e-1f0b-4a4e-9d55-000000000001',
        resource: { resourceType: 'Patient', identifier: [{ system: 'https://hospital.test/mrn', value: 'MRN-QX-8827361' }], name: [{ family: 'Zwiebelkuchen-Quaddelbrot', given: ['Hieronymus'] }], birthDate: '1931-02-28' },
        request: { method: 'POST', url: 'Patient', ifNoneExist: 'identifier=https://hospital.test/mrn|MRN-QX-8827361' },
      },
      {
        fullUrl: 'urn:uuid:8a0e7c1e-1f0b-4a4e-9d55-000000000002',
        resource: {
          resourceType: 'Observation',
          status: 'final',
          code: { coding: [{ system: 'urn:oid:2.999.1', code: 'ZZ-99887-1' }], text: 'pellucid-narwhal-sentinel' },
          subject: { reference: 'urn:uuid:8a0e7c1e-1f0b-4a4e-9d55-000000000001' },
          effectiveDateTime: '2025-05-05T05:05:05Z',
          valueQuantity: { value: 987.654321, unit: 'mg/dL', system: 'http://unitsofmeasure.org', code: 'mg/dL' },
        },
        request: { method: 'POST', url: 'Observation' },
      },
    ],
  };
}

/** Loads the bundle, then reads and searches it back (so decryption paths run and could log). */
async function loadAndUse(gateway: StartedGateway): Promise<void> {
  const token = await hospitalAccessToken(gateway);
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json' };
  const posted = await fetch(`${gateway.baseUrl}/fhir`, { method: 'POST', headers, body: JSON.stringify(bundle()) });
  expect(posted.status).toBe(200);
  const search = await fetch(`${gateway.baseUrl}/fhir/Observation?code=urn:oid:2.999.1|ZZ-99887-1&_include=Observation:subject`, { headers });
  const found = (await search.json()) as { entry: { resource: { resourceType: string } }[] };
  expect(found.entry.map((e) => e.resource.resourceType).sort()).toEqual(['Observation', 'Patient']);
  const bad = await fetch(`${gateway.baseUrl}/fhir/Observation`, { method: 'POST', headers, body: JSON.stringify({ resourceType: 'Observation', status: 'Zwiebelkuchen-Quaddelbrot', code: { text: 'MRN-QX-8827361' } }) });
  expect(bad.status).toBe(400);
  expect(await bad.text()).not.toMatch(/Zwiebelkuchen|MRN-QX/);
  await fetch(`${gateway.baseUrl}/metrics`).then((r) => r.text()).then((metrics) => expect(SECRETS.filter((s) => metrics.includes(s))).toEqual([]));
}

/** Every secret found in a buffer, as UTF-8 and as UTF-16 (SQLite may store text either way). */
function foundIn(bytes: Buffer): string[] {
  return SECRETS.filter((s) => bytes.includes(Buffer.from(s, 'utf8')) || bytes.includes(Buffer.from(s, 'utf16le')));
}

/** The gateway's own logger (same serializers and redaction as `npm start`), writing to memory at trace level. */
function memoryLogger(): { logger: Logger; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({ write: (chunk: Buffer, _e, done) => (chunks.push(chunk.toString()), done()) });
  return { logger: createLogger('trace', stream), text: () => chunks.join('') };
}

describe('no health data at rest or in logs (SQLite)', () => {
  it('leaves no name, identifier, code, value or text of a loaded bundle in the database files, the WAL or the logs', async () => {
    const log = memoryLogger();
    const gateway = await startGateway({ LOG_LEVEL: 'trace' }, { logger: log.logger });
    try {
      await loadAndUse(gateway);
      const files = readdirSync(gateway.dataDir).filter((f) => f.startsWith('gateway.sqlite'));
      expect(files).toEqual(expect.arrayContaining(['gateway.sqlite', 'gateway.sqlite-wal']));
      for (const file of files) expect({ file, found: foundIn(readFileSync(join(gateway.dataDir, file))) }).toEqual({ file, found: [] });
      expect(log.text().length).toBeGreaterThan(1000);
      expect(SECRETS.filter((s) => log.text().includes(s))).toEqual([]);
    } finally {
      await gateway.close();
    }
  });
});

describePostgres('no health data at rest or in logs (PostgreSQL)', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => database.drop());

  it('leaves no name, identifier, code, value or text of a loaded bundle in any table or in the logs', async () => {
    const log = memoryLogger();
    const gateway = await startGateway({ LOG_LEVEL: 'trace', DATABASE_URL: database.url }, { logger: log.logger });
    try {
      await loadAndUse(gateway);
    } finally {
      await gateway.close();
    }
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const tables = (await client.query<{ table_name: string }>("select table_name from information_schema.tables where table_schema = 'public'")).rows.map((r) => r.table_name);
      expect(tables).toEqual(expect.arrayContaining(['record_version', 'record_index', 'record_key', 'patient_store', 'patient_identifier', 'record']));
      let rows = 0;
      for (const table of tables) {
        for (const row of (await client.query(`select * from "${table}"`)).rows as Record<string, unknown>[]) {
          rows += 1;
          for (const [column, value] of Object.entries(row)) {
            const bytes = Buffer.isBuffer(value) ? value : Buffer.from(typeof value === 'string' ? value : JSON.stringify(value ?? null));
            expect({ table, column, found: foundIn(bytes) }).toEqual({ table, column, found: [] });
          }
        }
      }
      expect(rows).toBeGreaterThan(10);
    } finally {
      await client.end();
    }
    expect(SECRETS.filter((s) => log.text().includes(s))).toEqual([]);
  });
});
