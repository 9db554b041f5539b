import { loadFhirDefinitions, unprocessable } from '../common/index.js';
import type { FhirResource } from '../store/index.js';
import { parseBundle } from './bundle-entries.js';
import { parsePrefer } from './prefer.js';
import { HOSPITAL } from './testing/principals.js';
import { MemoryFhirRepository } from './testing/memory-fhir-repository.js';
import { asyncOutcomeOf, outcomeOf } from './testing/outcome-of.js';
import { processTransaction } from './transaction.processor.js';

const context = { base: 'https://fhir.example.org/fhir' };
const P = 'urn:uuid:6f1f7c1e-0000-4000-8000-000000000001';
const O = 'urn:uuid:6f1f7c1e-0000-4000-8000-000000000002';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const patient = { resourceType: 'Patient', identifier: [{ system: 'http://hospital.example.org/mrn', value: 'MRN-1' }], gender: 'female' };
const observation = (subject: string) => ({ resourceType: 'Observation', status: 'final', code: { text: 'Hb' }, subject: { reference: subject }, valueQuantity: { value: 13.2 } });

function transaction(...entry: unknown[]): FhirResource {
  return { resourceType: 'Bundle', type: 'transaction', entry };
}

async function run(repository: MemoryFhirRepository, bundle: FhirResource, prefer?: string): Promise<FhirResource> {
  const preferences = parsePrefer(prefer);
  return processTransaction(repository, HOSPITAL, parseBundle(bundle, context, preferences.handling), context, preferences);
}

describe('a transaction Bundle (FHIR R4 §3.1.0.11)', () => {
  beforeAll(() => loadFhirDefinitions());

  it('processes DELETE, then POST, then PUT, then GET (FHIR R4 §3.1.0.11.2) and answers in the Bundle order', async () => {
    const repository = new MemoryFhirRepository();
    repository.seed({ resourceType: 'Observation', id: 'o1', status: 'preliminary', code: { text: 'Hb' } });
    repository.seed({ resourceType: 'Condition', id: 'c1', subject: { reference: 'Patient/x' } });
    const response = await run(
      repository,
      transaction(
        { request: { method: 'GET', url: 'Patient?identifier=http://hospital.example.org/mrn|MRN-1' } },
        { resource: { ...observation('Patient/x'), id: 'o1' }, request: { method: 'PUT', url: 'Observation/o1' } },
        { fullUrl: P, resource: patient, request: { method: 'POST', url: 'Patient' } },
        { request: { method: 'DELETE', url: 'Condition/c1' } },
        { resource: observation(P), request: { method: 'POST', url: 'Observation' } },
      ),
    );
    expect(repository.log.map((call) => call.replace(/\/[0-9a-f-]{36}$/, '/<uuid>'))).toEqual([
      'begin',
      'delete Condition/c1',
      'create Patient/<uuid>',
      'create Observation/<uuid>',
      'update Observation/o1',
      'search Patient',
      'commit',
    ]);
    const entries = response['entry'] as { response: { status: string }; resource?: FhirResource }[];
    expect(entries.map((e) => e.response.status)).toEqual(['200 OK', '200 OK', '201 Created', '204 No Content', '201 Created']);
    expect(entries[0]!.response).toEqual({ status: '200 OK' });
    expect(entries[3]!).toEqual({ response: { status: '204 No Content' } });
    // The GET ran last, so it finds the Patient the same transaction created.
    expect((entries[0]!.resource!['entry'] as unknown[]).length).toBe(1);
  });

  it('assigns ids to the creates and rewrites every placeholder reference to <Type>/<id>, creating referenced resources first', async () => {
    const repository = new MemoryFhirRepository();
    const report = { resourceType: 'DiagnosticReport', status: 'final', code: { text: 'CBC' }, subject: { reference: P }, result: [{ reference: O }] };
    const response = await run(
      repository,
      transaction(
        { fullUrl: 'urn:uuid:6f1f7c1e-0000-4000-8000-000000000003', resource: report, request: { method: 'POST', url: 'DiagnosticReport' } },
        { fullUrl: O, resource: observation(P), request: { method: 'POST', url: 'Observation' } },
        { fullUrl: P, resource: patient, request: { method: 'POST', url: 'Patient' } },
      ),
    );
    expect(repository.log.filter((c) => c.startsWith('create')).map((c) => c.split('/')[0])).toEqual(['create Patient', 'create Observation', 'create DiagnosticReport']);
    const [storedPatient] = repository.current('Patient');
    const [storedObservation] = repository.current('Observation');
    const [storedReport] = repository.current('DiagnosticReport');
    expect(storedPatient!.id).toMatch(UUID);
    expect(storedObservation!['subject']).toEqual({ reference: `Patient/${storedPatient!.id}` });
    expect(storedReport!['subject']).toEqual({ reference: `Patient/${storedPatient!.id}` });
    expect(storedReport!['result']).toEqual([{ reference: `Observation/${storedObservation!.id}` }]);
    expect(response['entry']).toEqual([
      {
        fullUrl: `https://fhir.example.org/fhir/DiagnosticReport/${storedReport!.id}`,
        resource: storedReport,
        response: { status: '201 Created', location: `DiagnosticReport/${storedReport!.id}/_history/1`, etag: 'W/"1"', lastModified: '2024-01-01T00:00:03.000Z' },
      },
      {
        fullUrl: `https://fhir.example.org/fhir/Observation/${storedObservation!.id}`,
        resource: storedObservation,
        response: { status: '201 Created', location: `Observation/${storedObservation!.id}/_history/1`, etag: 'W/"1"', lastModified: '2024-01-01T00:00:02.000Z' },
      },
      {
        fullUrl: `https://fhir.example.org/fhir/Patient/${storedPatient!.id}`,
        resource: storedPatient,
        response: { status: '201 Created', location: `Patient/${storedPatient!.id}/_history/1`, etag: 'W/"1"', lastModified: '2024-01-01T00:00:01.000Z' },
      },
    ]);
  });

  it('writes a PUT that others refer to first, as in the demo Bundles: PUT Patient/<id>, then POSTs of its records', async () => {
    const repository = new MemoryFhirRepository({ requirePatient: true });
    const encounter = 'urn:uuid:6f1f7c1e-0000-4000-8000-000000000009';
    const response = await run(
      repository,
      transaction(
        { fullUrl: 'https://fhir.example.org/fhir/Patient/pat-1', resource: { ...patient, id: 'pat-1' }, request: { method: 'PUT', url: 'Patient/pat-1' } },
        { fullUrl: O, resource: { ...observation('Patient/pat-1'), encounter: { reference: encounter } }, request: { method: 'POST', url: 'Observation' } },
        { fullUrl: encounter, resource: { resourceType: 'Encounter', status: 'finished', class: { code: 'AMB' }, subject: { reference: 'Patient/pat-1' } }, request: { method: 'POST', url: 'Encounter' } },
      ),
    );
    expect(repository.log.filter((c) => c !== 'begin' && c !== 'commit').map((c) => c.split('/')[0])).toEqual(['update Patient', 'create Encounter', 'create Observation']);
    expect((response['entry'] as { response: { status: string } }[]).map((e) => e.response.status)).toEqual(['201 Created', '201 Created', '201 Created']);
    const [storedEncounter] = repository.current('Encounter');
    expect(repository.current('Observation')[0]!['encounter']).toEqual({ reference: `Encounter/${storedEncounter!.id}` });
  });

  it('answers an update of an existing resource 200 and one that created it 201 (update as create)', async () => {
    const repository = new MemoryFhirRepository();
    repository.seed({ ...patient, id: 'p1' });
    const response = await run(
      repository,
      transaction({ resource: { ...patient, id: 'p1' }, request: { method: 'PUT', url: 'Patient/p1' } }, { resource: { ...patient, id: 'p2', identifier: [] }, request: { method: 'PUT', url: 'Patient/p2' } }),
    );
    expect((response['entry'] as { response: { status: string; location: string } }[]).map((e) => [e.response.status, e.response.location])).toEqual([
      ['200 OK', 'Patient/p1/_history/2'],
      ['201 Created', 'Patient/p2/_history/1'],
    ]);
  });

  it('leaves out the resources on Prefer: return=minimal, keeping fullUrl and response', async () => {
    const response = await run(new MemoryFhirRepository(), transaction({ fullUrl: P, resource: patient, request: { method: 'POST', url: 'Patient' } }), 'return=minimal');
    const [entry] = response['entry'] as Record<string, unknown>[];
    expect(Object.keys(entry!)).toEqual(['fullUrl', 'response']);
  });

  it('maps the placeholder of a conditional create that finds its match to the existing resource', async () => {
    const repository = new MemoryFhirRepository();
    repository.seed({ ...patient, id: 'existing' });
    const response = await run(
      repository,
      transaction(
        { resource: observation(P), request: { method: 'POST', url: 'Observation' } },
        { fullUrl: P, resource: patient, request: { method: 'POST', url: 'Patient', ifNoneExist: 'identifier=http://hospital.example.org/mrn|MRN-1' } },
      ),
    );
    expect(repository.current('Patient').map((p) => p.id)).toEqual(['existing']);
    expect(repository.current('Observation')[0]!['subject']).toEqual({ reference: 'Patient/existing' });
    expect((response['entry'] as { response: unknown }[])[1]!.response).toEqual({ status: '200 OK', location: 'Patient/existing/_history/1', etag: 'W/"1"', lastModified: '2024-01-01T00:00:01.000Z' });
  });

  it('commits nothing when an entry fails, and answers with that entry’s status and an expression under Bundle.entry[i]', async () => {
    const repository = new MemoryFhirRepository();
    repository.failOn = (call) => (call === 'create Observation' ? unprocessable('the code system is not allowed here', 'Observation.code') : undefined);
    const outcome = await asyncOutcomeOf(
      run(
        repository,
        transaction(
          { fullUrl: P, resource: patient, request: { method: 'POST', url: 'Patient' } },
          { resource: { ...patient, id: 'p9' }, request: { method: 'PUT', url: 'Patient/p9' } },
          { resource: observation(P), request: { method: 'POST', url: 'Observation' } },
        ),
      ),
    );
    expect(outcome).toBe('422 processing: the code system is not allowed here @ Bundle.entry[2].resource.code');
    expect(repository.current()).toEqual([]);
    expect(repository.log.at(-1)).toBe('rollback');
  });

  it('fails with the repository’s status and the entry as expression when the repository gives none (If-Match mismatch: 412)', async () => {
    const repository = new MemoryFhirRepository();
    repository.seed({ ...patient, id: 'p1' });
    const outcome = await asyncOutcomeOf(run(repository, transaction({ resource: { ...patient, id: 'p1', gender: 'male' }, request: { method: 'PUT', url: 'Patient/p1', ifMatch: 'W/"7"' } })));
    expect(outcome).toBe('412 conflict: If-Match: the current version is 1 @ Bundle.entry[0]');
    expect(repository.current('Patient')[0]!['gender']).toBe('female');
  });

  it.each([
    [
      'an invalid resource',
      transaction({ fullUrl: P, resource: patient, request: { method: 'POST', url: 'Patient' } }, { resource: { resourceType: 'Observation', code: { text: 'x' } }, request: { method: 'POST', url: 'Observation' } }),
      '400 structure: Missing required property @ Bundle.entry[1].resource.status',
    ],
    [
      'a placeholder that is no entry’s fullUrl',
      transaction({ resource: observation(O), request: { method: 'POST', url: 'Observation' } }),
      '400 invalid: reference: a urn:uuid or urn:oid placeholder that is not the fullUrl of any entry in this transaction @ Bundle.entry[0].resource.subject.reference',
    ],
    [
      'two entries with one fullUrl',
      transaction({ fullUrl: P, resource: patient, request: { method: 'POST', url: 'Patient' } }, { fullUrl: P, resource: patient, request: { method: 'POST', url: 'Patient' } }),
      '400 invalid: fullUrl: the same fullUrl as Bundle.entry[0] (bdl-7: fullUrl must be unique) @ Bundle.entry[1].fullUrl',
    ],
    [
      'two changes to one resource',
      transaction({ request: { method: 'DELETE', url: 'Patient/p1' } }, { resource: { ...patient, id: 'p1' }, request: { method: 'PUT', url: 'Patient/p1' } }),
      '400 invalid: request.url: the same resource as Bundle.entry[0]; a transaction may change each resource once @ Bundle.entry[1].request.url',
    ],
    ['a PUT whose body id differs', transaction({ resource: { ...patient, id: 'p2' }, request: { method: 'PUT', url: 'Patient/p1' } }), '400 invalid: id: the id in the body does not match the id in the URL @ Bundle.entry[0].resource.id'],
    ['a malformed ifMatch', transaction({ resource: { ...patient, id: 'p1' }, request: { method: 'PUT', url: 'Patient/p1', ifMatch: '7' } }), '400 invalid: Bundle.entry[0].request.ifMatch: expected one version as W/"<versionId>" (versionId: 1 to 64 of A-Z a-z 0-9 - .) @ Bundle.entry[0].request.ifMatch'],
    ['an unsupported type', transaction({ resource: { resourceType: 'Group' }, request: { method: 'POST', url: 'Group' } }), expect.stringMatching(/^404 not-supported: resource type Group is not supported: supported are Patient, .* @ Bundle\.entry\[0\]\.request\.url$/)],
    ['a PATCH entry', transaction({ request: { method: 'PATCH', url: 'Patient/p1' } }), '400 invalid: request.method: expected GET, POST, PUT or DELETE @ Bundle.entry[0].request.method'],
    ['a conditional update', transaction({ resource: patient, request: { method: 'PUT', url: 'Patient?identifier=a|1' } }), '400 invalid: request.url: conditional update is not supported @ Bundle.entry[0].request.url'],
    ['a bad search in a GET', transaction({ request: { method: 'GET', url: 'Observation?date=sa2024' } }), '400 invalid: date: the prefix sa is not supported; supported are eq, ne, lt, le, gt, ge @ Bundle.entry[0].request.url'],
  ])('refuses %s before writing anything', async (_what, bundle, expected) => {
    const repository = new MemoryFhirRepository();
    expect(await asyncOutcomeOf(run(repository, bundle))).toEqual(expected);
    expect(repository.log).toEqual([]);
  });

  it.each([
    [{ resourceType: 'Bundle', type: 'collection', entry: [] }, '400 invalid: Bundle.type: expected transaction or batch @ Bundle.type'],
    [{ resourceType: 'Patient' }, '400 invalid: expected a Bundle of type transaction or batch @ Bundle'],
    [{ resourceType: 'Bundle', type: 'transaction', entry: {} }, '400 invalid: Bundle.entry: expected an array @ Bundle.entry'],
    [transaction(...Array.from({ length: 1001 }, () => ({}))), '413 too-long: Bundle.entry: at most 1000 entries per transaction, got 1001; split it @ Bundle.entry'],
  ])('refuses the Bundle %#: %s', (bundle, expected) => {
    expect(outcomeOf(() => parseBundle(bundle, context, 'lenient'))).toBe(expected);
  });

  it('answers an empty transaction with an empty transaction-response', async () => {
    expect(await run(new MemoryFhirRepository(), transaction())).toEqual({ resourceType: 'Bundle', type: 'transaction-response', entry: [] });
  });
});
