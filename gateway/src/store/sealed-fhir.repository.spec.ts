import { sql } from 'kysely';
import type { Principal } from '../auth/index.js';
import { loadFhirDefinitions, OperationOutcomeError } from '../common/index.js';
import { buildStoreClaim, derivePatientKeys, openSealedStore } from '../crypto/index.js';
import { type DatabaseAdapter, databaseAdapters, type OpenedDatabase } from '../../../test/support/postgres.js';
import { RecordAccessPolicy } from './access/record-access.policy.js';
import type { FhirResource, SearchParam, SearchQuery } from './fhir-repository.js';
import { StoreKeyRing } from './keys/store-key-ring.js';
import { PatientStoreService } from './patient-store.service.js';
import { StoreKeys } from './records/store-keys.js';
import { SealedFhirRepository } from './sealed-fhir.repository.js';

const GATEWAY = 'https://gateway.test';
const MNEMONIC = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about';

function principal(over: Partial<Principal> & { roles: string[] }): Principal {
  return { subject: 'sub', username: 'u', clientId: 'c', issuer: 'https://idp/realms/r', tokenId: 'jti', expiresAt: new Date(Date.now() + 60_000), ...over };
}
const hospital = principal({ roles: ['hospital-system'], clientId: 'hospital-a', subject: 'svc-a' });
const otherHospital = principal({ roles: ['hospital-system'], clientId: 'hospital-b', subject: 'svc-b' });
const clinician = principal({ roles: ['clinician'], subject: 'dr', username: 'dr' });
const patientUser = (id: string) => principal({ roles: ['patient'], subject: `p-${id}`, fhirPatient: id });

const patient = (id: string, mrn: string): FhirResource & { id: string } => ({
  resourceType: 'Patient',
  id,
  identifier: [{ system: 'https://hospital.test/mrn', value: mrn }],
  name: [{ family: 'Zwiebelkuchen', given: ['Quentin'] }],
  gender: 'male',
  birthDate: '1961-04-12',
});
const observation = (patientId: string, code: string, value: number, date: string, category = 'laboratory'): FhirResource => ({
  resourceType: 'Observation',
  status: 'final',
  category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: category }] }],
  code: { coding: [{ system: 'http://loinc.org', code }] },
  subject: { reference: `Patient/${patientId}` },
  effectiveDateTime: date,
  valueQuantity: { value, unit: 'mg/dL', system: 'http://unitsofmeasure.org', code: 'mg/dL' },
});
const params = (query: string): SearchParam[] =>
  [...new URLSearchParams(query)].map(([key, value]) => {
    const [name, modifier] = key.split(':');
    return { name: name!, ...(modifier ? { modifier } : {}), values: value.split(',') };
  });
const search = (type: string, query: string, extra: Partial<SearchQuery> = {}): SearchQuery => ({ resourceType: type, params: params(query), count: 50, include: [], ...extra });

async function outcomeOf(promise: Promise<unknown>): Promise<{ status: number; diagnostics: string | undefined }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof OperationOutcomeError) return { status: error.status, diagnostics: error.outcome.issue[0]!.diagnostics };
    throw error;
  }
  throw new Error('expected an OperationOutcomeError');
}

describe.each(databaseAdapters().map((a) => [a.name, a] as [string, DatabaseAdapter]))('the sealed FHIR repository on %s', (_name, adapter) => {
  let database: OpenedDatabase;
  let repo: SealedFhirRepository;
  let stores: PatientStoreService;
  let now = Date.parse('2026-01-01T00:00:00Z');

  beforeAll(() => loadFhirDefinitions());
  beforeEach(async () => {
    database = await adapter.open();
    const ring = new StoreKeyRing(new Uint8Array(32).fill(7));
    const keys = new StoreKeys(ring);
    repo = new SealedFhirRepository(database.db, { keys, ring, policy: new RecordAccessPolicy(), clock: () => (now += 1000) });
    stores = new PatientStoreService(database.db, keys, GATEWAY, () => now);
  });
  afterEach(async () => database.close());

  it('creates, reads, updates with If-Match, vreads, lists history and deletes a record, keeping meta server-side', async () => {
    await repo.update(hospital, patient('p1', 'MRN-1'));
    const created = await repo.create(hospital, { ...observation('p1', '2093-3', 212, '2025-03-01T08:00:00Z'), meta: { versionId: '99', lastUpdated: '1999-01-01T00:00:00Z' } });
    expect(created.created).toBe(true);
    const id = created.stored.resource.id;
    expect(created.stored.resource.meta).toEqual({ versionId: '1', lastUpdated: new Date(now).toISOString() });

    const read = await repo.read(hospital, 'Observation', id);
    expect(read.resource).toEqual(created.stored.resource);

    expect(await outcomeOf(repo.update(hospital, { ...read.resource, valueQuantity: { value: 1 } }, { ifMatch: '2' }))).toEqual({ status: 412, diagnostics: 'If-Match expected version 2, but the current version is 1' });
    const updated = await repo.update(hospital, { ...read.resource, status: 'amended' }, { ifMatch: '1' });
    expect(updated.resource.meta.versionId).toBe('2');
    expect((await repo.vread(hospital, 'Observation', id, '1')).resource['status']).toBe('final');
    expect((await repo.history(hospital, 'Observation', id, { count: 10 })).versions.map((v) => v.resource.meta.versionId)).toEqual(['2', '1']);

    await repo.delete(hospital, 'Observation', id);
    expect(await outcomeOf(repo.read(hospital, 'Observation', id))).toEqual({ status: 410, diagnostics: `Observation/${id} was deleted` });
    expect((await repo.vread(hospital, 'Observation', id, '2')).resource['status']).toBe('amended');
    await repo.delete(hospital, 'Observation', id);
    expect((await repo.history(hospital, 'Observation', id, { count: 10 })).versions.map((v) => [v.resource.meta.versionId, v.deleted])).toEqual([['3', true], ['2', false], ['1', false]]);
  });

  it('answers 404 to every reader but the custodian, and 403 to writers without the hospital-system role', async () => {
    await repo.update(hospital, patient('p1', 'MRN-1'));
    const { stored } = await repo.create(hospital, observation('p1', '2093-3', 212, '2025-03-01T08:00:00Z'));
    for (const who of [otherHospital, clinician, patientUser('p1')]) {
      expect(await outcomeOf(repo.read(who, 'Observation', stored.resource.id))).toEqual({ status: 404, diagnostics: `Observation/${stored.resource.id} is not known` });
      expect((await repo.search(who, search('Observation', 'patient=Patient/p1'))).matches).toEqual([]);
      expect(await outcomeOf(repo.update(who, { ...stored.resource, status: 'amended' }))).toEqual(
        who === otherHospital ? { status: 404, diagnostics: `Observation/${stored.resource.id} is not known` } : { status: 403, diagnostics: 'writing records requires the hospital-system role' },
      );
    }
    expect(await outcomeOf(repo.read(hospital, 'Observation', 'no-such-id'))).toEqual({ status: 404, diagnostics: 'Observation/no-such-id is not known' });
  });

  it('refuses a record that names no stored patient, or moves to another patient', async () => {
    expect(await outcomeOf(repo.create(hospital, observation('nobody', '2093-3', 1, '2025-01-01')))).toEqual({ status: 422, diagnostics: 'expected a reference to a Patient stored here; Patient/nobody is not' });
    const { subject: _s, ...noSubject } = observation('p1', '2093-3', 1, '2025-01-01') as FhirResource & { subject: unknown };
    expect(await outcomeOf(repo.create(hospital, noSubject))).toEqual({ status: 422, diagnostics: 'expected a reference to the Patient this Observation belongs to (Patient/<id>)' });
    await repo.update(hospital, patient('p1', 'MRN-1'));
    await repo.update(hospital, patient('p2', 'MRN-2'));
    const { stored } = await repo.create(hospital, observation('p1', '2093-3', 1, '2025-01-01'));
    expect(await outcomeOf(repo.update(hospital, { ...stored.resource, subject: { reference: 'Patient/p2' } }))).toEqual({ status: 422, diagnostics: 'a record cannot move to another patient' });
    expect(await outcomeOf(repo.update(hospital, patient('p3', 'MRN-1')))).toEqual({ status: 409, diagnostics: 'this identifier already identifies another Patient' });
    // The conflict names the element as sent (unmatchable identifiers before it still count), and a Patient may
    // repeat its own identifier.
    const repeated = { ...patient('p4', 'MRN-4'), identifier: [{ value: 'no-system' }, { system: 'https://hospital.test/mrn', value: 'MRN-4' }, { system: 'https://hospital.test/mrn', value: 'MRN-4' }] };
    expect((await repo.update(hospital, repeated)).resource.id).toBe('p4');
    const clash = { ...patient('p5', 'MRN-5'), identifier: [{ value: 'no-system' }, { system: 'https://hospital.test/mrn', value: 'MRN-4' }] };
    await expect(repo.update(hospital, clash)).rejects.toMatchObject({ status: 409, outcome: { issue: [{ expression: ['Patient.identifier[1]'] }] } });
  });

  it('searches by code, date prefixes, category, status and identifier, pages with a cursor, sorts and includes the subject', async () => {
    await repo.update(hospital, patient('p1', 'MRN-1'));
    await repo.update(hospital, patient('p2', 'MRN-2'));
    const dates = ['2023-02-10T09:00:00Z', '2024-02-10T09:00:00Z', '2025-02-10T09:00:00Z', '2025-06-30T23:30:00-05:00'];
    for (const [i, date] of dates.entries()) await repo.create(hospital, observation('p1', '2093-3', 200 + i, date));
    await repo.create(hospital, observation('p1', '2085-9', 50, '2025-02-10T09:00:00Z'));
    await repo.create(hospital, observation('p1', '8867-4', 70, '2025-02-10T09:00:00Z', 'vital-signs'));
    await repo.create(hospital, observation('p2', '2093-3', 180, '2025-02-11T09:00:00Z'));
    const values = async (query: string, extra: Partial<SearchQuery> = {}) =>
      (await repo.search(hospital, search('Observation', query, extra))).matches.map((m) => (m.resource['valueQuantity'] as { value: number }).value);

    expect(await values('patient=Patient/p1&code=http://loinc.org|2093-3', { sort: 'date' })).toEqual([200, 201, 202, 203]);
    expect(await values('patient=p1&code=2093-3', { sort: '-date' })).toEqual([203, 202, 201, 200]);
    expect(await values('code=|2093-3')).toEqual([]);
    expect(await values('code=2093-3&date=ge2024-01-01&date=lt2025-06-01', { sort: 'date' })).toEqual([201, 202, 180]);
    expect(await values('code=2093-3&date=ge2024-01-01&date=lt2025-06-01', { sort: '-_lastUpdated' })).toEqual([180, 202, 201]);
    expect(await values('code=2093-3&date=2025-07-01', { sort: 'date' })).toEqual([203]);
    expect(await values('code=2093-3&date=ne2025-02-10', { sort: 'date' })).toEqual([200, 201, 180, 203]);
    expect((await values('patient=p1&date=2025-02')).sort((x, y) => x - y)).toEqual([50, 70, 202]);
    expect((await values('patient=p1&category=vital-signs'))).toEqual([70]);
    expect((await values('patient=p1&status=amended'))).toEqual([]);

    const first = await repo.search(hospital, search('Observation', 'patient=p1&code=2093-3', { count: 3, sort: 'date' }));
    expect([first.total, first.matches.length, typeof first.next]).toEqual([4, 3, 'string']);
    const second = await repo.search(hospital, search('Observation', 'patient=p1&code=2093-3', { count: 3, sort: 'date', cursor: first.next! }));
    expect([second.matches.length, second.next]).toEqual([1, undefined]);

    const withPatient = await repo.search(hospital, search('Observation', 'patient=p2', { include: ['Observation:subject'] }));
    expect(withPatient.included.map((p) => p.resource.id)).toEqual(['p2']);
    expect((await repo.search(hospital, search('Observation', 'patient=p2', { include: ['Observation:patient'] }))).included.map((p) => p.resource.id)).toEqual(['p2']);
    expect((await values('patient=p1&code=http://loinc.org|')).sort((x, y) => x - y)).toEqual([50, 70, 200, 201, 202, 203]);
    expect((await repo.search(hospital, search('Patient', 'identifier=https://hospital.test/mrn|MRN-2'))).matches.map((m) => m.resource.id)).toEqual(['p2']);
    expect((await repo.search(hospital, search('Patient', 'identifier=https://hospital.test/mrn|MRN-404'))).matches).toEqual([]);
  });

  it('finds periods long, short and open-ended with every date prefix and pair of prefixes', async () => {
    await repo.update(hospital, patient('p1', 'MRN-1'));
    const encounter = (period: { start: string; end?: string }) => ({ resourceType: 'Encounter', status: 'finished', class: { code: 'AMB' }, subject: { reference: 'Patient/p1' }, period });
    const ids: Record<string, string> = {};
    for (const [name, period] of Object.entries({
      long: { start: '2025-01-10', end: '2025-12-20' },
      open: { start: '2025-01-10' },
      short: { start: '2025-06-02T09:00:00Z', end: '2025-06-02T10:00:00Z' },
      decade: { start: '2010-01-01', end: '2024-12-31' },
    })) {
      ids[(await repo.create(hospital, encounter(period))).stored.resource.id] = name;
    }
    const names = async (query: string) => (await repo.search(hospital, search('Encounter', `patient=p1&${query}`))).matches.map((m) => ids[m.resource.id]).sort();
    expect(await names('date=gt2025-06-01&date=lt2025-06-03')).toEqual(['long', 'open', 'short']);
    expect(await names('date=ge2025-06-01&date=le2025-07-31')).toEqual(['long', 'open', 'short']);
    expect(await names('date=2025-06-02')).toEqual(['short']);
    expect(await names('date=gt2025-06-01')).toEqual(['long', 'open', 'short']);
    expect(await names('date=lt2025-06-03')).toEqual(['decade', 'long', 'open', 'short']);
    expect(await names('date=ge2012-01-01&date=le2012-12-31')).toEqual(['decade']);
  });

  it('conditionally creates: none → create, one → that one (also by identifier where unreadable), several → 412', async () => {
    const first = await repo.create(hospital, patient('ignored', 'MRN-7'), { ifNoneExist: params('identifier=https://hospital.test/mrn|MRN-7') });
    expect(first.created).toBe(true);
    const again = await repo.create(hospital, patient('ignored', 'MRN-7'), { ifNoneExist: params('identifier=https://hospital.test/mrn|MRN-7') });
    expect([again.created, again.stored.resource.id]).toEqual([false, first.stored.resource.id]);
    const elsewhere = await repo.create(otherHospital, patient('ignored', 'MRN-7'), { ifNoneExist: params('identifier=https://hospital.test/mrn|MRN-7') });
    expect(elsewhere).toEqual({ created: false, readable: false, stored: { deleted: false, resource: { resourceType: 'Patient', id: first.stored.resource.id, meta: first.stored.resource.meta } } });
    const pid = first.stored.resource.id;
    await repo.create(hospital, observation(pid, '2093-3', 1, '2025-01-01'));
    await repo.create(hospital, observation(pid, '2093-3', 2, '2025-01-02'));
    expect(await outcomeOf(repo.create(hospital, observation(pid, '2093-3', 3, '2025-01-03'), { ifNoneExist: params(`patient=${pid}&code=2093-3`) }))).toEqual({
      status: 412,
      diagnostics: 'If-None-Exist matched 2 Observation resources; it must match at most one',
    });
  });

  it('makes one record of many concurrent identical conditional creates', async () => {
    await repo.update(hospital, patient('p1', 'MRN-1'));
    const tagged = { ...observation('p1', '2093-3', 1, '2025-01-01'), identifier: [{ system: 'urn:lab', value: 'L-7' }] };
    const results = await Promise.all(Array.from({ length: 12 }, () => repo.create(hospital, tagged, { ifNoneExist: params('identifier=urn:lab|L-7') })));
    expect(results.filter((r) => r.created).length).toBe(1);
    expect(new Set(results.map((r) => r.stored.resource.id)).size).toBe(1);
    const patients = await Promise.all(Array.from({ length: 6 }, () => repo.create(hospital, patient('ignored', 'MRN-9'), { ifNoneExist: params('identifier=https://hospital.test/mrn|MRN-9') })));
    expect([patients.filter((r) => r.created).length, new Set(patients.map((r) => r.stored.resource.id)).size]).toEqual([1, 1]);
    expect((await repo.search(hospital, search('Observation', 'patient=p1'))).total).toBe(1);
  });

  it('commits a transaction whole or not at all', async () => {
    await repo.update(hospital, patient('p1', 'MRN-1'));
    await expect(
      repo.transaction(async (tx) => {
        await tx.create(hospital, observation('p1', '2093-3', 1, '2025-01-01'));
        await tx.create(hospital, observation('nobody', '2093-3', 2, '2025-01-01'));
      }),
    ).rejects.toThrow('expected a reference to a Patient stored here; Patient/nobody is not');
    expect((await repo.search(hospital, search('Observation', 'patient=p1'))).total).toBe(0);
    const counts = await sql<{ n: number }>`select count(*) as n from record_version`.execute(database.db);
    expect(Number(counts.rows[0]!.n)).toBe(1);
    const keys = await sql<{ n: number }>`select count(*) as n from record_key`.execute(database.db);
    expect(Number(keys.rows[0]!.n)).toBe(1);
  });

  it('hands the store to its patient at the claim: the gateway can no longer read it, the patient opens every version', async () => {
    await repo.update(hospital, patient('p1', 'MRN-1'));
    const { stored } = await repo.create(hospital, observation('p1', '2093-3', 212, '2025-03-01T08:00:00Z'));
    await repo.update(hospital, { ...stored.resource, status: 'amended' });
    const keys = derivePatientKeys(MNEMONIC);
    const claim = await buildStoreClaim(keys, 'p1', GATEWAY, Math.floor(now / 1000));

    expect(await stores.status(patientUser('p9'))).toEqual({ patient: 'p9', exists: false, claimed: false, records: 0 });
    expect(await outcomeOf(stores.exportSealed(patientUser('p1')))).toEqual({ status: 409, diagnostics: 'claim your store first: until then its records are sealed to the escrow key, not to yours' });
    expect(await outcomeOf(stores.claim(patientUser('p2'), claim))).toEqual({ status: 404, diagnostics: 'no store for Patient/p1 is yours' });
    expect(await outcomeOf(stores.claim(patientUser('p1'), { ...claim, issuedAt: claim.issuedAt - 3600 }))).toEqual({ status: 400, diagnostics: 'issuedAt: expected a time within 600 s of now, got one that is not (sign a fresh claim)' });
    expect(await outcomeOf(stores.claim(patientUser('p1'), { ...claim, gateway: 'https://elsewhere' }))).toEqual({ status: 400, diagnostics: `gateway: expected ${GATEWAY}, got a claim for another gateway` });

    const status = await stores.claim(patientUser('p1'), claim);
    expect(status).toEqual({ patient: 'p1', exists: true, claimed: true, claimedAt: new Date(now).toISOString(), address: keys.address, records: 2 });
    expect(await outcomeOf(stores.claim(patientUser('p1'), claim))).toEqual({ status: 409, diagnostics: 'this store is already claimed' });
    const escrow = await database.db.selectFrom('patient_store').select(['escrow_secret']).where('patient_id', '=', 'p1').executeTakeFirstOrThrow();
    expect(escrow).toEqual({ escrow_secret: null });

    expect(await outcomeOf(repo.read(hospital, 'Observation', stored.resource.id))).toEqual({ status: 404, diagnostics: `Observation/${stored.resource.id} is not known` });
    expect((await repo.search(hospital, search('Observation', 'patient=p1'))).matches).toEqual([]);
    // The hospital still writes (sealed straight to the patient's compartment key) and the patient reads it.
    const tagged = { ...observation('p1', '2085-9', 48, '2025-09-01T08:00:00Z'), identifier: [{ system: 'urn:lab', value: 'L-1' }] };
    const later = await repo.create(hospital, tagged, { ifNoneExist: params('identifier=urn:lab|L-1') });
    expect(later.created).toBe(true);
    // Idempotent ingestion still works on the claimed store: the blind index finds the record the hospital can no longer read.
    expect(await repo.create(hospital, tagged, { ifNoneExist: params('identifier=urn:lab|L-1') })).toEqual({
      created: false,
      readable: false,
      stored: { deleted: false, resource: { resourceType: 'Observation', id: later.stored.resource.id, meta: later.stored.resource.meta } },
    });

    const opened = openSealedStore(keys, await stores.exportSealed(patientUser('p1')));
    expect(opened.map((r) => [r.resourceType, r.versionId, (r.resource as { status?: string } | undefined)?.status])).toEqual([
      ['Patient', '1', undefined],
      ['Observation', '1', 'final'],
      ['Observation', '2', 'amended'],
      ['Observation', '1', 'final'],
    ]);
    expect(opened[3]!.resource).toEqual(later.stored.resource);
    expect(opened[0]!.resource).toEqual({ ...patient('p1', 'MRN-1'), meta: opened[0]!.resource!['meta'] });
  });

  it('re-wraps the keys of a write that was in flight during the claim, so no record is left sealed to the destroyed escrow', async () => {
    await repo.update(hospital, patient('p1', 'MRN-1'));
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let wrote!: () => void;
    const written = new Promise<void>((r) => (wrote = r));
    const writer = repo.transaction(async (tx) => {
      await tx.create(hospital, observation('p1', '2093-3', 1, '2025-01-01'));
      wrote();
      await held;
      await tx.create(hospital, observation('p1', '8867-4', 2, '2025-01-02', 'vital-signs'));
    });
    await written;
    const keys = derivePatientKeys(MNEMONIC);
    let claimed = false;
    const claiming = stores.claim(patientUser('p1'), await buildStoreClaim(keys, 'p1', GATEWAY, Math.floor(now / 1000))).then(() => (claimed = true));
    await new Promise((r) => setTimeout(r, 100));
    // The claim must still be waiting for the write in flight (the row lock on PostgreSQL, the connection on SQLite).
    expect(claimed).toBe(false);
    release();
    await writer;
    await claiming;
    const recipients = await database.db.selectFrom('record_key').select('recipient').where('patient_id', '=', 'p1').execute();
    expect(recipients.map((r) => r.recipient)).toEqual(recipients.map(() => 'patient'));
    expect(openSealedStore(keys, await stores.exportSealed(patientUser('p1'))).map((r) => r.resourceType)).toEqual(['Patient', 'Observation', 'Observation']);
  });

  it('fails a read whose ciphertext was altered or moved with an integrity outcome, never garbage', async () => {
    await repo.update(hospital, patient('p1', 'MRN-1'));
    const a = (await repo.create(hospital, observation('p1', '2093-3', 1, '2025-01-01'))).stored.resource.id;
    const b = (await repo.create(hospital, observation('p1', '2093-3', 2, '2025-01-02'))).stored.resource.id;
    const row = await database.db.selectFrom('record_version').select('sealed').where('resource_id', '=', a).executeTakeFirstOrThrow();
    const flipped = new Uint8Array(row.sealed!);
    flipped[flipped.length - 20]! ^= 0x01;
    await database.db.updateTable('record_version').set({ sealed: flipped }).where('resource_id', '=', a).execute();
    expect(await outcomeOf(repo.read(hospital, 'Observation', a))).toEqual({ status: 500, diagnostics: `Observation/${a}/_history/1 failed its integrity check (the stored ciphertext was altered or moved); the incident is logged` });
    await database.db.updateTable('record_version').set({ sealed: row.sealed }).where('resource_id', '=', b).execute();
    expect(await outcomeOf(repo.read(hospital, 'Observation', b))).toEqual({ status: 500, diagnostics: `Observation/${b}/_history/1 failed its integrity check (the stored ciphertext was altered or moved); the incident is logged` });
  });
});
