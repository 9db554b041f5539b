import type { Client } from 'fhir-kit-client';
import { startGateway, type StartedGateway } from '../support/gateway.js';
import { hospitalAccessToken } from '../support/oidc.js';
import { failureOf, fhirClient, postBundle, type FhirBundle, type StoredFhirResource } from '../support/fhir.js';

const PATIENT_URN = 'urn:uuid:0b6a4c5e-8f35-4f7e-9d1c-6a1f00000001';

const observation = (system: string, value: string, subject: string, extra: Record<string, unknown> = {}) => ({
  resourceType: 'Observation',
  status: 'final',
  identifier: [{ system, value }],
  code: { coding: [{ system: 'http://loinc.org', code: '8867-4' }] },
  subject: { reference: subject },
  effectiveDateTime: '2025-02-01T08:00:00Z',
  ...extra,
});

describe('transaction and batch Bundles (hospital system through fhir-kit-client)', () => {
  let gateway: StartedGateway;
  let fhir: Client;
  const post = (bundle: unknown) => postBundle(fhir, gateway.baseUrl, bundle);
  const searchTotal = async (resourceType: string, identifier: string) => ((await fhir.search({ resourceType, searchParams: { identifier } })) as unknown as FhirBundle).total;

  beforeAll(async () => {
    gateway = await startGateway();
    fhir = fhirClient(gateway.baseUrl, await hospitalAccessToken(gateway));
    await fhir.update({ resourceType: 'Patient', id: 'bundle-1', body: { resourceType: 'Patient', id: 'bundle-1' } });
  });
  afterAll(async () => gateway.close());

  it('rewrites urn:uuid references to the new ids in the stored resources and answers each entry in the order sent', async () => {
    const response = await post({
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        // The Observation comes first but refers to the Patient created after it in the Bundle.
        { fullUrl: 'urn:uuid:0b6a4c5e-8f35-4f7e-9d1c-6a1f00000002', resource: observation('urn:tx:ok', 'obs', PATIENT_URN), request: { method: 'POST', url: 'Observation' } },
        { fullUrl: PATIENT_URN, resource: { resourceType: 'Patient', identifier: [{ system: 'urn:tx:ok', value: 'patient' }] }, request: { method: 'POST', url: 'Patient' } },
        {
          resource: { resourceType: 'Condition', id: 'tx-condition-1', code: { text: 'hypertension' }, subject: { reference: PATIENT_URN }, evidence: [{ detail: [{ reference: 'urn:uuid:0b6a4c5e-8f35-4f7e-9d1c-6a1f00000002' }] }] },
          request: { method: 'PUT', url: 'Condition/tx-condition-1' },
        },
      ],
    });
    expect(response.type).toBe('transaction-response');
    const [obs, patient, condition] = response.entry!;
    const patientId = patient!.resource!.id;
    const obsId = obs!.resource!.id;
    expect(response.entry!.map((e) => [e.response!.status, e.response!.location, e.response!.etag])).toEqual([
      ['201 Created', `Observation/${obsId}/_history/1`, 'W/"1"'],
      ['201 Created', `Patient/${patientId}/_history/1`, 'W/"1"'],
      ['201 Created', 'Condition/tx-condition-1/_history/1', 'W/"1"'],
    ]);
    expect(condition!.resource!.id).toBe('tx-condition-1');

    const storedObs = (await fhir.read({ resourceType: 'Observation', id: obsId })) as unknown as StoredFhirResource;
    expect(storedObs.subject).toEqual({ reference: `Patient/${patientId}` });
    const storedCondition = (await fhir.read({ resourceType: 'Condition', id: 'tx-condition-1' })) as unknown as StoredFhirResource;
    expect([storedCondition.subject, storedCondition.evidence]).toEqual([{ reference: `Patient/${patientId}` }, [{ detail: [{ reference: `Observation/${obsId}` }] }]]);
    expect(await fhir.read({ resourceType: 'Patient', id: patientId })).toEqual(patient!.resource);
    expect(await searchTotal('Observation', 'urn:tx:ok|obs')).toBe(1);
  });

  it('stores nothing of a transaction whose last entry is invalid, and names that entry in a 400', async () => {
    const failure = await failureOf(
      post({
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          { fullUrl: PATIENT_URN, resource: { resourceType: 'Patient', identifier: [{ system: 'urn:tx:invalid', value: 'patient' }] }, request: { method: 'POST', url: 'Patient' } },
          { resource: observation('urn:tx:invalid', 'first', PATIENT_URN), request: { method: 'POST', url: 'Observation' } },
          { resource: observation('urn:tx:invalid', 'last', 'Patient/bundle-1', { status: 'bogus' }), request: { method: 'POST', url: 'Observation' } },
        ],
      }),
    );
    expect(failure).toEqual({
      status: 400,
      data: {
        resourceType: 'OperationOutcome',
        issue: [{ severity: 'error', code: 'value', diagnostics: 'Value is not in the required value set http://hl7.org/fhir/ValueSet/observation-status', expression: ['Bundle.entry[2].resource.status'] }],
      },
    });
    expect([await searchTotal('Patient', 'urn:tx:invalid|patient'), await searchTotal('Observation', 'urn:tx:invalid|first')]).toEqual([0, 0]);
  });

  it('rolls back the writes already made when the last entry fails while the transaction runs (422)', async () => {
    const failure = await failureOf(
      post({
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          { fullUrl: PATIENT_URN, resource: { resourceType: 'Patient', identifier: [{ system: 'urn:tx:rollback', value: 'patient' }] }, request: { method: 'POST', url: 'Patient' } },
          { resource: observation('urn:tx:rollback', 'first', PATIENT_URN), request: { method: 'POST', url: 'Observation' } },
          { resource: observation('urn:tx:rollback', 'second', 'Patient/bundle-1'), request: { method: 'POST', url: 'Observation' } },
          { resource: observation('urn:tx:rollback', 'last', 'Patient/not-stored-here'), request: { method: 'POST', url: 'Observation' } },
        ],
      }),
    );
    expect(failure).toEqual({
      status: 422,
      data: {
        resourceType: 'OperationOutcome',
        issue: [{ severity: 'error', code: 'processing', diagnostics: 'expected a reference to a Patient stored here; Patient/not-stored-here is not', expression: ['Bundle.entry[3].resource.subject'] }],
      },
    });
    const totals = await Promise.all([searchTotal('Patient', 'urn:tx:rollback|patient'), searchTotal('Observation', 'urn:tx:rollback|first'), searchTotal('Observation', 'urn:tx:rollback|second')]);
    expect(totals).toEqual([0, 0, 0]);
  });

  it('answers a batch entry by entry: one bad entry fails alone and the others are stored', async () => {
    const response = await post({
      resourceType: 'Bundle',
      type: 'batch',
      entry: [
        { resource: observation('urn:batch', 'one', 'Patient/bundle-1'), request: { method: 'POST', url: 'Observation' } },
        { resource: observation('urn:batch', 'two', 'Patient/bundle-1', { status: 'bogus' }), request: { method: 'POST', url: 'Observation' } },
        { resource: observation('urn:batch', 'three', 'Patient/bundle-1'), request: { method: 'POST', url: 'Observation' } },
        { request: { method: 'GET', url: 'Observation/not-there' } },
      ],
    });
    expect(response.type).toBe('batch-response');
    const [one, two, three, four] = response.entry!;
    expect([one!.response!.status, one!.response!.location]).toEqual(['201 Created', `Observation/${one!.resource!.id}/_history/1`]);
    expect(two).toEqual({
      response: {
        status: '400 Bad Request',
        outcome: {
          resourceType: 'OperationOutcome',
          issue: [{ severity: 'error', code: 'value', diagnostics: 'Value is not in the required value set http://hl7.org/fhir/ValueSet/observation-status', expression: ['Bundle.entry[1].resource.status'] }],
        },
      },
    });
    expect([three!.response!.status, three!.response!.location]).toEqual(['201 Created', `Observation/${three!.resource!.id}/_history/1`]);
    expect(four).toEqual({
      response: { status: '404 Not Found', outcome: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-found', diagnostics: 'Observation/not-there is not known', expression: ['Bundle.entry[3]'] }] } },
    });
    expect(await fhir.read({ resourceType: 'Observation', id: one!.resource!.id })).toEqual(one!.resource);
    expect(await fhir.read({ resourceType: 'Observation', id: three!.resource!.id })).toEqual(three!.resource);
    expect([await searchTotal('Observation', 'urn:batch|one'), await searchTotal('Observation', 'urn:batch|two'), await searchTotal('Observation', 'urn:batch|three')]).toEqual([1, 0, 1]);
  });

  it("accepts Bundles from fhir-kit-client's own transaction() and batch(), which POST to the base URL with a trailing slash", async () => {
    const entry = (value: string) => ({ resource: observation('urn:fkc', value, 'Patient/bundle-1'), request: { method: 'POST', url: 'Observation' } });
    const transaction = (await fhir.transaction({ body: { resourceType: 'Bundle', type: 'transaction', entry: [entry('transaction')] } })) as unknown as FhirBundle;
    const batch = (await fhir.batch({ body: { resourceType: 'Bundle', type: 'batch', entry: [entry('batch')] } })) as unknown as FhirBundle;
    expect([transaction.type, transaction.entry![0]!.response!.status, batch.type, batch.entry![0]!.response!.status]).toEqual(['transaction-response', '201 Created', 'batch-response', '201 Created']);
    expect([await searchTotal('Observation', 'urn:fkc|transaction'), await searchTotal('Observation', 'urn:fkc|batch')]).toEqual([1, 1]);
  });
});
