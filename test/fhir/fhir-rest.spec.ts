import { Client } from 'fhir-kit-client';
import { startGateway, type StartedGateway } from '../support/gateway.js';
import { hospitalAccessToken } from '../support/oidc.js';
import { failureOf, fhirClient, httpOf, rawRequest, type FhirBundle, type StoredFhirResource } from '../support/fhir.js';

const SUBJECT = { reference: 'Patient/rest-1' };
const coding = (system: string, code: string) => ({ coding: [{ system, code }] });
const UCUM = 'http://unitsofmeasure.org';

/** One valid resource of every supported type (FHIR R4 required elements and bindings), all of Patient/rest-1. */
const VALID: Readonly<Record<string, Record<string, unknown>>> = {
  Patient: { resourceType: 'Patient', name: [{ family: 'Rivera', given: ['Ana'] }], gender: 'female', birthDate: '1970-03-04' },
  Observation: { resourceType: 'Observation', status: 'final', code: coding('http://loinc.org', '8867-4'), subject: SUBJECT, effectiveDateTime: '2025-01-01T08:00:00Z', valueQuantity: { value: 72, unit: '/min', system: UCUM, code: '/min' } },
  Condition: { resourceType: 'Condition', clinicalStatus: coding('http://terminology.hl7.org/CodeSystem/condition-clinical', 'active'), code: coding('http://snomed.info/sct', '38341003'), subject: SUBJECT },
  MedicationStatement: { resourceType: 'MedicationStatement', status: 'active', medicationCodeableConcept: coding('http://www.nlm.nih.gov/research/umls/rxnorm', '197361'), subject: SUBJECT },
  MedicationRequest: { resourceType: 'MedicationRequest', status: 'active', intent: 'order', medicationCodeableConcept: coding('http://www.nlm.nih.gov/research/umls/rxnorm', '197361'), subject: SUBJECT },
  AllergyIntolerance: { resourceType: 'AllergyIntolerance', clinicalStatus: coding('http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', 'active'), code: coding('http://snomed.info/sct', '91936005'), patient: SUBJECT },
  Procedure: { resourceType: 'Procedure', status: 'completed', code: coding('http://snomed.info/sct', '80146002'), subject: SUBJECT, performedDateTime: '2024-05-01' },
  Encounter: { resourceType: 'Encounter', status: 'finished', class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' }, subject: SUBJECT },
  DiagnosticReport: { resourceType: 'DiagnosticReport', status: 'final', code: coding('http://loinc.org', '58410-2'), subject: SUBJECT },
  Immunization: { resourceType: 'Immunization', status: 'completed', vaccineCode: coding('http://hl7.org/fhir/sid/cvx', '140'), patient: SUBJECT, occurrenceDateTime: '2024-10-01' },
  DocumentReference: { resourceType: 'DocumentReference', status: 'current', subject: SUBJECT, content: [{ attachment: { contentType: 'text/plain', data: Buffer.from('discharge summary').toString('base64') } }] },
};

/** The search parameters (name: type) the CapabilityStatement must list, per type: the R4 ones the gateway implements. */
const COMMON = ['_id:token', '_lastUpdated:date', 'identifier:token'];
const SEARCH_PARAMS: Readonly<Record<string, readonly string[]>> = {
  Patient: COMMON,
  Observation: [...COMMON, 'patient:reference', 'subject:reference', 'code:token', 'date:date', 'category:token', 'status:token'],
  Condition: [...COMMON, 'patient:reference', 'subject:reference', 'code:token', 'category:token'],
  MedicationStatement: [...COMMON, 'patient:reference', 'subject:reference', 'code:token', 'category:token', 'status:token'],
  MedicationRequest: [...COMMON, 'patient:reference', 'subject:reference', 'code:token', 'date:date', 'category:token', 'status:token'],
  AllergyIntolerance: [...COMMON, 'patient:reference', 'code:token', 'date:date', 'category:token'],
  Procedure: [...COMMON, 'patient:reference', 'subject:reference', 'code:token', 'date:date', 'category:token', 'status:token'],
  Encounter: [...COMMON, 'patient:reference', 'subject:reference', 'date:date', 'status:token'],
  DiagnosticReport: [...COMMON, 'patient:reference', 'subject:reference', 'code:token', 'date:date', 'category:token', 'status:token'],
  Immunization: [...COMMON, 'patient:reference', 'date:date', 'status:token'],
  DocumentReference: [...COMMON, 'patient:reference', 'subject:reference', 'date:date', 'category:token', 'status:token'],
};

const observation = (extra: Record<string, unknown> = {}) => ({ ...VALID['Observation']!, ...extra }) as { resourceType: string } & Record<string, unknown>;
const sorted = (values: readonly string[]) => [...values].sort();

describe('the FHIR R4 REST API (hospital system through fhir-kit-client)', () => {
  let gateway: StartedGateway;
  let token: string;
  let fhir: Client;

  beforeAll(async () => {
    gateway = await startGateway();
    token = await hospitalAccessToken(gateway);
    fhir = fhirClient(gateway.baseUrl, token);
    await fhir.update({ resourceType: 'Patient', id: 'rest-1', body: { resourceType: 'Patient', id: 'rest-1' } });
  });
  afterAll(async () => gateway.close());

  it('serves the CapabilityStatement without a token: FHIR 4.0.1, exactly the 11 types with their interactions and search parameters plus the Consent and AuditEvent projections, transaction and batch', async () => {
    const statement = (await new Client({ baseUrl: `${gateway.baseUrl}/fhir` }).capabilityStatement()) as unknown as {
      resourceType: string;
      fhirVersion: string;
      kind: string;
      rest: { mode: string; interaction: { code: string }[]; resource: { type: string; interaction: { code: string }[]; searchParam: { name: string; type: string }[]; searchInclude?: string[] }[] }[];
    };
    expect(httpOf(statement).status).toBe(200);
    expect(httpOf(statement).headers.get('content-type')).toBe('application/fhir+json; charset=utf-8');
    expect([statement.resourceType, statement.fhirVersion, statement.kind]).toEqual(['CapabilityStatement', '4.0.1', 'instance']);
    expect(statement.rest).toHaveLength(1);
    const [rest] = statement.rest;
    expect(rest!.mode).toBe('server');
    expect(sorted(rest!.interaction.map((i) => i.code))).toEqual(['batch', 'transaction']);
    expect(sorted(rest!.resource.map((r) => r.type))).toEqual(sorted([...Object.keys(VALID), 'Consent', 'AuditEvent']));
    // Consent is the read-only projection of on-chain consents (test/consent covers it).
    const consent = rest!.resource.find((r) => r.type === 'Consent')!;
    expect([sorted(consent.interaction.map((i) => i.code)), sorted(consent.searchParam.map((p) => `${p.name}:${p.type}`))]).toEqual([
      ['read', 'search-type'],
      ['_id:token', 'patient:reference', 'status:token'],
    ]);
    // AuditEvent is the read-only projection of the audit log (test/audit covers it).
    const auditEvent = rest!.resource.find((r) => r.type === 'AuditEvent')!;
    expect([sorted(auditEvent.interaction.map((i) => i.code)), sorted(auditEvent.searchParam.map((p) => `${p.name}:${p.type}`))]).toEqual([
      ['read', 'search-type'],
      ['agent:reference', 'date:date', 'outcome:token', 'patient:reference'],
    ]);
    for (const resource of rest!.resource.filter((r) => r.type !== 'Consent' && r.type !== 'AuditEvent')) {
      expect({ type: resource.type, interactions: sorted(resource.interaction.map((i) => i.code)) }).toEqual({
        type: resource.type,
        interactions: ['create', 'delete', 'history-instance', 'read', 'search-type', 'update', 'vread'],
      });
      expect({ type: resource.type, params: sorted(resource.searchParam.map((p) => `${p.name}:${p.type}`)) }).toEqual({ type: resource.type, params: sorted(SEARCH_PARAMS[resource.type]!) });
      const includes = ['patient', 'subject'].filter((name) => SEARCH_PARAMS[resource.type]!.includes(`${name}:reference`)).map((name) => `${resource.type}:${name}`);
      expect({ type: resource.type, includes: sorted(resource.searchInclude ?? []) }).toEqual({ type: resource.type, includes });
    }
  });

  it.each(Object.keys(VALID))('creates a valid %s and reads back exactly what it stored', async (type) => {
    const created = (await fhir.create({ resourceType: type, body: VALID[type] as { resourceType: string } })) as unknown as StoredFhirResource;
    expect(httpOf(created).status).toBe(201);
    expect(created).toEqual({ ...VALID[type], id: created.id, meta: { versionId: '1', lastUpdated: created.meta.lastUpdated } });
    const read = (await fhir.read({ resourceType: type, id: created.id })) as unknown as StoredFhirResource;
    expect(httpOf(read).status).toBe(200);
    expect(read).toEqual(created);
  });

  it('answers a create with 201, Location of version 1, ETag W/"1" and Last-Modified, and keeps meta.versionId and meta.lastUpdated itself', async () => {
    const before = Date.now();
    const created = (await fhir.create({ resourceType: 'Observation', body: observation({ meta: { versionId: '77', lastUpdated: '2001-01-01T00:00:00Z', tag: [{ system: 'urn:t', code: 'kept' }] } }) })) as unknown as StoredFhirResource;
    const { status, headers } = httpOf(created);
    expect(status).toBe(201);
    expect(headers.get('location')).toBe(`${gateway.baseUrl}/fhir/Observation/${created.id}/_history/1`);
    expect(headers.get('etag')).toBe('W/"1"');
    expect(headers.get('last-modified')).toBe(new Date(created.meta.lastUpdated).toUTCString());
    expect(headers.get('content-type')).toBe('application/fhir+json; charset=utf-8');
    expect(created.meta).toEqual({ versionId: '1', lastUpdated: created.meta.lastUpdated, tag: [{ system: 'urn:t', code: 'kept' }] });
    expect(Date.parse(created.meta.lastUpdated)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(created.meta.lastUpdated)).toBeLessThanOrEqual(Date.now());
  });

  it('updates with If-Match to version 2 (200), ignoring the client meta, and answers a stale If-Match with 412', async () => {
    const created = (await fhir.create({ resourceType: 'Observation', body: observation() })) as unknown as StoredFhirResource;
    const body = { ...created, status: 'amended', meta: { versionId: '99', lastUpdated: '2000-01-01T00:00:00Z' } };
    const updated = (await fhir.update({ resourceType: 'Observation', id: created.id, body, options: { headers: { 'if-match': 'W/"1"' } } })) as unknown as StoredFhirResource;
    expect(httpOf(updated).status).toBe(200);
    expect(httpOf(updated).headers.get('etag')).toBe('W/"2"');
    expect(httpOf(updated).headers.get('location')).toBe(`${gateway.baseUrl}/fhir/Observation/${created.id}/_history/2`);
    expect(updated).toEqual({ ...created, status: 'amended', meta: { versionId: '2', lastUpdated: updated.meta.lastUpdated } });
    expect(Date.parse(updated.meta.lastUpdated)).toBeGreaterThan(Date.parse(created.meta.lastUpdated));

    const stale = await failureOf(fhir.update({ resourceType: 'Observation', id: created.id, body: { ...created, status: 'cancelled' }, options: { headers: { 'if-match': 'W/"1"' } } }));
    expect(stale).toEqual({ status: 412, data: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'conflict', diagnostics: 'If-Match expected version 1, but the current version is 2' }] } });
    expect(((await fhir.read({ resourceType: 'Observation', id: created.id })) as unknown as StoredFhirResource).status).toBe('amended');
  });

  it('reads each version with vread and lists the history newest first, ending with the deletion; a read after delete (204) is 410', async () => {
    const v1 = (await fhir.create({ resourceType: 'Observation', body: observation() })) as unknown as StoredFhirResource;
    const v2 = (await fhir.update({ resourceType: 'Observation', id: v1.id, body: { ...v1, status: 'amended' } })) as unknown as StoredFhirResource;
    const deleted = await fhir.delete({ resourceType: 'Observation', id: v1.id });
    expect(httpOf(deleted).status).toBe(204);
    expect(await failureOf(fhir.read({ resourceType: 'Observation', id: v1.id }))).toEqual({
      status: 410,
      data: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'deleted', diagnostics: `Observation/${v1.id} was deleted` }] },
    });
    expect(await fhir.vread({ resourceType: 'Observation', id: v1.id, version: '1' })).toEqual(v1);
    expect(await fhir.vread({ resourceType: 'Observation', id: v1.id, version: '2' })).toEqual(v2);
    expect(await failureOf(fhir.vread({ resourceType: 'Observation', id: v1.id, version: '3' }))).toEqual({
      status: 410,
      data: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'deleted', diagnostics: `Observation/${v1.id} version 3 is a deletion` }] },
    });
    const history = (await fhir.history({ resourceType: 'Observation', id: v1.id })) as unknown as FhirBundle;
    expect(history.type).toBe('history');
    expect(history.entry!.map((e) => [e.request, e.response?.status, e.response?.etag, e.resource?.meta.versionId])).toEqual([
      [{ method: 'DELETE', url: `Observation/${v1.id}` }, '204 No Content', 'W/"3"', undefined],
      [{ method: 'PUT', url: `Observation/${v1.id}` }, '200 OK', 'W/"2"', '2'],
      [{ method: 'POST', url: 'Observation' }, '201 Created', 'W/"1"', '1'],
    ]);
    expect(history.entry!.slice(1).map((e) => e.resource)).toEqual([v2, v1]);
  });

  it('creates conditionally with If-None-Exist: the second create answers 200 with the same resource and stores nothing new', async () => {
    const body = observation({ identifier: [{ system: 'urn:rest:ccreate', value: 'once' }] });
    const options = { headers: { 'if-none-exist': 'identifier=urn:rest:ccreate|once' } };
    const first = (await fhir.create({ resourceType: 'Observation', body, options })) as unknown as StoredFhirResource;
    const second = (await fhir.create({ resourceType: 'Observation', body: { ...body, status: 'amended' }, options })) as unknown as StoredFhirResource;
    expect([httpOf(first).status, httpOf(second).status]).toEqual([201, 200]);
    expect(second).toEqual(first);
    const found = (await fhir.search({ resourceType: 'Observation', searchParams: { identifier: 'urn:rest:ccreate|once' } })) as unknown as FhirBundle;
    expect([found.total, found.entry!.map((e) => e.resource!.id)]).toEqual([1, [first.id]]);
  });

  it('accepts application/json as well as application/fhir+json bodies and answers application/fhir+json', async () => {
    const send = (method: string, path: string, body: unknown, contentType: string) => rawRequest(`${gateway.baseUrl}/fhir/${path}`, token, { method, body: JSON.stringify(body), contentType });
    const created = await send('POST', 'Observation', observation(), 'application/json');
    expect([created.status, created.contentType]).toEqual([201, 'application/fhir+json; charset=utf-8']);
    const id = (created.body as StoredFhirResource).id;
    const updated = await send('PUT', `Observation/${id}`, observation({ id, status: 'amended' }), 'application/json; charset=utf-8');
    expect([updated.status, (updated.body as StoredFhirResource).meta.versionId]).toEqual([200, '2']);
    const again = await send('PUT', `Observation/${id}`, observation({ id, status: 'corrected' }), 'application/fhir+json; charset=utf-8');
    expect([again.status, (again.body as StoredFhirResource).meta.versionId]).toEqual([200, '3']);
  });

  it.each([
    ['a missing required element', observation({ status: undefined }), 'structure', 'Missing required property', 'Observation.status'],
    ['a code outside its required value set', observation({ status: 'bogus' }), 'value', 'Value is not in the required value set http://hl7.org/fhir/ValueSet/observation-status', 'Observation.status'],
    ['an unknown element', observation({ colour: 'red' }), 'structure', 'Invalid additional property "colour"', 'Observation.colour'],
  ])('refuses %s with 400 and an OperationOutcome pointing at the element', async (_case, body, code, diagnostics, expression) => {
    expect(await failureOf(fhir.create({ resourceType: 'Observation', body }))).toEqual({ status: 400, data: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code, diagnostics, expression: [expression] }] } });
  });

  it.each([
    ['a string as valueQuantity.value', observation({ valueQuantity: { value: 'seventy' } }), 'Invalid JSON type: expected number, but got string', 'Observation.valueQuantity.value'],
    ['a malformed effectiveDateTime', observation({ effectiveDateTime: 'yesterday' }), 'Invalid dateTime format', 'Observation.effectiveDateTime'],
  ])('refuses %s with 400 and an expression naming the choice element as sent (FHIR R4 OperationOutcome.issue.expression)', async (_case, body, diagnostics, expression) => {
    expect(await failureOf(fhir.create({ resourceType: 'Observation', body }))).toEqual({
      status: 400,
      data: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'structure', diagnostics, expression: [expression] }] },
    });
  });

  it('answers a body above the limit with 413, whether its length is announced or streamed', async () => {
    const limit = gateway.config.http.bodyLimit;
    const big = JSON.stringify(observation({ note: [{ text: 'x'.repeat(limit) }] }));
    expect(await rawRequest(`${gateway.baseUrl}/fhir/Observation`, token, { body: big, contentType: 'application/fhir+json' })).toEqual({
      status: 413,
      contentType: 'application/fhir+json; charset=utf-8',
      body: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'too-long', diagnostics: `request body is larger than the limit of ${limit} bytes` }] },
    });
    const stream = new ReadableStream({ start: (controller) => (controller.enqueue(new TextEncoder().encode(big)), controller.close()) });
    const init = { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json' }, body: stream, duplex: 'half' };
    const streamed = await fetch(`${gateway.baseUrl}/fhir/Observation`, init as RequestInit);
    expect([streamed.status, streamed.headers.get('content-type'), await streamed.json()]).toEqual([
      413,
      'application/fhir+json; charset=utf-8',
      { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'too-long', diagnostics: 'request body is larger than the configured limit' }] },
    ]);
  });

  it.each(['text/plain', 'application/xml', 'application/fhir+xml'])('answers a %s body with 415 naming the accepted types', async (contentType) => {
    expect(await rawRequest(`${gateway.baseUrl}/fhir/Observation`, token, { body: JSON.stringify(observation()), contentType })).toEqual({
      status: 415,
      contentType: 'application/fhir+json; charset=utf-8',
      body: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-supported', diagnostics: `unsupported Content-Type ${contentType}: expected application/fhir+json or application/json` }] },
    });
  });
});
