/**
 * The audit log's durability promise (issue 6 §1, design.md §2.4): an access's entry is committed before its
 * response is sent, and when the log cannot be written the response is withheld (503, no record content) while
 * the gateway stays up and recovers by itself once the fault is gone. The faults are the database's own, injected
 * from outside the gateway over a connection of the test's: a writer holding the write lock of SQLite's audit file
 * past the audit writer's busy timeout, and a trigger that makes `audit_entry` refuse every insert (SQLite and
 * PostgreSQL). No code of the gateway changes for the test. Real gateway, real anvil, real tokens.
 */
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { derivePatientKeys } from '../../gateway/src/crypto/index.js';
import { entryLeafHash } from '../../gateway/src/audit/audit-entry.js';
import { auditFileOf } from '../../gateway/src/store/index.js';
import { claimStore, grantConsent, granteeByReference } from '../support/consent.js';
import { fhirClient, type StoredFhirResource } from '../support/fhir.js';
import { startGateway, type StartedGateway } from '../support/gateway.js';
import { demoAccessToken, hospitalAccessToken, readDemoAccounts } from '../support/oidc.js';
import { createTestDatabase, describePostgres, type TestDatabase } from '../support/postgres.js';

interface Row {
  leaf_index: number;
  entry: string;
  leaf_hash: string;
}

/** Direct access to the gateway's database over a connection of the test's own (never the gateway's). */
interface Outside {
  rows(): Promise<Row[]>;
  exec(statement: string): Promise<void>;
  close(): Promise<void>;
}

function sqliteOutside(file: string): Outside {
  const db = new SQLite(file);
  return {
    rows: async () => (db.prepare('select leaf_index, entry, hex(leaf_hash) as leaf_hash from audit_entry order by leaf_index').all() as Row[]).map((r) => ({ ...r, leaf_hash: r.leaf_hash.toLowerCase() })),
    exec: async (statement) => void db.exec(statement),
    close: async () => void db.close(),
  };
}

async function postgresOutside(url: string): Promise<Outside> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return {
    rows: async () => (await client.query<Row>("select leaf_index::int as leaf_index, entry, encode(leaf_hash, 'hex') as leaf_hash from audit_entry order by leaf_index")).rows,
    exec: async (statement) => void (await client.query(statement)),
    close: () => client.end(),
  };
}

/** A fault of the log's storage: how to inject it from outside, and how to remove it. */
interface Fault {
  readonly name: string;
  inject(outside: Outside): Promise<void>;
  remove(outside: Outside): Promise<void>;
}

const SQLITE_TRIGGER: Fault = {
  name: 'a trigger refuses every insert into audit_entry',
  inject: (o) => o.exec("create trigger audit_refuses before insert on audit_entry begin select raise(abort, 'audit_entry refuses writes'); end"),
  remove: (o) => o.exec('drop trigger audit_refuses'),
};
const SQLITE_LOCK: Fault = {
  // Held until the read has been answered, so past the audit writer's busy timeout (5 s).
  name: 'another connection holds the audit database’s write lock (BEGIN EXCLUSIVE)',
  inject: (o) => o.exec('begin exclusive'),
  remove: (o) => o.exec('rollback'),
};
const POSTGRES_TRIGGER: Fault = {
  name: 'a trigger refuses every insert into audit_entry',
  inject: (o) =>
    o.exec(
      "create function audit_refuses() returns trigger language plpgsql as $$ begin raise exception 'audit_entry refuses writes'; end $$; create trigger audit_refuses before insert on audit_entry for each statement execute function audit_refuses()",
    ),
  remove: (o) => o.exec('drop trigger audit_refuses on audit_entry; drop function audit_refuses()'),
};

const VALUE = 61.25;
const WITHHELD = { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'transient', diagnostics: 'the audit log could not record this access, so its result is withheld; try again' }] };

function durabilitySuite(name: string, database: () => Promise<Record<string, string>>, outsideOf: (gateway: StartedGateway) => Promise<Outside>, faults: readonly Fault[], drop: () => Promise<void> = async () => undefined): void {
  describe(name, () => {
    let gateway: StartedGateway;
    let outside: Outside;
    let tokens: Record<string, string>;
    let vital: StoredFhirResource;
    let chenActor: string;

    const read = async (who = 'dr.chen', record = vital) => {
      const response = await fetch(`${gateway.baseUrl}/fhir/${record.resourceType}/${record.id}`, { headers: { authorization: `Bearer ${tokens[who]}`, accept: 'application/fhir+json' } });
      const text = await response.text();
      return { status: response.status, text, body: JSON.parse(text) as Record<string, unknown> };
    };
    /** The log read straight from the database: every entry's hash, seq and prev chain back to genesis. */
    const chained = async (): Promise<Row[]> => {
      const rows = await outside.rows();
      for (const [k, row] of rows.entries()) {
        const entry = JSON.parse(row.entry) as { seq: number; prev: string };
        expect([Number(row.leaf_index), entry.seq, entry.prev, row.leaf_hash]).toEqual([k, k, k === 0 ? '0'.repeat(64) : rows[k - 1]!.leaf_hash, entryLeafHash(row.entry)]);
      }
      return rows;
    };

    beforeAll(async () => {
      gateway = await startGateway({ AUDIT_ANCHOR_MODE: 'off', ...(await database()) });
      outside = await outsideOf(gateway);
      tokens = { hospital: await hospitalAccessToken(gateway) };
      for (const who of ['alice', 'dr.chen']) tokens[who] = await demoAccessToken(gateway, who);
      const hospital = fhirClient(gateway.baseUrl, tokens['hospital']!);
      await hospital.update({ resourceType: 'Patient', id: 'pat-alice', body: { resourceType: 'Patient', id: 'pat-alice' } });
      vital = (await hospital.create({
        resourceType: 'Observation',
        body: {
          resourceType: 'Observation',
          status: 'final',
          category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' }] }],
          code: { coding: [{ system: 'http://loinc.org', code: '8867-4' }] },
          subject: { reference: 'Patient/pat-alice' },
          effectiveDateTime: '2025-05-01T08:00:00Z',
          valueQuantity: { value: VALUE, unit: '/min', system: 'http://unitsofmeasure.org', code: '/min' },
        },
      })) as unknown as StoredFhirResource;
      const users = readDemoAccounts(gateway.dataDir).users;
      const keys = derivePatientKeys(users.find((u) => u.username === 'alice')!.mnemonic!);
      await claimStore(gateway.baseUrl, tokens['alice']!, keys, 'pat-alice');
      chenActor = await granteeByReference(gateway.baseUrl, tokens['alice']!, `user:${users.find((u) => u.username === 'dr.chen')!.id}`);
      await grantConsent(gateway.baseUrl, tokens['alice']!, keys, { granteeId: chenActor, purpose: 'TREATMENT', compartments: ['vitals'], durationDays: 7 });
    });
    afterAll(async () => {
      await outside?.close();
      await gateway?.close();
      await drop();
    });

    it('has a read’s entry committed by the time its response arrives', async () => {
      for (let i = 0; i < 5; i++) {
        const before = (await outside.rows()).length;
        const answer = await read();
        // No waiting: the entry is already in audit_entry, as seen by another connection.
        const rows = await outside.rows();
        expect(answer.status).toBe(200);
        expect(rows.length).toBe(before + 1);
        expect(JSON.parse(rows.at(-1)!.entry)).toMatchObject({ seq: before, actor: chenActor, action: 'read', outcome: 'allowed', resourceType: 'Observation', purpose: 'TREATMENT' });
      }
      await chained();
    });

    for (const fault of faults) {
      it(`withholds a read with a 503 while ${fault.name}, stays up, and logs the same read once the fault is gone`, async () => {
        const before = await chained();
        await fault.inject(outside);
        let withheld: Awaited<ReturnType<typeof read>>;
        try {
          withheld = await read();
          // Up meanwhile: the public CapabilityStatement still answers.
          expect((await fetch(`${gateway.baseUrl}/fhir/metadata`)).status).toBe(200);
        } finally {
          await fault.remove(outside);
        }
        expect([withheld.status, withheld.body]).toEqual([503, WITHHELD]);
        expect(withheld.text).not.toContain(vital.id);
        expect(withheld.text).not.toContain(String(VALUE));
        // Nothing was appended while the log refused writes, and nothing before it changed.
        expect(await chained()).toEqual(before);

        const again = await read();
        expect([again.status, again.body]).toEqual([200, vital]);
        const after = await chained();
        expect(after.slice(0, before.length)).toEqual(before);
        expect(after.length).toBe(before.length + 1);
        expect(JSON.parse(after.at(-1)!.entry)).toMatchObject({ seq: before.length, prev: before.at(-1)!.leaf_hash, actor: chenActor, action: 'read', outcome: 'allowed' });
      });
    }
  });
}

durabilitySuite('the audit log’s durability (SQLite, real anvil, real tokens)', async () => ({}), async (gateway) => sqliteOutside(auditFileOf((gateway.config.database as { file: string }).file)), [SQLITE_LOCK, SQLITE_TRIGGER]);

let postgres: TestDatabase | undefined;
describePostgres('the audit log’s durability on PostgreSQL', () => {
  durabilitySuite(
    'the audit log’s durability: the same on PostgreSQL',
    async () => {
      postgres = await createTestDatabase();
      return { DATABASE_URL: postgres.url };
    },
    async () => postgresOutside(postgres!.url),
    [POSTGRES_TRIGGER],
    async () => postgres?.drop(),
  );
});
