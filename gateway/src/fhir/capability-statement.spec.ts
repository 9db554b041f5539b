import { validateResource } from '@medplum/core';
import { loadFhirDefinitions } from '../common/index.js';
import { buildCapabilityStatement, readSoftware, TYPE_INTERACTIONS } from './capability-statement.js';
import { SUPPORTED_SEARCH_PARAMS } from './search-params.js';
import { SUPPORTED_RESOURCE_TYPES } from './supported-types.js';

const statement = buildCapabilityStatement({
  base: 'https://fhir.example.org/fhir',
  software: { name: 'consent-gated-fhir-gateway', version: '0.1.0' },
  oauth: { token: 'https://sso.example.org/realms/r/protocol/openid-connect/token', authorize: 'https://sso.example.org/realms/r/protocol/openid-connect/auth' },
  date: '2024-01-01T00:00:00.000Z',
});

interface RestResource {
  type: string;
  interaction: { code: string }[];
  searchParam: { name: string; definition: string; type: string }[];
  searchInclude?: string[];
  [key: string]: unknown;
}
const rest = (statement['rest'] as { mode: string; resource: RestResource[]; interaction: { code: string }[]; security: { service: unknown } }[])[0]!;

describe('the search parameters the gateway supports, per type', () => {
  it('are the R4 definitions of each type intersected with what the store answers', () => {
    expect(SUPPORTED_SEARCH_PARAMS).toEqual({
      Patient: ['_id', '_lastUpdated', 'identifier'],
      Observation: ['_id', '_lastUpdated', 'patient', 'subject', 'code', 'date', 'category', 'status', 'identifier'],
      Condition: ['_id', '_lastUpdated', 'patient', 'subject', 'code', 'category', 'identifier'],
      MedicationStatement: ['_id', '_lastUpdated', 'patient', 'subject', 'code', 'category', 'status', 'identifier'],
      MedicationRequest: ['_id', '_lastUpdated', 'patient', 'subject', 'code', 'date', 'category', 'status', 'identifier'],
      AllergyIntolerance: ['_id', '_lastUpdated', 'patient', 'code', 'date', 'category', 'identifier'],
      Procedure: ['_id', '_lastUpdated', 'patient', 'subject', 'code', 'date', 'category', 'status', 'identifier'],
      Encounter: ['_id', '_lastUpdated', 'patient', 'subject', 'date', 'status', 'identifier'],
      DiagnosticReport: ['_id', '_lastUpdated', 'patient', 'subject', 'code', 'date', 'category', 'status', 'identifier'],
      Immunization: ['_id', '_lastUpdated', 'patient', 'date', 'status', 'identifier'],
      DocumentReference: ['_id', '_lastUpdated', 'patient', 'subject', 'date', 'category', 'status', 'identifier'],
    });
  });
});

describe('the CapabilityStatement (FHIR R4 http.html#capabilities)', () => {
  beforeAll(() => loadFhirDefinitions());

  it('is a valid R4 CapabilityStatement', () => {
    expect(validateResource(statement as never).filter((i: { severity: string }) => i.severity === 'error')).toEqual([]);
  });

  it('describes this server instance: active, FHIR 4.0.1, JSON only, its software and base URL', () => {
    expect(statement).toMatchObject({
      resourceType: 'CapabilityStatement',
      status: 'active',
      kind: 'instance',
      fhirVersion: '4.0.1',
      format: ['application/fhir+json', 'json'],
      software: { name: 'consent-gated-fhir-gateway', version: '0.1.0' },
      implementation: { url: 'https://fhir.example.org/fhir' },
    });
    expect(readSoftware()).toEqual({ name: 'consent-gated-fhir-gateway', version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
  });

  it('declares OAuth security with the token endpoint, and transaction and batch as system interactions', () => {
    expect(rest.mode).toBe('server');
    expect(rest.security).toMatchObject({
      service: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/restful-security-service', code: 'OAuth' }] }],
      extension: [{ url: 'http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris', extension: [{ url: 'token', valueUri: 'https://sso.example.org/realms/r/protocol/openid-connect/token' }, { url: 'authorize' }] }],
    });
    expect(rest.interaction).toEqual([{ code: 'transaction' }, { code: 'batch' }]);
  });

  it('lists exactly the supported types, each with exactly the interactions and search parameters that work', () => {
    expect(rest.resource.map((r) => r.type)).toEqual([...SUPPORTED_RESOURCE_TYPES, 'Consent', 'AuditEvent']);
    for (const resource of rest.resource.filter((r) => r.type !== 'Consent' && r.type !== 'AuditEvent')) {
      const type = resource.type as (typeof SUPPORTED_RESOURCE_TYPES)[number];
      expect(resource.interaction.map((i) => i.code)).toEqual([...TYPE_INTERACTIONS]);
      expect(resource.searchParam.map((p) => p.name)).toEqual(SUPPORTED_SEARCH_PARAMS[type]);
      expect(resource).toMatchObject({
        versioning: 'versioned',
        readHistory: true,
        updateCreate: true,
        conditionalCreate: true,
        conditionalUpdate: false,
        conditionalDelete: 'not-supported',
      });
      const references = SUPPORTED_SEARCH_PARAMS[type].filter((n) => n === 'patient' || n === 'subject');
      expect(resource.searchInclude ?? []).toEqual(references.map((n) => `${type}:${n}`));
    }
  });

  it('lists Consent as read-only (read and search): a projection of on-chain consents', () => {
    const consent = rest.resource.find((r) => r.type === 'Consent')!;
    expect(consent.interaction.map((i) => i.code)).toEqual(['read', 'search-type']);
    expect(consent.searchParam).toEqual([
      { name: '_id', definition: 'http://hl7.org/fhir/SearchParameter/Resource-id', type: 'token' },
      { name: 'patient', definition: 'http://hl7.org/fhir/SearchParameter/clinical-patient', type: 'reference' },
      { name: 'status', definition: 'http://hl7.org/fhir/SearchParameter/Consent-status', type: 'token' },
    ]);
    expect(consent).toMatchObject({ versioning: 'no-version', readHistory: false, updateCreate: false, conditionalCreate: false });
  });

  it('lists AuditEvent as read-only (read and search): a projection of the audit log', () => {
    const audit = rest.resource.find((r) => r.type === 'AuditEvent')!;
    expect(audit.interaction.map((i) => i.code)).toEqual(['read', 'search-type']);
    expect(audit.searchParam.map((p) => [p.name, p.definition, p.type])).toEqual([
      ['date', 'http://hl7.org/fhir/SearchParameter/AuditEvent-date', 'date'],
      ['outcome', 'http://hl7.org/fhir/SearchParameter/AuditEvent-outcome', 'token'],
      ['agent', 'http://hl7.org/fhir/SearchParameter/AuditEvent-agent', 'reference'],
      ['patient', 'http://hl7.org/fhir/SearchParameter/AuditEvent-patient', 'reference'],
    ]);
    expect(audit).toMatchObject({ versioning: 'no-version', readHistory: false, updateCreate: false, conditionalCreate: false });
  });

  it('gives each search parameter its R4 type and definition', () => {
    const observation = rest.resource.find((r) => r.type === 'Observation')!;
    expect(observation.searchParam).toEqual([
      { name: '_id', definition: 'http://hl7.org/fhir/SearchParameter/Resource-id', type: 'token' },
      { name: '_lastUpdated', definition: 'http://hl7.org/fhir/SearchParameter/Resource-lastUpdated', type: 'date' },
      { name: 'patient', definition: 'http://hl7.org/fhir/SearchParameter/clinical-patient', type: 'reference' },
      { name: 'subject', definition: 'http://hl7.org/fhir/SearchParameter/Observation-subject', type: 'reference' },
      { name: 'code', definition: 'http://hl7.org/fhir/SearchParameter/clinical-code', type: 'token' },
      { name: 'date', definition: 'http://hl7.org/fhir/SearchParameter/clinical-date', type: 'date' },
      { name: 'category', definition: 'http://hl7.org/fhir/SearchParameter/Observation-category', type: 'token' },
      { name: 'status', definition: 'http://hl7.org/fhir/SearchParameter/Observation-status', type: 'token' },
      { name: 'identifier', definition: 'http://hl7.org/fhir/SearchParameter/clinical-identifier', type: 'token' },
    ]);
  });

  it('lists nothing that does not work: no patch, no system search or history, no _summary or _elements', () => {
    const text = JSON.stringify(statement);
    for (const absent of ['"patch"', 'search-system', 'history-system', 'history-type', '_summary', '_elements', '_revinclude']) expect(text).not.toContain(absent);
  });

  it('lists exactly one operation, $diagnose on Patient, with its OperationDefinition', () => {
    const withOperations = rest.resource.filter((r) => 'operation' in r).map((r) => [r.type, (r as { operation?: unknown }).operation]);
    expect(withOperations).toEqual([['Patient', [{ name: 'diagnose', definition: 'https://fhir.example.org/fhir/OperationDefinition/Patient-diagnose' }]]]);
  });
});
