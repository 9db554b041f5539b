import type { Client } from 'fhir-kit-client';
import { startGateway, type StartedGateway } from '../support/gateway.js';
import { hospitalAccessToken } from '../support/oidc.js';
import { allPages, failureOf, fhirClient, httpOf, matchIds, postBundle, type FhirBundle, type StoredFhirResource } from '../support/fhir.js';
import { createTestDatabase, describePostgres, type TestDatabase } from '../support/postgres.js';

const observation = (subject: string, day: string, code: string, value: string) => ({
  resourceType: 'Observation',
  status: 'final',
  identifier: [{ system: 'urn:core', value }],
  code: { coding: [{ system: 'http://loinc.org', code }] },
  subject: { reference: subject },
  effectiveDateTime: `${day}T09:00:00Z`,
});

/**
 * The core of the FHIR REST API (CRUD with versions, a transaction with placeholders and its rollback, search with
 * paging), run against a gateway started with `env()` (called once the suite runs, e.g. for a database URL).
 */
function coreFhirSuite(env: () => Record<string, string>): void {
  describe('core FHIR REST interactions', () => {
    let gateway: StartedGateway;
    let fhir: Client;

    beforeAll(async () => {
      gateway = await startGateway(env());
      fhir = fhirClient(gateway.baseUrl, await hospitalAccessToken(gateway));
      await fhir.update({ resourceType: 'Patient', id: 'core-1', body: { resourceType: 'Patient', id: 'core-1' } });
    });
    afterAll(async () => gateway?.close());

    it('creates, reads, updates with If-Match, refuses a stale If-Match, vreads, deletes and then answers 410', async () => {
      const v1 = (await fhir.create({ resourceType: 'Observation', body: observation('Patient/core-1', '2025-08-01', '8867-4', 'crud') })) as unknown as StoredFhirResource;
      expect([httpOf(v1).status, httpOf(v1).headers.get('etag'), httpOf(v1).headers.get('location')]).toEqual([201, 'W/"1"', `${gateway.baseUrl}/fhir/Observation/${v1.id}/_history/1`]);
      expect(await fhir.read({ resourceType: 'Observation', id: v1.id })).toEqual(v1);
      const v2 = (await fhir.update({ resourceType: 'Observation', id: v1.id, body: { ...v1, status: 'amended' }, options: { headers: { 'if-match': 'W/"1"' } } })) as unknown as StoredFhirResource;
      expect([httpOf(v2).status, v2.meta.versionId, v2.status]).toEqual([200, '2', 'amended']);
      expect(await failureOf(fhir.update({ resourceType: 'Observation', id: v1.id, body: v1, options: { headers: { 'if-match': 'W/"1"' } } }))).toEqual({
        status: 412,
        data: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'conflict', diagnostics: 'If-Match expected version 1, but the current version is 2' }] },
      });
      expect(await fhir.vread({ resourceType: 'Observation', id: v1.id, version: '1' })).toEqual(v1);
      expect(httpOf(await fhir.delete({ resourceType: 'Observation', id: v1.id })).status).toBe(204);
      expect(await failureOf(fhir.read({ resourceType: 'Observation', id: v1.id }))).toEqual({
        status: 410,
        data: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'deleted', diagnostics: `Observation/${v1.id} was deleted` }] },
      });
      const history = (await fhir.history({ resourceType: 'Observation', id: v1.id })) as unknown as FhirBundle;
      expect(history.entry!.map((e) => e.response!.etag)).toEqual(['W/"3"', 'W/"2"', 'W/"1"']);
    });

    it('stores a transaction with its urn:uuid references rewritten, and nothing of one whose last entry fails', async () => {
      const patientUrn = 'urn:uuid:5d0c1c59-2a9e-4d5b-9d7a-1a2b00000001';
      const response = await postBundle(fhir, gateway.baseUrl, {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          { resource: observation(patientUrn, '2025-08-02', '8867-4', 'tx-obs'), request: { method: 'POST', url: 'Observation' } },
          { fullUrl: patientUrn, resource: { resourceType: 'Patient', identifier: [{ system: 'urn:core', value: 'tx-patient' }] }, request: { method: 'POST', url: 'Patient' } },
        ],
      });
      const [obs, patient] = response.entry!;
      expect(response.entry!.map((e) => [e.response!.status, e.response!.location])).toEqual([
        ['201 Created', `Observation/${obs!.resource!.id}/_history/1`],
        ['201 Created', `Patient/${patient!.resource!.id}/_history/1`],
      ]);
      expect(((await fhir.read({ resourceType: 'Observation', id: obs!.resource!.id })) as unknown as StoredFhirResource).subject).toEqual({ reference: `Patient/${patient!.resource!.id}` });

      const failure = await failureOf(
        postBundle(fhir, gateway.baseUrl, {
          resourceType: 'Bundle',
          type: 'transaction',
          entry: [
            { resource: observation('Patient/core-1', '2025-08-03', '8867-4', 'rolled-back'), request: { method: 'POST', url: 'Observation' } },
            { resource: observation('Patient/nowhere', '2025-08-03', '8867-4', 'dangling'), request: { method: 'POST', url: 'Observation' } },
          ],
        }),
      );
      expect(failure).toEqual({
        status: 422,
        data: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'processing', diagnostics: 'expected a reference to a Patient stored here; Patient/nowhere is not', expression: ['Bundle.entry[1].resource.subject'] }] },
      });
      expect(((await fhir.search({ resourceType: 'Observation', searchParams: { identifier: 'urn:core|rolled-back' } })) as unknown as FhirBundle).total).toBe(0);
    });

    it('searches by code and date, pages with _count to the end through next links, and includes the subject', async () => {
      await fhir.update({ resourceType: 'Patient', id: 'core-paged', body: { resourceType: 'Patient', id: 'core-paged' } });
      const written: StoredFhirResource[] = [];
      for (let day = 1; day <= 5; day += 1) {
        written.push((await fhir.create({ resourceType: 'Observation', body: observation('Patient/core-paged', `2025-09-0${day}`, day % 2 ? '8867-4' : '2093-3', `paged-${day}`) })) as unknown as StoredFhirResource);
        // A few milliseconds apart: the default order is by meta.lastUpdated.
        await new Promise((resolve) => setTimeout(resolve, 3));
      }
      const pages = await allPages(fhir, (await fhir.search({ resourceType: 'Observation', searchParams: { patient: 'core-paged', _count: '2' } })) as unknown as FhirBundle);
      expect(pages.map(matchIds)).toEqual([[written[0]!.id, written[1]!.id], [written[2]!.id, written[3]!.id], [written[4]!.id]]);
      const search = async (searchParams: Record<string, string | string[]>) => matchIds((await fhir.search({ resourceType: 'Observation', searchParams })) as unknown as FhirBundle);
      expect(await search({ patient: 'core-paged', code: 'http://loinc.org|2093-3' })).toEqual([written[1]!.id, written[3]!.id]);
      expect(await search({ patient: 'core-paged', date: ['ge2025-09-02', 'lt2025-09-04'], _sort: '-date' })).toEqual([written[2]!.id, written[1]!.id]);
      const included = (await fhir.search({ resourceType: 'Observation', searchParams: { _id: written[0]!.id, _include: 'Observation:subject' } })) as unknown as FhirBundle;
      expect(included.entry!.map((e) => [e.search!.mode, `${e.resource!.resourceType}/${e.resource!.id}`])).toEqual([
        ['match', `Observation/${written[0]!.id}`],
        ['include', 'Patient/core-paged'],
      ]);
    });
  });
}

describe('FHIR REST on SQLite (embedded)', () => {
  coreFhirSuite(() => ({}));
});

describePostgres('FHIR REST on PostgreSQL', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => database?.drop());

  coreFhirSuite(() => ({ DATABASE_URL: database.url }));
});
