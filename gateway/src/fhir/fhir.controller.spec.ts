import 'reflect-metadata';
import { Readable } from 'node:stream';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { InjectOptions } from 'fastify';
import { fhirTestApp } from './testing/fhir-test-app.js';
import { MemoryFhirRepository } from './testing/memory-fhir-repository.js';

const AUTH = { authorization: 'Bearer hospital' };
const FHIR = { ...AUTH, 'content-type': 'application/fhir+json' };
const observation = { resourceType: 'Observation', status: 'final', code: { coding: [{ system: 'http://loinc.org', code: '718-7' }] }, subject: { reference: 'Patient/p1' }, valueQuantity: { value: 13.2 } };

describe('the FHIR REST API at /fhir', () => {
  let app: NestFastifyApplication;
  let repository: MemoryFhirRepository;

  beforeEach(async () => {
    repository = new MemoryFhirRepository();
    repository.seed({ resourceType: 'Patient', id: 'p1', gender: 'female' });
    app = await fhirTestApp(repository);
  });
  afterEach(async () => app.close());

  const call = async (options: InjectOptions) => {
    const response = await app.inject(options);
    return { status: response.statusCode, headers: response.headers, body: response.body === '' ? undefined : (response.json() as Record<string, unknown>) };
  };
  /** `<status> <code>: <diagnostics>` of an OperationOutcome answer. */
  const problem = async (options: InjectOptions) => {
    const response = await app.inject(options);
    const issue = (response.json() as { issue: { code: string; diagnostics: string }[] }).issue[0]!;
    expect(response.headers['content-type']).toBe('application/fhir+json; charset=utf-8');
    return `${response.statusCode} ${issue.code}: ${issue.diagnostics}`;
  };

  describe('metadata', () => {
    it('serves the CapabilityStatement to anonymous clients as application/fhir+json', async () => {
      const { status, headers, body } = await call({ url: '/fhir/metadata' });
      expect(status).toBe(200);
      expect(headers['content-type']).toBe('application/fhir+json; charset=utf-8');
      expect(body).toMatchObject({ resourceType: 'CapabilityStatement', kind: 'instance', implementation: { url: 'https://fhir.example.org/fhir' } });
    });

    it('keeps every other interaction behind a bearer token (401 login)', async () => {
      expect(await problem({ url: '/fhir/Patient/p1' })).toBe('401 login: missing bearer token: send "Authorization: Bearer <access token>"');
      expect(await problem({ method: 'POST', url: '/fhir', headers: { 'content-type': 'application/fhir+json' }, payload: '{}' })).toMatch(/^401 login/);
    });
  });

  describe('media types, formats and body limits (FHIR R4 http.html#mime)', () => {
    it.each(['application/fhir+json', 'application/fhir+json; charset=utf-8', 'application/json', 'application/json; charset=UTF-8'])('accepts a resource sent as %s', async (type) => {
      const { status } = await call({ method: 'POST', url: '/fhir/Observation', headers: { ...AUTH, 'content-type': type }, payload: JSON.stringify(observation) });
      expect(status).toBe(201);
    });

    it.each([
      ['text/plain', '415 not-supported: unsupported Content-Type text/plain: expected application/fhir+json or application/json'],
      ['application/fhir+xml', '415 not-supported: unsupported Content-Type application/fhir+xml: expected application/fhir+json or application/json'],
      ['application/x-www-form-urlencoded', '415 not-supported: unsupported Content-Type application/x-www-form-urlencoded: expected application/fhir+json or application/json'],
      ['application/fhir+json; charset=utf-16', '415 not-supported: unsupported charset in Content-Type application/fhir+json: expected utf-8'],
    ])('refuses a resource sent as %s: %s', async (type, expected) => {
      expect(await problem({ method: 'POST', url: '/fhir/Observation', headers: { ...AUTH, 'content-type': type }, payload: 'x' })).toBe(expected);
      expect(await problem({ method: 'PUT', url: '/fhir/Patient/p1', headers: { ...AUTH, 'content-type': type }, payload: 'x' })).toBe(expected);
    });

    it('accepts only a form on POST _search', async () => {
      expect(await problem({ method: 'POST', url: '/fhir/Observation/_search', headers: FHIR, payload: '{}' })).toBe('415 not-supported: unsupported Content-Type application/fhir+json: expected application/x-www-form-urlencoded');
    });

    it('answers _format=xml and an XML-only Accept with 406', async () => {
      expect(await problem({ url: '/fhir/Patient/p1?_format=xml', headers: AUTH })).toBe('406 not-supported: _format: XML is not supported; this server produces only json (application/fhir+json)');
      expect(await problem({ url: '/fhir/metadata?_format=application/fhir%2Bxml' })).toBe('406 not-supported: _format: XML is not supported; this server produces only json (application/fhir+json)');
      expect(await problem({ url: '/fhir/Patient/p1', headers: { ...AUTH, accept: 'application/fhir+xml' } })).toBe('406 not-supported: Accept: this server produces only application/fhir+json (or application/json)');
      expect((await call({ url: '/fhir/Patient/p1?_format=json', headers: { ...AUTH, accept: 'application/fhir+json' } })).status).toBe(200);
    });

    it('answers a body above BODY_LIMIT_BYTES with 413 too-long, for FHIR JSON and plain JSON alike, announced or streamed', async () => {
      const big = JSON.stringify({ ...observation, note: [{ text: 'x'.repeat(5000) }] });
      expect(await problem({ method: 'POST', url: '/fhir/Observation', headers: FHIR, payload: big })).toBe('413 too-long: request body is larger than the limit of 4096 bytes');
      expect(await problem({ method: 'POST', url: '/fhir/Observation', headers: { ...AUTH, 'content-type': 'application/json' }, payload: big })).toBe('413 too-long: request body is larger than the limit of 4096 bytes');
      // Without a Content-Length, Fastify stops reading at the limit; its error is answered as an OperationOutcome too.
      const streamed = await problem({ method: 'POST', url: '/fhir/Observation', headers: { ...FHIR, 'transfer-encoding': 'chunked' }, payload: Readable.from([big]) });
      expect(streamed).toBe('413 too-long: request body is larger than the configured limit');
      expect(repository.current('Observation')).toEqual([]);
    });

    it('answers malformed JSON with 400 and never quotes the body', async () => {
      const broken = '{"resourceType":"Observation","note":[{"text":"SECRET diagnosis"}';
      const fhir = await app.inject({ method: 'POST', url: '/fhir/Observation', headers: FHIR, payload: broken });
      expect(fhir.statusCode).toBe(400);
      expect(fhir.json()).toEqual({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'invalid', diagnostics: 'malformed JSON body' }] });
      const json = await app.inject({ method: 'POST', url: '/fhir/Observation', headers: { ...AUTH, 'content-type': 'application/json' }, payload: broken });
      expect([json.statusCode, json.headers['content-type'], json.json()]).toEqual([
        400,
        'application/fhir+json; charset=utf-8',
        { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'invalid', diagnostics: 'malformed JSON body' }] },
      ]);
      expect(json.body).not.toContain('SECRET');
      const poisoned = '{"resourceType":"Observation","constructor":{"prototype":{"admin":true}}}';
      for (const type of ['application/json', 'application/fhir+json']) {
        expect(await problem({ method: 'POST', url: '/fhir/Observation', headers: { ...AUTH, 'content-type': type }, payload: poisoned })).toBe('400 invalid: malformed JSON body');
      }
    });

    it('answers a POST without a body with 400', async () => {
      expect(await problem({ method: 'POST', url: '/fhir/Observation', headers: FHIR })).toBe('400 invalid: expected a JSON object holding a Observation resource');
    });

    it('refuses deep nesting with 400 instead of crashing', async () => {
      const deep = `{"resourceType":"Observation","status":"final","code":{"text":"x"},"extension":${'['.repeat(1500)}${']'.repeat(1500)}}`;
      expect(await problem({ method: 'POST', url: '/fhir/Observation', headers: FHIR, payload: deep })).toBe('400 invalid: nesting deeper than 64 levels is not accepted');
    });
  });

  describe('create, read, vread, update, delete and history', () => {
    it('creates with a server-assigned id: 201 with Location, ETag and Last-Modified, ignoring the id sent', async () => {
      const { status, headers, body } = await call({ method: 'POST', url: '/fhir/Observation', headers: FHIR, payload: JSON.stringify({ ...observation, id: 'mine' }) });
      expect(status).toBe(201);
      const id = body!['id'] as string;
      expect(id).not.toBe('mine');
      expect(headers).toMatchObject({
        location: `https://fhir.example.org/fhir/Observation/${id}/_history/1`,
        etag: 'W/"1"',
        'last-modified': 'Mon, 01 Jan 2024 00:00:02 GMT',
        'content-type': 'application/fhir+json; charset=utf-8',
        'cache-control': 'no-store',
      });
      expect(body).toEqual({ ...observation, id, meta: { versionId: '1', lastUpdated: '2024-01-01T00:00:02.000Z' } });
    });

    it('honours Prefer: return=minimal and return=OperationOutcome', async () => {
      const minimal = await call({ method: 'POST', url: '/fhir/Observation', headers: { ...FHIR, prefer: 'return=minimal' }, payload: JSON.stringify(observation) });
      expect([minimal.status, minimal.body, minimal.headers.etag]).toEqual([201, undefined, 'W/"1"']);
      const outcome = await call({ method: 'POST', url: '/fhir/Observation', headers: { ...FHIR, prefer: 'return=OperationOutcome' }, payload: JSON.stringify(observation) });
      expect(outcome.body).toEqual({ resourceType: 'OperationOutcome', issue: [{ severity: 'information', code: 'informational', diagnostics: 'the resource was created' }] });
    });

    it('creates conditionally with If-None-Exist: 200 and the existing resource when one matches', async () => {
      repository.seed({ resourceType: 'Patient', id: 'p2', identifier: [{ system: 'http://hospital.example.org/mrn', value: 'MRN-2' }] });
      const { status, headers, body } = await call({
        method: 'POST',
        url: '/fhir/Patient',
        headers: { ...FHIR, 'if-none-exist': 'identifier=http://hospital.example.org/mrn|MRN-2' },
        payload: JSON.stringify({ resourceType: 'Patient', identifier: [{ system: 'http://hospital.example.org/mrn', value: 'MRN-2' }] }),
      });
      expect([status, headers.location, body!['id']]).toEqual([200, 'https://fhir.example.org/fhir/Patient/p2/_history/1', 'p2']);
      expect(await problem({ method: 'POST', url: '/fhir/Patient', headers: { ...FHIR, 'if-none-exist': '_count=1' }, payload: '{"resourceType":"Patient"}' })).toBe('400 invalid: If-None-Exist: _count is not a search criterion');
    });

    it('reads and vreads with ETag and Last-Modified; a deleted resource is 410 Gone', async () => {
      const read = await call({ url: '/fhir/Patient/p1', headers: AUTH });
      expect([read.status, read.headers.etag, read.headers['last-modified'], read.body!['gender']]).toEqual([200, 'W/"1"', 'Mon, 01 Jan 2024 00:00:01 GMT', 'female']);
      expect((await call({ url: '/fhir/Patient/p1/_history/1', headers: AUTH })).body!['gender']).toBe('female');
      expect((await call({ method: 'DELETE', url: '/fhir/Patient/p1', headers: AUTH })).status).toBe(204);
      expect(await problem({ url: '/fhir/Patient/p1', headers: AUTH })).toBe('410 deleted: Patient was deleted');
      expect(await problem({ url: '/fhir/Patient/p1/_history/2', headers: AUTH })).toBe('410 deleted: Patient was deleted');
      expect(await problem({ url: '/fhir/Patient/nobody', headers: AUTH })).toBe('404 not-found: Patient is not known');
    });

    it('updates with If-Match: 200 with Location, 412 for another version, 400 for a malformed header or another id', async () => {
      const body = JSON.stringify({ resourceType: 'Patient', id: 'p1', gender: 'other' });
      expect(await problem({ method: 'PUT', url: '/fhir/Patient/p1', headers: { ...FHIR, 'if-match': 'W/"5"' }, payload: body })).toBe('412 conflict: If-Match: the current version is 1');
      expect(await problem({ method: 'PUT', url: '/fhir/Patient/p1', headers: { ...FHIR, 'if-match': '1' }, payload: body })).toBe(
        '400 invalid: If-Match: expected one version as W/"<versionId>" (versionId: 1 to 64 of A-Z a-z 0-9 - .)',
      );
      expect(await problem({ method: 'PUT', url: '/fhir/Patient/p2', headers: FHIR, payload: body })).toBe('400 invalid: id: the id in the body does not match the id in the URL');
      const updated = await call({ method: 'PUT', url: '/fhir/Patient/p1', headers: { ...FHIR, 'if-match': 'W/"1"' }, payload: body });
      expect([updated.status, updated.headers.location, updated.headers.etag, updated.body!['gender']]).toEqual([200, 'https://fhir.example.org/fhir/Patient/p1/_history/2', 'W/"2"', 'other']);
    });

    it('creates a resource with the id the client chose with PUT: 201 Created (update as create)', async () => {
      const created = await call({ method: 'PUT', url: '/fhir/Patient/chosen-1', headers: FHIR, payload: JSON.stringify({ resourceType: 'Patient', id: 'chosen-1' }) });
      expect([created.status, created.headers.location, created.headers.etag]).toEqual([201, 'https://fhir.example.org/fhir/Patient/chosen-1/_history/1', 'W/"1"']);
    });

    it('deletes with 204, or 200 and an OperationOutcome when preferred', async () => {
      const deleted = await call({ method: 'DELETE', url: '/fhir/Patient/p1', headers: { ...AUTH, prefer: 'return=OperationOutcome' } });
      expect([deleted.status, deleted.body]).toEqual([200, { resourceType: 'OperationOutcome', issue: [{ severity: 'information', code: 'informational', diagnostics: 'the resource was deleted' }] }]);
    });

    it('answers the instance history as a history Bundle, newest first, paged with a next link', async () => {
      await call({ method: 'PUT', url: '/fhir/Patient/p1', headers: FHIR, payload: JSON.stringify({ resourceType: 'Patient', id: 'p1', gender: 'other' }) });
      await call({ method: 'DELETE', url: '/fhir/Patient/p1', headers: AUTH });
      const { body } = await call({ url: '/fhir/Patient/p1/_history?_count=2', headers: AUTH });
      expect(body).toMatchObject({
        resourceType: 'Bundle',
        type: 'history',
        link: [
          { relation: 'self', url: 'https://fhir.example.org/fhir/Patient/p1/_history?_count=2' },
          { relation: 'next', url: 'https://fhir.example.org/fhir/Patient/p1/_history?_count=2&_cursor=2' },
        ],
        entry: [
          { fullUrl: 'https://fhir.example.org/fhir/Patient/p1', request: { method: 'DELETE', url: 'Patient/p1' }, response: { status: '204 No Content', etag: 'W/"3"' } },
          { fullUrl: 'https://fhir.example.org/fhir/Patient/p1', resource: { gender: 'other' }, request: { method: 'PUT', url: 'Patient/p1' }, response: { status: '200 OK', etag: 'W/"2"' } },
        ],
      });
      expect((body!['entry'] as object[])[0]).not.toHaveProperty('resource');
    });

    it.each([
      ['GET', '/fhir/Basic/1', '404 not-supported: resource type Basic is not supported: supported are Patient, Observation, Condition, MedicationStatement, MedicationRequest, AllergyIntolerance, Procedure, Encounter, DiagnosticReport, Immunization, DocumentReference'],
      ['GET', '/fhir/Patient/has_underscore', '400 invalid: id: expected 1 to 64 of A-Z a-z 0-9 - .'],
      ['PUT', '/fhir/Patient?identifier=a|1', '400 invalid: conditional update is not supported: PUT [type]/[id]'],
      ['DELETE', '/fhir/Patient?identifier=a|1', '400 invalid: conditional delete is not supported: DELETE [type]/[id]'],
      ['DELETE', '/fhir/Patient/p1', '400 invalid: If-Match: not supported on delete'],
    ])('answers %s %s with %s', async (method, url, expected) => {
      const headers = method === 'DELETE' && url.endsWith('p1') ? { ...AUTH, 'if-match': 'W/"1"' } : AUTH;
      expect(await problem({ method: method as 'GET', url, headers })).toBe(expected);
    });

    it('answers PATCH with 405 before reading its body', async () => {
      expect(await problem({ method: 'PATCH', url: '/fhir/Patient/p1', headers: { ...AUTH, 'content-type': 'application/json-patch+json' }, payload: '[]' })).toBe('405 not-supported: patch is not supported: send the whole resource with PUT (update)');
    });

    it('refuses an invalid resource with 400 and Medplum’s element paths, and a body of another or an unknown type', async () => {
      const invalid = { ...observation, status: undefined, valueQuantity: { value: 'SECRET' } };
      const response = await call({ method: 'POST', url: '/fhir/Observation', headers: FHIR, payload: JSON.stringify(invalid) });
      expect(response).toMatchObject({
        status: 400,
        body: {
          resourceType: 'OperationOutcome',
          issue: [
            { severity: 'error', code: 'structure', diagnostics: 'Missing required property', expression: ['Observation.status'] },
            { severity: 'error', code: 'structure', diagnostics: 'Invalid JSON type: expected number, but got string', expression: ['Observation.valueQuantity.value'] },
          ],
        },
      });
      expect(JSON.stringify(response.body)).not.toContain('SECRET');
      expect(await problem({ method: 'POST', url: '/fhir/Observation', headers: FHIR, payload: '{"resourceType":"Condition"}' })).toBe('400 invalid: resourceType: expected Observation (the type in the URL), got Condition');
      expect(await problem({ method: 'POST', url: '/fhir/Observation', headers: FHIR, payload: '{"resourceType":"LabResult"}' })).toBe('400 invalid: resourceType: expected a FHIR R4 resource type (Observation)');
      expect(await problem({ method: 'POST', url: '/fhir/Questionnaire', headers: FHIR, payload: '{"resourceType":"Questionnaire"}' })).toMatch(/^404 not-supported: resource type Questionnaire is not supported/);
    });
  });

  describe('search', () => {
    beforeEach(async () => {
      await call({ method: 'POST', url: '/fhir/Observation', headers: FHIR, payload: JSON.stringify(observation) });
    });

    it('answers a searchset with matches, includes, total, self and next links, and an outcome entry for ignored parameters', async () => {
      const { status, body } = await call({ url: '/fhir/Observation?code=http://loinc.org|718-7&_include=Observation:subject&_count=1&foo=bar&code:text=SECRET', headers: AUTH });
      expect(status).toBe(200);
      const id = repository.current('Observation')[0]!.id;
      expect(body).toEqual({
        resourceType: 'Bundle',
        type: 'searchset',
        total: 1,
        link: [{ relation: 'self', url: 'https://fhir.example.org/fhir/Observation?code=http://loinc.org%7C718-7&_include=Observation:subject&_count=1' }],
        entry: [
          { fullUrl: `https://fhir.example.org/fhir/Observation/${id}`, resource: expect.objectContaining({ id }), search: { mode: 'match' } },
          { fullUrl: 'https://fhir.example.org/fhir/Patient/p1', resource: expect.objectContaining({ id: 'p1' }), search: { mode: 'include' } },
          {
            resource: {
              resourceType: 'OperationOutcome',
              issue: [{ severity: 'warning', code: 'not-supported', diagnostics: expect.stringMatching(/^ignored unknown or unsupported search parameters: foo, code:text \(/), expression: ['foo', 'code:text'] }],
            },
            search: { mode: 'outcome' },
          },
        ],
      });
      expect(JSON.stringify(body)).not.toContain('SECRET');
    });

    it('refuses unknown parameters with 400 under Prefer: handling=strict', async () => {
      expect(await problem({ url: '/fhir/Observation?foo=bar', headers: { ...AUTH, prefer: 'handling=strict' } })).toMatch(/^400 not-supported: unknown or unsupported search parameters: foo \(/);
    });

    it('searches with POST _search, combining the form and the URL', async () => {
      const { body } = await call({ method: 'POST', url: '/fhir/Observation/_search?_count=5', headers: { ...AUTH, 'content-type': 'application/x-www-form-urlencoded' }, payload: 'patient=p1&status=final' });
      expect(body).toMatchObject({ type: 'searchset', total: 1, link: [{ relation: 'self', url: 'https://fhir.example.org/fhir/Observation?_count=5&patient=p1&status=final' }] });
    });

    it('answers a malformed value with 400 naming the parameter, never the value', async () => {
      const response = await app.inject({ url: '/fhir/Observation?date=ge2024-SECRET', headers: AUTH });
      expect(response.statusCode).toBe(400);
      expect(response.body).not.toContain('SECRET');
    });
  });

  describe('transactions and batches at POST /fhir', () => {
    const bundle = (type: string, ...entry: unknown[]) => JSON.stringify({ resourceType: 'Bundle', type, entry });

    it('answers a transaction with a transaction-response', async () => {
      const { status, body } = await call({
        method: 'POST',
        url: '/fhir',
        headers: FHIR,
        payload: bundle(
          'transaction',
          { fullUrl: 'urn:uuid:6f1f7c1e-0000-4000-8000-000000000001', resource: { resourceType: 'Patient' }, request: { method: 'POST', url: 'Patient' } },
          { resource: { ...observation, subject: { reference: 'urn:uuid:6f1f7c1e-0000-4000-8000-000000000001' } }, request: { method: 'POST', url: 'Observation' } },
        ),
      });
      expect(status).toBe(200);
      expect(body).toMatchObject({ resourceType: 'Bundle', type: 'transaction-response', entry: [{ response: { status: '201 Created' } }, { response: { status: '201 Created' } }] });
    });

    it('fails a transaction with the failing entry’s status and commits nothing', async () => {
      const response = await call({
        method: 'POST',
        url: '/fhir',
        headers: FHIR,
        payload: bundle('transaction', { resource: { resourceType: 'Patient' }, request: { method: 'POST', url: 'Patient' } }, { request: { method: 'GET', url: 'Patient/nobody' } }),
      });
      expect(response).toMatchObject({ status: 404, body: { issue: [{ code: 'not-found', expression: ['Bundle.entry[1]'] }] } });
      expect(repository.current('Patient').map((p) => p.id)).toEqual(['p1']);
    });

    it('refuses other Bundle types with 400', async () => {
      expect(await problem({ method: 'POST', url: '/fhir', headers: FHIR, payload: bundle('document') })).toBe('400 invalid: Bundle.type: expected transaction or batch');
    });
  });
});
