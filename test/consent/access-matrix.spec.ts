/**
 * The access matrix (issue 4): role × relationship × consent state × interaction → outcome, one test per cell,
 * against a real gateway (anvil, real tokens, consents granted through the public API as the portal does).
 *
 * Every consent state lives in its own compartment (one resource type each) of alice's store (for dr.chen) or bob's
 * (for the hospital system), so the states are independent: at most one live TREATMENT consent per patient and
 * grantee (the revoked and expired ones end before the matrix runs), and a record is covered by nothing but its
 * state's consent.
 *
 *   state          | dr.chen reads           | demo-hospital reads      | consent behind it
 *   none           | bob's labs              | alice's labs             | none covers the record
 *   active         | alice's vitals          | bob's vitals             | TREATMENT to the reader, demographics + vitals
 *   expired        | alice's conditions      | bob's conditions         | TREATMENT to the reader, a window of seconds
 *   revoked        | alice's medications     | bob's medications        | TREATMENT to the reader, revoked
 *   other grantee  | bob's vitals            | alice's vitals           | TREATMENT to the hospital / to dr.chen
 *   RESEARCH       | alice's encounters      | bob's encounters         | RESEARCH to the reader
 *   DIAGNOSIS      | alice's documents       | bob's documents          | DIAGNOSIS to the reader
 *   out of scope   | alice's labs            | bob's labs               | the reader's active consent (vitals only)
 *
 * dr.patel (no consent anywhere) reads the "none" and "other grantee" records of dr.chen; alice (patient), audrey
 * (auditor) and sam (steward) read dr.chen's records in every state: always 404, filtered, or refused by GraphQL.
 */
import { rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { Client } from 'fhir-kit-client';
import { ChainService } from '../../gateway/src/chain/index.js';
import { derivePatientKeys, type PatientKeys } from '../../gateway/src/crypto/index.js';
import { claimStore, grantConsent, grantConsentWindow, type GrantedConsent, granteeByReference, graphql, graphqlOk, revokeConsent } from '../support/consent.js';
import { failureOf, fhirClient, type FhirBundle, type FhirFailure, postBundle, rawRequest, type StoredFhirResource } from '../support/fhir.js';
import { startGateway, type StartedGateway } from '../support/gateway.js';
import { demoAccessToken, hospitalAccessToken, readDemoAccounts } from '../support/oidc.js';
import { createTestDatabase, describePostgres, type TestDatabase } from '../support/postgres.js';

// ---- the records: two per compartment and patient, one resource type per compartment ----

const CATEGORY = 'http://terminology.hl7.org/CodeSystem/observation-category';
type Kind = 'vitals' | 'labs' | 'conditions' | 'medications' | 'encounters' | 'documents';
type PatientName = 'alice' | 'bob';
type FixtureKey = `${PatientName}.${Kind}`;

const KINDS: Record<Kind, { readonly type: string; readonly search: Readonly<Record<string, string>>; body(patient: string, n: number): { resourceType: string; [element: string]: unknown } }> = {
  vitals: {
    type: 'Observation',
    search: { category: 'vital-signs' },
    body: (patient, n) => ({
      resourceType: 'Observation',
      status: 'final',
      category: [{ coding: [{ system: CATEGORY, code: 'vital-signs' }] }],
      code: { coding: [{ system: 'http://loinc.org', code: '8867-4' }] },
      subject: { reference: `Patient/${patient}` },
      effectiveDateTime: `2025-05-0${n}T08:00:00Z`,
      valueQuantity: { value: 60 + n, unit: '/min', system: 'http://unitsofmeasure.org', code: '/min' },
    }),
  },
  labs: {
    type: 'Observation',
    search: { category: 'laboratory' },
    body: (patient, n) => ({
      resourceType: 'Observation',
      status: 'final',
      category: [{ coding: [{ system: CATEGORY, code: 'laboratory' }] }],
      code: { coding: [{ system: 'http://loinc.org', code: '2093-3' }] },
      subject: { reference: `Patient/${patient}` },
      effectiveDateTime: `2025-05-0${n}T08:00:00Z`,
      valueQuantity: { value: 200 + n, unit: 'mg/dL', system: 'http://unitsofmeasure.org', code: 'mg/dL' },
    }),
  },
  conditions: { type: 'Condition', search: {}, body: (patient, n) => ({ resourceType: 'Condition', code: { text: `condition ${n}` }, subject: { reference: `Patient/${patient}` } }) },
  medications: {
    type: 'MedicationStatement',
    search: {},
    body: (patient, n) => ({ resourceType: 'MedicationStatement', status: 'active', medicationCodeableConcept: { text: `medication ${n}` }, subject: { reference: `Patient/${patient}` } }),
  },
  encounters: {
    type: 'Encounter',
    search: {},
    body: (patient) => ({ resourceType: 'Encounter', status: 'finished', class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' }, subject: { reference: `Patient/${patient}` } }),
  },
  documents: {
    type: 'DocumentReference',
    search: {},
    body: (patient, n) => ({ resourceType: 'DocumentReference', status: 'current', content: [{ attachment: { contentType: 'text/plain', title: `letter ${n}` } }], subject: { reference: `Patient/${patient}` } }),
  },
};

// ---- the table ----

type State = 'none' | 'active' | 'expired' | 'revoked' | 'other grantee' | 'RESEARCH' | 'DIAGNOSIS' | 'out of scope';
const STATES: readonly State[] = ['none', 'active', 'expired', 'revoked', 'other grantee', 'RESEARCH', 'DIAGNOSIS', 'out of scope'];

/** Which record each grantee-capable reader reads in each state (see the table at the top). */
const RECORD_OF: Record<State, { readonly chen: FixtureKey; readonly hospital: FixtureKey }> = {
  none: { chen: 'bob.labs', hospital: 'alice.labs' },
  active: { chen: 'alice.vitals', hospital: 'bob.vitals' },
  expired: { chen: 'alice.conditions', hospital: 'bob.conditions' },
  revoked: { chen: 'alice.medications', hospital: 'bob.medications' },
  'other grantee': { chen: 'bob.vitals', hospital: 'alice.vitals' },
  RESEARCH: { chen: 'alice.encounters', hospital: 'bob.encounters' },
  DIAGNOSIS: { chen: 'alice.documents', hospital: 'bob.documents' },
  'out of scope': { chen: 'alice.labs', hospital: 'bob.labs' },
};

/** The state as the reader holds it (grantee-capable roles). */
const HOLDS: Record<State, string> = {
  none: 'with no consent',
  active: 'with an active consent',
  expired: 'with an expired consent',
  revoked: 'with a revoked consent',
  'other grantee': 'when the consent names another grantee',
  RESEARCH: 'with a RESEARCH (not TREATMENT) consent',
  DIAGNOSIS: 'with a DIAGNOSIS (not TREATMENT) consent',
  'out of scope': 'with an active consent that does not cover the record’s compartment',
};

/** The state of dr.chen's record as seen by roles that can hold no consent. */
const UNDER: Record<State, string> = {
  none: 'on a record no consent covers',
  active: 'on a record under an active consent to dr.chen',
  expired: 'on a record under an expired consent',
  revoked: 'on a record under a revoked consent',
  'other grantee': 'on a record under an active consent to the hospital',
  RESEARCH: 'on a record under a RESEARCH consent',
  DIAGNOSIS: 'on a record under a DIAGNOSIS consent',
  'out of scope': 'on a lab next to an active vitals consent',
};

type Reader = 'dr.chen' | 'dr.patel' | 'demo-hospital' | 'alice' | 'audrey' | 'sam';
const INTERACTIONS = ['read', 'vread', 'history', 'search', '_include', 'paging', 'transaction', 'batch', 'GraphQL'] as const;
type Interaction = (typeof INTERACTIONS)[number];

interface Row {
  readonly reader: Reader;
  /** May hold grants (clinician, hospital system); the others are refused by GraphQL's role check. */
  readonly grantee: boolean;
  readonly state: State;
  readonly record: FixtureKey;
  readonly allowed: boolean;
  readonly who: string;
}

interface Cell extends Row {
  readonly interaction: Interaction;
  readonly name: string;
}

const ROWS: readonly Row[] = [
  ...STATES.map((state) => ({ reader: 'dr.chen' as const, grantee: true, state, record: RECORD_OF[state].chen, allowed: state === 'active', who: `dr.chen (clinician) ${HOLDS[state]}` })),
  ...(['none', 'other grantee'] as const).map((state) => ({ reader: 'dr.patel' as const, grantee: true, state, record: RECORD_OF[state].chen, allowed: false, who: `dr.patel (clinician) ${HOLDS[state]}` })),
  ...STATES.map((state) => ({
    reader: 'demo-hospital' as const,
    grantee: true,
    state,
    record: RECORD_OF[state].hospital,
    allowed: state === 'active',
    who: `demo-hospital (hospital system, custodian of the records) ${HOLDS[state]}`,
  })),
  ...(['alice', 'audrey', 'sam'] as const).flatMap((reader) =>
    STATES.map((state) => {
      const record = RECORD_OF[state].chen;
      const role = reader === 'alice' ? `patient, ${record.startsWith('alice.') ? 'her own record' : 'another patient’s record'}` : reader === 'audrey' ? 'auditor' : 'steward';
      return { reader, grantee: false, state, record, allowed: false, who: `${reader} (${role}) ${UNDER[state]}` };
    }),
  ),
];

const OUTCOME: Record<Interaction, (row: Row) => string> = {
  read: (r) => (r.allowed ? 'read answers 200 with the record as written' : 'read answers 404'),
  vread: (r) => (r.allowed ? 'vread answers 200 with the version as written' : 'vread answers 404'),
  history: (r) => (r.allowed ? 'history answers its one version' : 'history answers 404'),
  search: (r) => (r.allowed ? 'search finds both records (total 2)' : 'search is filtered to nothing (total 0)'),
  _include: (r) => (r.allowed ? 'search with _include returns both records and their Patient' : 'search with _include is filtered to nothing'),
  paging: (r) => (r.allowed ? 'paging serves the second record through the next link' : 'paging has no next link, and a replayed cursor pages nothing'),
  transaction: (r) => (r.allowed ? 'a transaction that reads answers 200 entries' : 'a transaction that reads answers 404'),
  batch: (r) => (r.allowed ? 'a batch that reads answers 200 entries' : 'a batch that reads answers 404 entries and an empty searchset'),
  GraphQL: (r) =>
    !r.grantee ? 'GraphQL patientRecords is refused (FORBIDDEN)' : r.allowed ? 'GraphQL patientRecords lists both records' : r.state === 'out of scope' ? 'GraphQL patientRecords lists the covered vitals only' : 'GraphQL patientRecords lists nothing',
};

const cellsOf = (rows: readonly Row[]): Cell[] => rows.flatMap((row) => INTERACTIONS.map((interaction) => ({ ...row, interaction, name: `${row.who}: ${OUTCOME[interaction](row)}` })));

// ---- expected outcomes ----

const notKnown = (type: string, id: string): FhirFailure => ({ status: 404, data: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-found', diagnostics: `${type}/${id} is not known` }] } });
const notKnownEntry = (type: string, id: string, index: number) => ({
  response: { status: '404 Not Found', outcome: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-found', diagnostics: `${type}/${id} is not known`, expression: [`Bundle.entry[${index}]`] }] } },
});

/** The order searches return records in: by last write, oldest (`asc`) or newest (`desc`) first, ties by id ascending (record-search.ts). */
function ordered(records: readonly StoredFhirResource[], direction: 'asc' | 'desc'): StoredFhirResource[] {
  const sign = direction === 'asc' ? 1 : -1;
  return [...records].sort((a, b) => (a.meta.lastUpdated === b.meta.lastUpdated ? (a.id < b.id ? -1 : 1) : (a.meta.lastUpdated < b.meta.lastUpdated ? -1 : 1) * sign));
}

interface Fixture {
  readonly patient: StoredFhirResource;
  readonly type: string;
  readonly search: Readonly<Record<string, string>>;
  /** In the order a search returns them. */
  readonly records: readonly StoredFhirResource[];
}

interface World {
  readonly gateway: StartedGateway;
  readonly clients: Record<Reader | 'bob', Client>;
  readonly tokens: Record<Reader | 'bob', string>;
  readonly fixtures: Record<FixtureKey, Fixture>;
  /** The cursor of a real next link (dr.chen's first page of alice's vitals): what a replay would send. */
  readonly cursor: string;
}

/**
 * Builds the world of the table on a started gateway: records, claimed stores, and the consents of every state.
 * The revoked consents are granted, honoured and revoked first, then the expiring ones granted and honoured (each
 * alone, so no other live consent of the same patient and grantee hides it), then the rest; it returns once the
 * expiring consents have ended.
 */
async function buildWorld(gateway: StartedGateway): Promise<World> {
  const tokens = { 'demo-hospital': await hospitalAccessToken(gateway) } as Record<Reader | 'bob', string>;
  for (const who of ['alice', 'bob', 'dr.chen', 'dr.patel', 'audrey', 'sam'] as const) tokens[who] = await demoAccessToken(gateway, who);
  const clients = Object.fromEntries(Object.entries(tokens).map(([who, token]) => [who, fhirClient(gateway.baseUrl, token)])) as Record<Reader | 'bob', Client>;
  const hospital = clients['demo-hospital'];

  const fixtures = {} as Record<FixtureKey, Fixture>;
  for (const name of ['alice', 'bob'] as const) {
    const id = `pat-${name}`;
    const patient = (await hospital.update({ resourceType: 'Patient', id, body: { resourceType: 'Patient', id, gender: name === 'alice' ? 'female' : 'male' } })) as unknown as StoredFhirResource;
    for (const [kind, spec] of Object.entries(KINDS) as [Kind, (typeof KINDS)[Kind]][]) {
      const records: StoredFhirResource[] = [];
      for (const n of [1, 2]) records.push((await hospital.create({ resourceType: spec.type, body: spec.body(id, n) })) as unknown as StoredFhirResource);
      fixtures[`${name}.${kind}`] = { patient, type: spec.type, search: { patient: id, ...spec.search }, records: ordered(records, 'asc') };
    }
  }

  const users = readDemoAccounts(gateway.dataDir).users;
  const keys: Record<PatientName, PatientKeys> = { alice: derivePatientKeys(users.find((u) => u.username === 'alice')!.mnemonic!), bob: derivePatientKeys(users.find((u) => u.username === 'bob')!.mnemonic!) };
  await claimStore(gateway.baseUrl, tokens['alice'], keys.alice, 'pat-alice');
  await claimStore(gateway.baseUrl, tokens['bob'], keys.bob, 'pat-bob');
  const chen = await granteeByReference(gateway.baseUrl, tokens['alice'], `user:${users.find((u) => u.username === 'dr.chen')!.id}`);
  const hospitalGrantee = await granteeByReference(gateway.baseUrl, tokens['alice'], 'client:demo-hospital');
  const sides = [
    { patient: 'alice' as const, token: tokens['alice'], keys: keys.alice, grantee: chen, reader: 'dr.chen' as const },
    { patient: 'bob' as const, token: tokens['bob'], keys: keys.bob, grantee: hospitalGrantee, reader: 'demo-hospital' as const },
  ];
  const honoured = async (reader: Reader, key: FixtureKey) => {
    const record = fixtures[key].records[0]!;
    expect(await clients[reader].read({ resourceType: record.resourceType, id: record.id })).toEqual(record);
  };

  for (const side of sides) {
    const consent = await grantConsent(gateway.baseUrl, side.token, side.keys, { granteeId: side.grantee, purpose: 'TREATMENT', compartments: ['medications'], durationDays: 7 });
    await honoured(side.reader, `${side.patient}.medications`);
    expect((await revokeConsent(gateway.baseUrl, side.token, side.keys, consent.id)).status).toBe('revoked');
  }
  const now = Math.floor(Date.now() / 1000);
  const notAfter = now + 5;
  for (const side of sides) {
    const brief: GrantedConsent = await grantConsentWindow(gateway.baseUrl, side.token, side.keys, { granteeId: side.grantee, purpose: 'TREATMENT', compartments: ['conditions'] }, { notBefore: now - 60, notAfter });
    expect(brief.status).toBe('active');
    await honoured(side.reader, `${side.patient}.conditions`);
  }
  for (const side of sides) {
    await grantConsent(gateway.baseUrl, side.token, side.keys, { granteeId: side.grantee, purpose: 'TREATMENT', compartments: ['demographics', 'vitals'], durationDays: 7 });
    await grantConsent(gateway.baseUrl, side.token, side.keys, { granteeId: side.grantee, purpose: 'RESEARCH', compartments: ['encounters'], durationDays: 7 });
    await grantConsent(gateway.baseUrl, side.token, side.keys, { granteeId: side.grantee, purpose: 'DIAGNOSIS', compartments: ['documents'], durationDays: 7 });
  }
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, notAfter * 1000 - Date.now() + 50)));

  const first = (await clients['dr.chen'].search({ resourceType: 'Observation', searchParams: { ...fixtures['alice.vitals'].search, _count: 1 } })) as unknown as FhirBundle;
  const next = first.link?.find((l) => l.relation === 'next')?.url;
  const cursor = next ? new URL(next).searchParams.get('_cursor') : null;
  if (!cursor) throw new Error('expected dr.chen’s first page of alice’s vitals to have a next link with a _cursor');
  return { gateway, clients, tokens, fixtures, cursor };
}

/** Asserts one cell of the table. */
async function check(world: World, cell: Cell): Promise<void> {
  const { gateway, fixtures } = world;
  const client = world.clients[cell.reader];
  const fixture = fixtures[cell.record];
  const [first, second] = fixture.records as [StoredFhirResource, StoredFhirResource];
  const { type } = fixture;
  const searchOf = async (params: Record<string, string | number>) => (await client.search({ resourceType: type, searchParams: params })) as unknown as FhirBundle;
  const summary = (bundle: FhirBundle) => ({ total: bundle.total, entries: (bundle.entry ?? []).map((e) => [e.search?.mode, e.resource]), next: bundle.link?.some((l) => l.relation === 'next') ?? false });
  const nothing = { total: 0, entries: [], next: false };

  switch (cell.interaction) {
    case 'read': {
      const call = client.read({ resourceType: type, id: first.id });
      if (cell.allowed) expect(await call).toEqual(first);
      else expect(await failureOf(call)).toEqual(notKnown(type, first.id));
      return;
    }
    case 'vread': {
      const call = client.vread({ resourceType: type, id: first.id, version: '1' });
      if (cell.allowed) expect(await call).toEqual(first);
      else expect(await failureOf(call)).toEqual(notKnown(type, first.id));
      return;
    }
    case 'history': {
      const call = client.history({ resourceType: type, id: first.id });
      if (cell.allowed) {
        const history = (await call) as unknown as FhirBundle;
        expect([history.type, history.entry!.map((e) => e.resource)]).toEqual(['history', [first]]);
      } else expect(await failureOf(call)).toEqual(notKnown(type, first.id));
      return;
    }
    case 'search': {
      const found = summary(await searchOf(fixture.search));
      expect(found).toEqual(cell.allowed ? { total: 2, entries: [['match', first], ['match', second]], next: false } : nothing);
      return;
    }
    case '_include': {
      const found = summary(await searchOf({ ...fixture.search, _include: `${type}:patient` }));
      expect(found).toEqual(cell.allowed ? { total: 2, entries: [['match', first], ['match', second], ['include', fixture.patient]], next: false } : nothing);
      return;
    }
    case 'paging': {
      const page1 = await searchOf({ ...fixture.search, _count: 1 });
      if (cell.allowed) {
        expect(summary(page1)).toEqual({ total: 2, entries: [['match', first]], next: true });
        const page2 = (await client.nextPage({ bundle: page1 as never })) as unknown as FhirBundle;
        expect(summary(page2)).toEqual({ total: 2, entries: [['match', second]], next: false });
      } else {
        expect(summary(page1)).toEqual(nothing);
        const replay = new URL(`${gateway.baseUrl}/fhir/${type}`);
        for (const [name, value] of Object.entries({ ...fixture.search, _count: '1', _cursor: world.cursor })) replay.searchParams.set(name, value);
        const page2 = await rawRequest(replay.href, world.tokens[cell.reader], { method: 'GET' });
        expect([page2.status, summary(page2.body as FhirBundle)]).toEqual([200, nothing]);
      }
      return;
    }
    case 'transaction': {
      const call = postBundle(client, gateway.baseUrl, { resourceType: 'Bundle', type: 'transaction', entry: [{ request: { method: 'GET', url: `${type}/${first.id}` } }, { request: { method: 'GET', url: `${type}/${second.id}/_history/1` } }] });
      if (cell.allowed) {
        const response = await call;
        expect([response.type, response.entry!.map((e) => [e.response?.status, e.resource])]).toEqual([
          'transaction-response',
          [
            ['200 OK', first],
            ['200 OK', second],
          ],
        ]);
      } else {
        const failure = await failureOf(call);
        expect(failure).toEqual({ status: 404, data: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-found', diagnostics: `${type}/${first.id} is not known`, expression: ['Bundle.entry[0]'] }] } });
      }
      return;
    }
    case 'batch': {
      const query = new URLSearchParams(fixture.search).toString();
      const response = await postBundle(client, gateway.baseUrl, {
        resourceType: 'Bundle',
        type: 'batch',
        entry: [{ request: { method: 'GET', url: `${type}/${first.id}` } }, { request: { method: 'GET', url: `${type}/${second.id}/_history/1` } }, { request: { method: 'GET', url: `${type}?${query}` } }],
      });
      expect(response.type).toBe('batch-response');
      const [read, vread, search] = response.entry!;
      if (cell.allowed) {
        expect([read!.response!.status, read!.resource, vread!.response!.status, vread!.resource]).toEqual(['200 OK', first, '200 OK', second]);
        expect([search!.response!.status, summary(search!.resource as unknown as FhirBundle)]).toEqual(['200 OK', { total: 2, entries: [['match', first], ['match', second]], next: false }]);
      } else {
        expect([read, vread]).toEqual([notKnownEntry(type, first.id, 0), notKnownEntry(type, second.id, 1)]);
        expect([search!.response!.status, summary(search!.resource as unknown as FhirBundle)]).toEqual(['200 OK', nothing]);
      }
      return;
    }
    case 'GraphQL': {
      const patientId = fixture.patient.id;
      const result = await graphql<{ patientRecords: string[] }>(gateway.baseUrl, world.tokens[cell.reader], 'query($p: String!, $t: String!) { patientRecords(patientId: $p, resourceType: $t) }', { p: patientId, t: type });
      if (!cell.grantee) {
        expect([result.data, result.errors?.map((e) => [e.message, e.extensions?.['code']])]).toEqual([null, [['requires one of the realm roles "clinician", "hospital-system"', 'FORBIDDEN']]]);
        return;
      }
      expect(result.errors).toBeUndefined();
      const listed = result.data!.patientRecords.map((r) => JSON.parse(r) as unknown);
      // patientRecords lists every readable record of the type, newest first: beside the out-of-scope labs of
      // the reader's active consent, that is the vitals it covers (also Observations).
      const readable = cell.allowed ? fixture.records : cell.state === 'out of scope' ? fixtures[cell.reader === 'dr.chen' ? RECORD_OF.active.chen : RECORD_OF.active.hospital].records : [];
      expect(listed).toEqual(ordered(readable, 'desc'));
      return;
    }
  }
}

/**
 * Closes a gateway; if that has not finished after 5 s (a deadlocked SQLite connection never lets it), frees its
 * port and stops its chain instead, so that a hang fails the tests that met it rather than the whole Jest run.
 */
async function closeEvenIfStuck(gateway: StartedGateway | undefined): Promise<void> {
  if (!gateway) return;
  const closed = await Promise.race([gateway.close().then(() => true), new Promise<false>((resolve) => setTimeout(() => resolve(false), 5_000).unref())]);
  if (closed) return;
  const server = gateway.app.getHttpServer() as Server;
  server.closeAllConnections();
  server.close();
  await gateway.app.get(ChainService).anvil?.stop();
  rmSync(gateway.dataDir, { recursive: true, force: true });
}

/** Defines the whole table as one suite on a gateway `start` boots (and `stop` cleans up after); returns the world. */
function accessMatrix(rows: readonly Row[], start: () => Promise<StartedGateway>, stop: () => Promise<void> = async () => undefined): () => World {
  let gateway: StartedGateway | undefined;
  let world: World;
  beforeAll(async () => {
    gateway = await start();
    world = await buildWorld(gateway);
  }, 120_000);
  afterAll(async () => {
    await closeEvenIfStuck(gateway);
    await stop();
  });

  it.each(cellsOf(rows))('$name', async (cell) => check(world, cell));
  return () => world;
}

describe('access matrix on SQLite: role × relationship × consent state × interaction (real anvil, real tokens)', () => {
  const world = accessMatrix(ROWS, () => startGateway());

  // After the table: this adds a consent that changes the "out of scope" cells.
  it('adds up two active consents of one patient to one grantee: dr.chen reads the compartments of both', async () => {
    const { gateway, tokens, clients, fixtures } = world();
    const users = readDemoAccounts(gateway.dataDir).users;
    const aliceKeys = derivePatientKeys(users.find((u) => u.username === 'alice')!.mnemonic!);
    const chen = await granteeByReference(gateway.baseUrl, tokens['alice'], `user:${users.find((u) => u.username === 'dr.chen')!.id}`);
    const labs = await grantConsent(gateway.baseUrl, tokens['alice'], aliceKeys, { granteeId: chen, purpose: 'TREATMENT', compartments: ['labs'], durationDays: 7 });
    expect(labs.status).toBe('active');
    const outcomes = [];
    for (const key of ['alice.vitals', 'alice.labs'] as const) {
      const record = fixtures[key].records[0]!;
      outcomes.push(await clients['dr.chen'].read({ resourceType: record.resourceType, id: record.id }).then(
        (found) => [key, 200, found],
        (error: { response?: { status: number } }) => [key, error.response?.status, undefined],
      ));
    }
    expect(outcomes).toEqual([
      ['alice.vitals', 200, fixtures['alice.vitals'].records[0]],
      ['alice.labs', 200, fixtures['alice.labs'].records[0]],
    ]);
    const { consentedPatients } = await graphqlOk<{ consentedPatients: { patientId: string; compartments: string[]; consents: { id: string }[] }[] }>(
      gateway.baseUrl,
      tokens['dr.chen'],
      '{ consentedPatients { patientId compartments consents { id } } }',
    );
    expect(consentedPatients.map((p) => [p.patientId, p.compartments, p.consents.length])).toEqual([['pat-alice', ['demographics', 'labs', 'vitals'], 2]]);
  });
});

describePostgres('access matrix on PostgreSQL: the consent states for clinicians and the hospital system', () => {
  let database: TestDatabase | undefined;
  accessMatrix(
    ROWS.filter((row) => row.grantee),
    async () => {
      database = await createTestDatabase();
      return startGateway({ DATABASE_URL: database.url });
    },
    async () => database?.drop(),
  );
});

/**
 * Reads inside a database transaction (transaction Bundles, conditional creates) decide access like any read; on
 * SQLite the store has one connection, which the transaction holds. Each case on a fresh gateway, with the
 * caller's grants not yet cached, and an answer expected within 5 s.
 */
describe('reads inside a database transaction on SQLite, with nothing cached yet', () => {
  let gateway: StartedGateway | undefined;
  let hospitalToken: string;
  beforeEach(async () => {
    gateway = await startGateway();
    hospitalToken = await hospitalAccessToken(gateway);
  });
  afterEach(async () => closeEvenIfStuck(gateway));

  const send = async (path: string, token: string, init: { method: string; body?: unknown; headers?: Record<string, string> }) => {
    try {
      const response = await fetch(`${gateway!.baseUrl}/fhir${path}`, {
        method: init.method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json', ...init.headers },
        ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
        signal: AbortSignal.timeout(5_000),
      });
      return { status: response.status as number | string, body: (await response.json()) as unknown };
    } catch (error) {
      return { status: 'no answer within 5 s', body: (error as Error).name as unknown };
    }
  };
  const entriesOf = (bundle: unknown) => (bundle as FhirBundle).entry?.map((e) => [e.response?.status, e.resource]);

  it('answers a transaction Bundle that reads, as the hospital system’s first read', async () => {
    const patient = await send('/Patient/pat-tx', hospitalToken, { method: 'PUT', body: { resourceType: 'Patient', id: 'pat-tx' } });
    expect(patient.status).toBe(201);
    const response = await send('', hospitalToken, { method: 'POST', body: { resourceType: 'Bundle', type: 'transaction', entry: [{ request: { method: 'GET', url: 'Patient/pat-tx' } }] } });
    expect([response.status, entriesOf(response.body)]).toEqual([200, [['200 OK', patient.body]]]);
  });

  it('answers a conditional create (If-None-Exist) that matches an existing Patient with 200 and that Patient', async () => {
    const body = { resourceType: 'Patient', identifier: [{ system: 'urn:mrn', value: 'TX-1' }] };
    const first = await send('/Patient', hospitalToken, { method: 'POST', body, headers: { 'if-none-exist': 'identifier=urn:mrn|TX-1' } });
    expect(first.status).toBe(201);
    const second = await send('/Patient', hospitalToken, { method: 'POST', body, headers: { 'if-none-exist': 'identifier=urn:mrn|TX-1' } });
    expect([second.status, second.body]).toEqual([200, first.body]);
  });

  it('answers a transaction Bundle whose read is dr.chen’s first under a new consent (the compartment key is opened inside it)', async () => {
    const gw = gateway!;
    const hospital = fhirClient(gw.baseUrl, hospitalToken);
    await hospital.update({ resourceType: 'Patient', id: 'pat-alice', body: { resourceType: 'Patient', id: 'pat-alice' } });
    const vital = (await hospital.create({ resourceType: 'Observation', body: KINDS.vitals.body('pat-alice', 1) })) as unknown as StoredFhirResource;
    const users = readDemoAccounts(gw.dataDir).users;
    const aliceKeys = derivePatientKeys(users.find((u) => u.username === 'alice')!.mnemonic!);
    const alice = await demoAccessToken(gw, 'alice');
    const chenToken = await demoAccessToken(gw, 'dr.chen');
    await claimStore(gw.baseUrl, alice, aliceKeys, 'pat-alice');
    const chen = await granteeByReference(gw.baseUrl, alice, `user:${users.find((u) => u.username === 'dr.chen')!.id}`);
    await grantConsent(gw.baseUrl, alice, aliceKeys, { granteeId: chen, purpose: 'TREATMENT', compartments: ['vitals'], durationDays: 7 });
    // A search that opens no record loads dr.chen's grants; the transaction right after reads his first vital.
    expect((await send('/Condition?patient=pat-alice', chenToken, { method: 'GET' })).status).toBe(200);
    const response = await send('', chenToken, { method: 'POST', body: { resourceType: 'Bundle', type: 'transaction', entry: [{ request: { method: 'GET', url: `Observation/${vital.id}` } }] } });
    expect([response.status, entriesOf(response.body)]).toEqual([200, [['200 OK', vital]]]);
  });
});
