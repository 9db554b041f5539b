import { type Compartment, parseScope } from '../crypto/index.js';
import type { FhirResource } from '../store/index.js';
import type { ConsentRow } from './consent-view.js';

/** Where this gateway's consent identifiers and chain records live in FHIR (its own naming system). */
export const CONSENT_ID_SYSTEM = 'urn:fhir-gateway:consent-registry';
export const CHAIN_RECORD_EXTENSION = 'https://fhir-gateway.dev/fhir/StructureDefinition/consent-chain-record';
const PURPOSE_SYSTEM = 'https://fhir-gateway.dev/fhir/CodeSystem/consent-purpose';
/** HL7 v3 ActReason codes for the purposes that have one (FHIR R4 v3-PurposeOfUse). */
const V3_PURPOSE: Readonly<Record<string, string>> = { TREATMENT: 'TREAT', RESEARCH: 'HRESCH', EMERGENCY: 'ETREAT' };
const RESOURCE_TYPES_BY_COMPARTMENT: Readonly<Record<Compartment, readonly string[]>> = {
  demographics: ['Patient'],
  vitals: ['Observation'],
  labs: ['Observation', 'DiagnosticReport'],
  conditions: ['Condition', 'AllergyIntolerance', 'Procedure'],
  medications: ['MedicationStatement', 'MedicationRequest', 'Immunization'],
  encounters: ['Encounter'],
  documents: ['DocumentReference'],
  'ai-results': ['RiskAssessment', 'Provenance'],
};

/** The consent's state at `now` (unix seconds): pending before its window, expired after it, revoked once revoked. */
export function consentStatus(row: Pick<ConsentRow, 'revokeTx' | 'notBefore' | 'notAfter'>, now: number): 'active' | 'revoked' | 'expired' | 'pending' {
  if (row.revokeTx) return 'revoked';
  if (now >= row.notAfter) return 'expired';
  return now < row.notBefore ? 'pending' : 'active';
}

/** The FHIR id of a consent's resource: its on-chain id without `0x` (64 hex characters, a valid FHIR id). */
export function fhirConsentId(consentId: string): string {
  return consentId.replace(/^0x/, '').toLowerCase();
}

/**
 * A consent as a FHIR R4 Consent (scope patient-privacy, LOINC 59284-0), projected from chain state and the stored
 * terms: provision period = the on-chain window, actor = the grantee, purpose, classes = the resource types of the
 * compartments in scope; the chain record (chain id, registry, consent id, transactions, blocks, scope hash) in an
 * extension and the identifier. Contains no health data: only who may see which kinds of record, when.
 */
export function toFhirConsent(row: ConsentRow, chain: { readonly chainId: number; readonly registry: string }, now: number): FhirResource & { id: string } {
  const scope = parseScope(row.scopeJson);
  const status = consentStatus(row, now);
  const record = [
    { url: 'chainId', valueInteger: chain.chainId },
    { url: 'registry', valueString: chain.registry.toLowerCase() },
    { url: 'consentId', valueString: row.consentId },
    { url: 'patientAddress', valueString: row.patientAddress },
    { url: 'grantee', valueString: row.grantee },
    { url: 'scopeHash', valueString: row.scopeHash },
    { url: 'grantTransaction', valueString: row.grantTx },
    { url: 'grantBlock', valueInteger: row.grantBlock },
    ...(row.revokeTx ? [{ url: 'revokeTransaction', valueString: row.revokeTx }, { url: 'revokeBlock', valueInteger: row.revokeBlock ?? 0 }] : []),
    ...scope.models.map((model) => ({ url: 'model', valueString: model })),
  ];
  const v3 = V3_PURPOSE[row.purpose];
  return {
    resourceType: 'Consent',
    id: fhirConsentId(row.consentId),
    extension: [{ url: CHAIN_RECORD_EXTENSION, extension: record }],
    identifier: [{ system: CONSENT_ID_SYSTEM, value: `eip155:${chain.chainId}:${chain.registry.toLowerCase()}:${row.consentId}` }],
    status: status === 'active' ? 'active' : status === 'pending' ? 'proposed' : 'inactive',
    scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }] },
    category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0', display: 'Patient Consent' }] }],
    patient: { reference: `Patient/${row.patientId}` },
    dateTime: new Date(row.notBefore * 1000).toISOString(),
    performer: [{ reference: `Patient/${row.patientId}` }],
    policyRule: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'OPTIN' }] },
    provision: {
      type: 'permit',
      period: { start: new Date(row.notBefore * 1000).toISOString(), end: new Date(row.notAfter * 1000).toISOString() },
      actor: [
        {
          role: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'IRCP' }] },
          reference: { identifier: { system: 'urn:fhir-gateway:grantee', value: row.grantee }, display: row.granteeName },
        },
      ],
      purpose: [{ system: PURPOSE_SYSTEM, code: row.purpose }, ...(v3 ? [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: v3 }] : [])],
      class: [...new Set(scope.compartments.flatMap((c) => RESOURCE_TYPES_BY_COMPARTMENT[c]))].sort().map((type) => ({ system: 'http://hl7.org/fhir/resource-types', code: type })),
      securityLabel: scope.compartments.map((c) => ({ system: 'urn:fhir-gateway:compartment', code: c })),
    },
  } as FhirResource & { id: string };
}
