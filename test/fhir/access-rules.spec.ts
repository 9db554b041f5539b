import type { Client } from 'fhir-kit-client';
import { buildStoreClaim, derivePatientKeys, openSealedStore, type PatientKeys, type SealedStoreExport } from '../../gateway/src/crypto/index.js';
import { startGateway, type StartedGateway } from '../support/gateway.js';
import { demoAccessToken, hospitalAccessToken, readDemoAccounts } from '../support/oidc.js';
import { failureOf, fhirClient, httpOf, postBundle, rawRequest, type FhirBundle, type StoredFhirResource } from '../support/fhir.js';

const PEOPLE = ['dr.chen', 'alice', 'bob', 'audrey', 'sam'] as const;
type Person = (typeof PEOPLE)[number];

const observation = (patient: string, extra: Record<string, unknown> = {}) => ({
  resourceType: 'Observation',
  status: 'final',
  code: { coding: [{ system: 'http://loinc.org', code: '8867-4' }] },
  subject: { reference: `Patient/${patient}` },
  effectiveDateTime: '2025-05-01T08:00:00Z',
  ...extra,
});
const outcome = (status: number, code: string, diagnostics: string, expression?: string) => ({
  status,
  data: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code, diagnostics, ...(expression ? { expression: [expression] } : {}) }] },
});
const notKnown = (record: StoredFhirResource) => outcome(404, 'not-found', `${record.resourceType}/${record.id} is not known`);
const NOT_A_WRITER = outcome(403, 'forbidden', 'writing records requires the hospital-system role');
const created = async (call: Promise<unknown>) => (await call) as unknown as StoredFhirResource;

describe('who may do what with the records (hospital custody, patient claim; no consent yet)', () => {
  let gateway: StartedGateway;
  let hospital: Client;
  const client: Partial<Record<Person, Client>> = {};
  const token: Partial<Record<Person, string>> = {};
  /** Every version the hospital wrote for alice, as it answered them. */
  const aliceVersions: StoredFhirResource[] = [];
  let aliceObservation: StoredFhirResource;
  let bobObservation: StoredFhirResource;
  let aliceKeys: PatientKeys;
  let bobKeys: PatientKeys;

  const api = (path: string, person: Person, body?: unknown) =>
    rawRequest(`${gateway.baseUrl}/api/patient-store${path}`, token[person]!, body === undefined ? { method: 'GET' } : { body: JSON.stringify(body), contentType: 'application/json' });
  const search = async (who: Client, searchParams: Record<string, string>) => (await who.search({ resourceType: 'Observation', searchParams })) as unknown as FhirBundle;

  beforeAll(async () => {
    gateway = await startGateway();
    hospital = fhirClient(gateway.baseUrl, await hospitalAccessToken(gateway));
    for (const person of PEOPLE) {
      token[person] = await demoAccessToken(gateway, person);
      client[person] = fhirClient(gateway.baseUrl, token[person]!);
    }
    const users = readDemoAccounts(gateway.dataDir).users;
    aliceKeys = derivePatientKeys(users.find((u) => u.username === 'alice')!.mnemonic!);
    bobKeys = derivePatientKeys(users.find((u) => u.username === 'bob')!.mnemonic!);
    aliceVersions.push(await created(hospital.update({ resourceType: 'Patient', id: 'pat-alice', body: { resourceType: 'Patient', id: 'pat-alice', gender: 'female' } })));
    aliceObservation = await created(hospital.create({ resourceType: 'Observation', body: observation('pat-alice') }));
    aliceVersions.push(aliceObservation);
    aliceVersions.push(await created(hospital.create({ resourceType: 'Condition', body: { resourceType: 'Condition', code: { text: 'asthma' }, subject: { reference: 'Patient/pat-alice' } } })));
  });
  afterAll(async () => gateway.close());

  it("gives bob nothing of alice's store: his export answers 404 while he has no store of his own", async () => {
    expect(await api('/export', 'bob')).toEqual({ status: 404, contentType: 'application/fhir+json; charset=utf-8', body: outcome(404, 'not-found', 'no store exists for this patient yet').data });
  });

  describe('before the claim', () => {
    beforeAll(async () => {
      await hospital.update({ resourceType: 'Patient', id: 'pat-bob', body: { resourceType: 'Patient', id: 'pat-bob' } });
      bobObservation = await created(hospital.create({ resourceType: 'Observation', body: observation('pat-bob') }));
    });

    it('lets the hospital system read, vread, history and search the records it wrote', async () => {
      for (const record of [aliceObservation, bobObservation]) {
        expect(await hospital.read({ resourceType: 'Observation', id: record.id })).toEqual(record);
        expect(await hospital.vread({ resourceType: 'Observation', id: record.id, version: '1' })).toEqual(record);
        expect(((await hospital.history({ resourceType: 'Observation', id: record.id })) as unknown as FhirBundle).entry!.map((e) => e.resource)).toEqual([record]);
      }
      const found = await search(hospital, { patient: 'pat-alice' });
      expect([found.total, found.entry!.map((e) => e.resource)]).toEqual([1, [aliceObservation]]);
    });

    it.each([
      ['dr.chen', 'alice'],
      ['dr.chen', 'bob'],
      ['alice', 'bob'],
      ['alice', 'alice'],
      ['bob', 'alice'],
      ['audrey', 'alice'],
      ['sam', 'bob'],
    ] as const)('answers %s 404 on read, vread and history of %s’s record, and searches with total 0', async (person, owner) => {
      const record = owner === 'alice' ? aliceObservation : bobObservation;
      const who = client[person]!;
      expect(await failureOf(who.read({ resourceType: 'Observation', id: record.id }))).toEqual(notKnown(record));
      expect(await failureOf(who.vread({ resourceType: 'Observation', id: record.id, version: '1' }))).toEqual(notKnown(record));
      expect(await failureOf(who.history({ resourceType: 'Observation', id: record.id }))).toEqual(notKnown(record));
      for (const params of [{ patient: `pat-${owner}` }, { _id: record.id }, {}] as Record<string, string>[]) {
        const bundle = await search(who, params);
        expect({ params, total: bundle.total, entry: bundle.entry }).toEqual({ params, total: 0, entry: [] });
      }
    });

    it.each(['dr.chen', 'alice', 'audrey', 'sam'] as const)('answers %s 403 on create, update, delete and transaction', async (person) => {
      const who = client[person]!;
      expect(await failureOf(who.create({ resourceType: 'Observation', body: observation('pat-alice') }))).toEqual(NOT_A_WRITER);
      expect(await failureOf(who.update({ resourceType: 'Observation', id: aliceObservation.id, body: { ...aliceObservation, status: 'cancelled' } }))).toEqual(NOT_A_WRITER);
      expect(await failureOf(who.delete({ resourceType: 'Observation', id: aliceObservation.id }))).toEqual(NOT_A_WRITER);
      const bundle = { resourceType: 'Bundle', type: 'transaction', entry: [{ resource: observation('pat-alice'), request: { method: 'POST', url: 'Observation' } }] };
      expect(await failureOf(postBundle(who, gateway.baseUrl, bundle))).toEqual(outcome(403, 'forbidden', 'writing records requires the hospital-system role', 'Bundle.entry[0]'));
      expect(await hospital.read({ resourceType: 'Observation', id: aliceObservation.id })).toEqual(aliceObservation);
    });

    it('answers bob’s export for his own store only: 409 while it is unclaimed', async () => {
      expect(await api('/export', 'bob')).toEqual({
        status: 409,
        contentType: 'application/fhir+json; charset=utf-8',
        body: outcome(409, 'conflict', 'claim your store first: until then its records are sealed to the escrow key, not to yours').data,
      });
    });
  });

  describe('alice claims her store', () => {
    it.each([
      ['posted by bob', 'bob', () => buildStoreClaim(aliceKeys, 'pat-alice', gateway.baseUrl), () => outcome(404, 'not-found', 'no store for Patient/pat-alice is yours')],
      ['signed by the wrong key (bob’s)', 'alice', () => buildStoreClaim({ ...aliceKeys, signingKey: bobKeys.signingKey }, 'pat-alice', gateway.baseUrl), () => outcome(400, 'invalid', 'signature: the claim is not signed by its address (or was altered after signing)')],
      ['signed an hour ago', 'alice', () => buildStoreClaim(aliceKeys, 'pat-alice', gateway.baseUrl, Math.floor(Date.now() / 1000) - 3600), () => outcome(400, 'invalid', 'issuedAt: expected a time within 600 s of now, got one that is not (sign a fresh claim)', 'issuedAt')],
      ['dated an hour ahead', 'alice', () => buildStoreClaim(aliceKeys, 'pat-alice', gateway.baseUrl, Math.floor(Date.now() / 1000) + 3600), () => outcome(400, 'invalid', 'issuedAt: expected a time within 600 s of now, got one that is not (sign a fresh claim)', 'issuedAt')],
      ['for another gateway', 'alice', () => buildStoreClaim(aliceKeys, 'pat-alice', 'https://other-gateway.example'), () => outcome(400, 'invalid', `gateway: expected ${gateway.baseUrl}, got a claim for another gateway`, 'gateway')],
    ] as const)('refuses a claim %s', async (_case, person, claim, refusal) => {
      const expected = refusal();
      expect(await api('/claim', person, await claim())).toEqual({ status: expected.status, contentType: 'application/fhir+json; charset=utf-8', body: expected.data });
      expect((await api('', 'alice')).body).toEqual({ patient: 'pat-alice', exists: true, claimed: false, records: 3 });
    });

    it('accepts alice’s claim signed with the keys of her demo mnemonic, and refuses it replayed with 409', async () => {
      const claim = await buildStoreClaim(aliceKeys, 'pat-alice', gateway.baseUrl);
      const answer = await api('/claim', 'alice', claim);
      const claimedAt = (answer.body as { claimedAt: string }).claimedAt;
      expect(answer).toEqual({ status: 200, contentType: 'application/json; charset=utf-8', body: { patient: 'pat-alice', exists: true, claimed: true, claimedAt, address: aliceKeys.address, records: 3 } });
      expect(Math.abs(Date.parse(claimedAt) - Date.now())).toBeLessThan(60_000);
      expect(await api('/claim', 'alice', claim)).toEqual({ status: 409, contentType: 'application/fhir+json; charset=utf-8', body: outcome(409, 'conflict', 'this store is already claimed').data });
    });

    it('answers the hospital system 404 on alice’s records and empty searches, while bob’s stay readable', async () => {
      for (const record of aliceVersions) {
        expect(await failureOf(hospital.read({ resourceType: record.resourceType, id: record.id }))).toEqual(notKnown(record));
        expect(await failureOf(hospital.vread({ resourceType: record.resourceType, id: record.id, version: '1' }))).toEqual(notKnown(record));
        expect(await failureOf(hospital.history({ resourceType: record.resourceType, id: record.id }))).toEqual(notKnown(record));
      }
      for (const params of [{ patient: 'pat-alice' }, { _id: aliceObservation.id }] as Record<string, string>[]) {
        const bundle = await search(hospital, params);
        expect({ params, total: bundle.total, entry: bundle.entry }).toEqual({ params, total: 0, entry: [] });
      }
      expect(await hospital.read({ resourceType: 'Observation', id: bobObservation.id })).toEqual(bobObservation);
      expect(await failureOf(client.alice!.read({ resourceType: 'Observation', id: aliceObservation.id }))).toEqual(notKnown(aliceObservation));
    });

    it('lets the hospital system still create and update alice’s records, which it then cannot read', async () => {
      const fresh = await created(hospital.create({ resourceType: 'Observation', body: observation('pat-alice', { effectiveDateTime: '2025-06-01T08:00:00Z' }) }));
      expect([httpOf(fresh).status, fresh.meta.versionId]).toEqual([201, '1']);
      const updated = await created(hospital.update({ resourceType: 'Observation', id: aliceObservation.id, body: { ...observation('pat-alice', { status: 'amended' }), id: aliceObservation.id } }));
      expect([httpOf(updated).status, updated.meta.versionId, updated.status]).toEqual([200, '2', 'amended']);
      aliceVersions.push(fresh, updated);
      expect(await failureOf(hospital.read({ resourceType: 'Observation', id: fresh.id }))).toEqual(notKnown(fresh));
    });

    it('gives alice an export that opens with her keys to exactly the versions written, including those after the claim', async () => {
      const answer = await api('/export', 'alice');
      expect(answer.status).toBe(200);
      const opened = openSealedStore(aliceKeys, answer.body as SealedStoreExport);
      const key = (r: { resourceType: string; id: string; versionId: string }) => `${r.resourceType}/${r.id}/${r.versionId}`;
      const expected = aliceVersions.map((r) => ({ resourceType: r.resourceType, id: r.id, versionId: r.meta.versionId, lastUpdated: r.meta.lastUpdated, deleted: false, resource: { ...r } }));
      const byKey = (a: { resourceType: string; id: string; versionId: string }, b: { resourceType: string; id: string; versionId: string }) => key(a).localeCompare(key(b));
      expect([...opened].sort(byKey)).toEqual(expected.sort(byKey));
      expect(() => openSealedStore(bobKeys, answer.body as SealedStoreExport)).toThrow(/does not open under this patient's keys/);
    });
  });

  it('answers /fhir without a token with 401 and WWW-Authenticate, except metadata', async () => {
    for (const [method, path] of [['GET', 'Observation'], ['GET', `Observation/${aliceObservation.id}`], ['POST', 'Observation']] as const) {
      const response = await fetch(`${gateway.baseUrl}/fhir/${path}`, { method, ...(method === 'POST' ? { headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify(observation('pat-bob')) } : {}) });
      expect([method, path, response.status, response.headers.get('www-authenticate'), response.headers.get('content-type'), await response.json()]).toEqual([
        method,
        path,
        401,
        'Bearer realm="fhir-gateway"',
        'application/fhir+json; charset=utf-8',
        outcome(401, 'login', 'missing bearer token: send "Authorization: Bearer <access token>"').data,
      ]);
    }
    expect((await fetch(`${gateway.baseUrl}/fhir/metadata`)).status).toBe(200);
  });
});
