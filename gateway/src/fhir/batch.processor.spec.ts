import { loadFhirDefinitions } from '../common/index.js';
import type { FhirResource } from '../store/index.js';
import { processBatch } from './batch.processor.js';
import { parseBundle } from './bundle-entries.js';
import { parsePrefer } from './prefer.js';
import { HOSPITAL } from './testing/principals.js';
import { MemoryFhirRepository } from './testing/memory-fhir-repository.js';

const context = { base: 'https://fhir.example.org/fhir' };
const patient = { resourceType: 'Patient', gender: 'female' };

describe('a batch Bundle (FHIR R4 http.html#brules)', () => {
  beforeAll(() => loadFhirDefinitions());

  it('runs each entry on its own and answers each with its status, failures with their OperationOutcome', async () => {
    const repository = new MemoryFhirRepository();
    repository.seed({ resourceType: 'Patient', id: 'p1', gender: 'male' });
    const bundle: FhirResource = {
      resourceType: 'Bundle',
      type: 'batch',
      entry: [
        { fullUrl: 'urn:uuid:6f1f7c1e-0000-4000-8000-000000000001', resource: patient, request: { method: 'POST', url: 'Patient' } },
        { request: { method: 'GET', url: 'Patient/missing' } },
        { resource: { resourceType: 'Observation', code: { text: 'x' } }, request: { method: 'POST', url: 'Observation' } },
        {
          resource: { resourceType: 'Observation', status: 'final', code: { text: 'x' }, subject: { reference: 'urn:uuid:6f1f7c1e-0000-4000-8000-000000000001' } },
          request: { method: 'POST', url: 'Observation' },
        },
        { resource: { resourceType: 'Patient', id: 'p1', gender: 'other' }, request: { method: 'PUT', url: 'Patient/p1' } },
        { request: { method: 'HEAD', url: 'Patient/p1' } },
      ],
    };
    const response = await processBatch(repository, HOSPITAL, parseBundle(bundle, context, 'lenient'), context, parsePrefer('return=minimal'));
    expect(response['type']).toBe('batch-response');
    const created = repository.current('Patient').find((p) => p.id !== 'p1')!;
    expect(response['entry']).toEqual([
      { fullUrl: `https://fhir.example.org/fhir/Patient/${created.id}`, response: { status: '201 Created', location: `Patient/${created.id}/_history/1`, etag: 'W/"1"', lastModified: '2024-01-01T00:00:02.000Z' } },
      { response: { status: '404 Not Found', outcome: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-found', diagnostics: 'Patient is not known', expression: ['Bundle.entry[1]'] }] } } },
      { response: { status: '400 Bad Request', outcome: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'structure', diagnostics: 'Missing required property', expression: ['Bundle.entry[2].resource.status'] }] } } },
      {
        response: {
          status: '400 Bad Request',
          outcome: {
            resourceType: 'OperationOutcome',
            issue: [{ severity: 'error', code: 'invalid', diagnostics: 'reference: entries of a batch may not refer to each other; send a transaction to link new resources', expression: ['Bundle.entry[3].resource.subject.reference'] }],
          },
        },
      },
      { fullUrl: 'https://fhir.example.org/fhir/Patient/p1', response: { status: '200 OK', location: 'Patient/p1/_history/2', etag: 'W/"2"', lastModified: '2024-01-01T00:00:03.000Z' } },
      { response: { status: '400 Bad Request', outcome: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'invalid', diagnostics: 'request.method: expected GET, POST, PUT or DELETE', expression: ['Bundle.entry[5].request.method'] }] } } },
    ]);
    // No transaction: what succeeded stays, whatever failed next to it.
    expect(repository.log).not.toContain('begin');
    expect(repository.current('Patient').map((p) => p['gender']).sort()).toEqual(['female', 'other']);
  });
});
