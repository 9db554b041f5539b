import { loadFhirDefinitions } from '../../common/index.js';
import { readResourceBody } from '../../fhir/resource-body.js';
import type { AuditEntry } from '../audit-entry.js';
import { leafIndexOf, toAuditEvent } from './audit-event.js';

const actor = `0x${'a1'.repeat(32)}`;
const patient = 'b2'.repeat(16);
const consent = `0x${'c3'.repeat(32)}`;
const leafHash = 'd4'.repeat(32);
const base = { v: 1, prev: '0'.repeat(64), at: '2025-05-01T08:00:00.123Z', actor, role: 'clinician' } as const;

const read: AuditEntry = { ...base, seq: 7, action: 'read', outcome: 'allowed', patient, resourceType: 'Observation', consent, purpose: 'TREATMENT' };
const denied: AuditEntry = { ...base, seq: 8, action: 'search', outcome: 'denied', patient, resourceType: 'Observation', reason: 'not-found' };
const diagnosis: AuditEntry = {
  ...base,
  seq: 9,
  action: 'diagnose',
  outcome: 'allowed',
  patient,
  resourceType: 'RiskAssessment',
  consent,
  purpose: 'DIAGNOSIS',
  model: { id: 'ascvd-pce', version: '2013', sha256: 'e5'.repeat(32) },
  inputs: ['01'.repeat(32), '02'.repeat(32)],
  output: '03'.repeat(32),
  explanation: '04'.repeat(32),
  result: 'diag-1',
};
const grant: AuditEntry = { ...base, seq: 10, role: 'patient', action: 'consent-grant', outcome: 'allowed', patient, consent, purpose: 'EMERGENCY' };
const breakGlass: AuditEntry = { ...base, seq: 11, action: 'emergency', outcome: 'allowed', patient, emergency: `0x${'f6'.repeat(32)}`, purpose: 'EMERGENCY', compartment: 'vitals' };

describe('the FHIR AuditEvent projection of an audit entry', () => {
  beforeAll(() => loadFhirDefinitions());

  it('maps a consented read: rest/read, R, outcome 0, the actor, TREAT, the patient pseudonym, the consent and the leaf', () => {
    expect(toAuditEvent(read, leafHash)).toEqual({
      resourceType: 'AuditEvent',
      id: 'audit-7',
      type: { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest', display: 'RESTful Operation' },
      subtype: [
        { system: 'http://hl7.org/fhir/restful-interaction', code: 'read' },
        { system: 'urn:fhir-gateway:audit-action', code: 'read' },
      ],
      action: 'R',
      recorded: '2025-05-01T08:00:00.123Z',
      outcome: '0',
      purposeOfEvent: [
        {
          coding: [
            { system: 'https://fhir-gateway.dev/fhir/CodeSystem/consent-purpose', code: 'TREATMENT' },
            { system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'TREAT', display: 'treatment' },
          ],
        },
      ],
      agent: [{ who: { identifier: { system: 'urn:fhir-gateway:actor', value: actor } }, requestor: true, role: [{ text: 'clinician' }] }],
      source: { observer: { display: 'fhir-gateway' } },
      entity: [
        {
          what: { identifier: { system: 'urn:fhir-gateway:patient-pseudonym', value: patient } },
          type: { system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type', code: '1', display: 'Person' },
          role: { system: 'http://terminology.hl7.org/CodeSystem/object-role', code: '1', display: 'Patient' },
        },
        { what: { identifier: { system: 'urn:ethereum', value: consent } }, type: { system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type', code: '2', display: 'System Object' }, name: 'consent' },
        {
          what: { identifier: { system: 'urn:fhir-gateway:audit-log', value: '7' } },
          type: { system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type', code: '2', display: 'System Object' },
          name: 'audit log entry',
          detail: [
            { type: 'leafIndex', valueString: '7' },
            { type: 'leafHash', valueString: leafHash },
            { type: 'resourceType', valueString: 'Observation' },
          ],
        },
      ],
    });
  });

  it('maps a denial to outcome 4 with its reason, and a search to search-type', () => {
    const event = toAuditEvent(denied, leafHash);
    expect([event['outcome'], event['outcomeDesc'], event['action'], event['subtype']]).toEqual([
      '4',
      'not-found',
      'R',
      [
        { system: 'http://hl7.org/fhir/restful-interaction', code: 'search-type' },
        { system: 'urn:fhir-gateway:audit-action', code: 'search' },
      ],
    ]);
    expect(event['purposeOfEvent']).toBeUndefined();
  });

  it('maps a diagnosis: the operation, the model with its hash, and the input, output and explanation hashes', () => {
    const event = toAuditEvent(diagnosis, leafHash) as { action: string; subtype: unknown[]; entity: { name?: string; what?: unknown; detail?: unknown[] }[]; purposeOfEvent: { coding: { code: string }[] }[] };
    expect(event.action).toBe('E');
    expect(event.subtype).toEqual([
      { system: 'http://hl7.org/fhir/restful-interaction', code: 'operation' },
      { system: 'urn:fhir-gateway:audit-action', code: 'diagnose' },
    ]);
    expect(event.purposeOfEvent[0]!.coding.map((c) => c.code)).toEqual(['DIAGNOSIS', 'TREAT']);
    expect(event.entity.find((e) => e.name === 'model')).toMatchObject({ what: { identifier: { system: 'urn:fhir-gateway:model', value: 'ascvd-pce@2013' } }, detail: [{ type: 'sha256', valueString: 'e5'.repeat(32) }] });
    expect(event.entity.find((e) => e.name === 'diagnosis')).toMatchObject({
      what: { identifier: { system: 'urn:fhir-gateway:diagnosis', value: 'diag-1' } },
      detail: [
        { type: 'input-sha256', valueString: '01'.repeat(32) },
        { type: 'input-sha256', valueString: '02'.repeat(32) },
        { type: 'output-sha256', valueString: '03'.repeat(32) },
        { type: 'explanation-sha256', valueString: '04'.repeat(32) },
      ],
    });
  });

  it('maps consent decisions and break-glass to DICOM Application Activity with the log’s action as subtype', () => {
    for (const entry of [grant, breakGlass]) {
      const event = toAuditEvent(entry, leafHash);
      expect([event['type'], event['subtype'], event['action']]).toEqual([{ system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110100', display: 'Application Activity' }, [{ system: 'urn:fhir-gateway:audit-action', code: entry.action }], 'E']);
    }
    const glass = toAuditEvent(breakGlass, leafHash) as { entity: { name?: string; what?: unknown; detail?: { type: string }[] }[] };
    expect(glass.entity.find((e) => e.name === 'break-glass access')!.what).toEqual({ identifier: { system: 'urn:ethereum', value: `0x${'f6'.repeat(32)}` } });
    expect(glass.entity.at(-1)!.detail!.map((d) => d.type)).toEqual(['leafIndex', 'leafHash', 'compartment']);
  });

  it('produces valid FHIR R4 AuditEvents (the R4 StructureDefinitions and required bindings)', () => {
    for (const entry of [read, denied, diagnosis, grant, breakGlass]) expect(() => readResourceBody(toAuditEvent(entry, leafHash), 'AuditEvent')).not.toThrow();
  });

  it('reads the leaf index back from an id, and nothing from ids that are not ours', () => {
    expect([leafIndexOf('audit-0'), leafIndexOf('audit-123')]).toEqual([0, 123]);
    for (const id of ['audit-', 'audit-01', 'audit--1', 'audit-1.5', '7', `audit-${'9'.repeat(17)}`]) expect(leafIndexOf(id)).toBeUndefined();
  });
});
