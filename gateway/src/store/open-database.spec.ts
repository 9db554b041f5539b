import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler, sql } from 'kysely';
import { databaseAdapters, describePostgres, type OpenedDatabase } from '../../../test/support/postgres.js';
import { freePort } from '../common/index.js';
import type { DatabaseConfig } from '../config/index.js';
import type { DatabaseSchema } from './database.schema.js';
import { migrateToLatest } from './migrate.js';
import { columnTypes } from './migrations/column-types.js';
import { MIGRATIONS } from './migrations/index.js';
import { assertDatabaseAnswers, openDatabase } from './open-database.js';

/** Tables the tests create beside the gateway's schema, typed for the queries below. */
interface ProbeTables {
  bytes_probe: { id: number; data: Uint8Array };
  int8_probe: { id: number; value: number };
}

/** The test database as one that also has the probe tables. */
const probes = (db: Kysely<DatabaseSchema>) => db as unknown as Kysely<ProbeTables>;

describe.each(databaseAdapters())('the gateway database on $name', (adapter) => {
  let opened: OpenedDatabase;
  beforeAll(async () => {
    opened = await adapter.open({ migrate: false });
  });
  afterAll(() => opened?.close());

  it('applies every migration once, in order, and nothing on the next run', async () => {
    expect(await migrateToLatest(opened.db)).toEqual({ applied: Object.keys(MIGRATIONS) });
    expect(await migrateToLatest(opened.db)).toEqual({ applied: [] });
    const journal = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(opened.db);
    expect(journal.rows.map((r) => r.name)).toEqual(Object.keys(MIGRATIONS));
    const tables = await opened.db.introspection.getTables();
    // On SQLite the audit tables are in the attached audit file, which the introspection of `main` does not list.
    expect(tables.map((t) => t.name).sort()).toEqual([
      ...(adapter.name === 'postgres' ? ['audit_actor', 'audit_anchor', 'audit_entry'] : []),
      ...['chain_block', 'chain_cursor', 'consent_grant', 'consent_revocation', 'consent_terms', 'diagnosis', 'emergency_access', 'emergency_reason', 'key_release'],
      ...['oidc_payload', 'patient_identifier', 'patient_store', 'record', 'record_index', 'record_key', 'record_version'],
    ]);
  });

  it(`gives migrations the column types of ${adapter.name}, also inside a transaction`, async () => {
    const expected = adapter.name === 'postgres' ? { dialect: 'postgres', binary: 'bytea', int8: 'bigint' } : { dialect: 'sqlite', binary: 'blob', int8: 'bigint' };
    expect(columnTypes(opened.db)).toEqual(expected);
    expect(await opened.db.transaction().execute(async (trx) => columnTypes(trx))).toEqual(expected);
  });

  it('round-trips bytes through a binary column as a Buffer, whether written as a Buffer or a Uint8Array', async () => {
    const db = probes(opened.db);
    await db.schema
      .createTable('bytes_probe')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('data', columnTypes(db).binary, (c) => c.notNull())
      .execute();
    const everyByte = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const view = new Uint8Array([0, 255, 0, 1]);
    await db
      .insertInto('bytes_probe')
      .values([
        { id: 1, data: everyByte },
        { id: 2, data: view },
        { id: 3, data: new Uint8Array(0) },
      ])
      .execute();
    const rows = await db.selectFrom('bytes_probe').select(['id', 'data']).orderBy('id').execute();
    expect(rows.map((r) => Buffer.isBuffer(r.data))).toEqual([true, true, true]);
    expect(rows.map((r) => Buffer.from(r.data).toString('hex'))).toEqual([everyByte.toString('hex'), '00ff0001', '']);
  });

  it('reads int8 columns and counts back as JS numbers, up to 2^53 − 1', async () => {
    const db = probes(opened.db);
    await db.schema
      .createTable('int8_probe')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('value', columnTypes(db).int8, (c) => c.notNull())
      .execute();
    // 2100-01-01 in unix seconds does not fit an int4; the largest exact double integer does not fit an int4 either.
    const values = [Number.MAX_SAFE_INTEGER, 4_102_444_800, -1];
    await db
      .insertInto('int8_probe')
      .values(values.map((value, i) => ({ id: i + 1, value })))
      .execute();
    const rows = await db.selectFrom('int8_probe').select('value').orderBy('id').execute();
    expect(rows.map((r) => r.value)).toEqual(values);
    const { n } = await db
      .selectFrom('int8_probe')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(n).toBe(3);
  });
});

describePostgres('the gateway database on PostgreSQL, beyond what SQLite shares', () => {
  let opened: OpenedDatabase;
  beforeAll(async () => {
    opened = await databaseAdapters()
      .find((a) => a.name === 'postgres')!
      .open({ migrate: false });
  });
  afterAll(() => opened?.close());

  it('applies each migration exactly once when three gateways migrate one fresh database at once', async () => {
    const gateways = [1, 2, 3].map(() => openDatabase(opened.config));
    try {
      const reports = await Promise.all(gateways.map((db) => migrateToLatest(db)));
      expect(reports.flatMap((r) => r.applied).sort()).toEqual(Object.keys(MIGRATIONS).sort());
      const journal = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(opened.db);
      expect(journal.rows.map((r) => r.name)).toEqual(Object.keys(MIGRATIONS));
    } finally {
      await Promise.all(gateways.map((db) => db.destroy()));
    }
  });

  it('fails a query whose int8 does not fit a JS number rather than rounding it', async () => {
    await expect(sql`select 9223372036854775807::int8 as big`.execute(opened.db)).rejects.toHaveProperty('message', 'expected an int8 within ±(2^53 − 1), got 9223372036854775807');
  });

  it('names DATABASE_URL, the URL without its password and the reason when the database does not exist', async () => {
    const url = new URL(opened.config.kind === 'postgres' ? opened.config.url : '');
    url.password = 's3cret';
    url.pathname = '/fhir_gateway_missing';
    const config: DatabaseConfig = { kind: 'postgres', url: url.href, poolSize: 1 };
    const db = openDatabase(config);
    try {
      await expect(assertDatabaseAnswers(db, config)).rejects.toHaveProperty(
        'message',
        `DATABASE_URL: expected a reachable PostgreSQL database at ${url.href.replace(':s3cret@', ':***@')}, got database "fhir_gateway_missing" does not exist (3D000)`,
      );
    } finally {
      await db.destroy();
    }
  });
});

describe('a PostgreSQL DATABASE_URL where nothing listens', () => {
  it('is refused at boot naming DATABASE_URL and the refused connection, never the password', async () => {
    const port = await freePort();
    const config: DatabaseConfig = { kind: 'postgres', url: `postgres://fhir:s3cret@127.0.0.1:${port}/fhir`, poolSize: 2 };
    const db = openDatabase(config);
    try {
      await expect(assertDatabaseAnswers(db, config)).rejects.toHaveProperty(
        'message',
        `DATABASE_URL: expected a reachable PostgreSQL database at postgres://fhir:***@127.0.0.1:${port}/fhir, got connect ECONNREFUSED 127.0.0.1:${port}`,
      );
    } finally {
      await db.destroy();
    }
  });
});

describe('assertDatabaseAnswers', () => {
  it('masks the password even where a driver message repeats it', async () => {
    const config: DatabaseConfig = { kind: 'postgres', url: 'postgres://fhir:s3cr%40t@db.example.org/fhir', poolSize: 1 };
    class LeakyDriver extends DummyDriver {
      override async acquireConnection(): Promise<never> {
        throw new Error('cannot use postgres://fhir:s3cr%40t@db.example.org (password s3cr@t)');
      }
    }
    const db = new Kysely<DatabaseSchema>({
      dialect: {
        createAdapter: () => new PostgresAdapter(),
        createDriver: () => new LeakyDriver(),
        createIntrospector: (k) => new PostgresIntrospector(k),
        createQueryCompiler: () => new PostgresQueryCompiler(),
      },
    });
    await expect(assertDatabaseAnswers(db, config)).rejects.toHaveProperty(
      'message',
      'DATABASE_URL: expected a reachable PostgreSQL database at postgres://fhir:***@db.example.org/fhir, got cannot use postgres://fhir:***@db.example.org (password ***)',
    );
  });
});
