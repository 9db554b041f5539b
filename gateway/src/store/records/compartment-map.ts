import type { Compartment } from '../../crypto/index.js';
import type { FhirResource } from '../fhir-repository.js';

/** Resource types each compartment holds (documented in gateway/src/crypto/README.md; one table, used everywhere). */
const BY_TYPE: Readonly<Record<string, Compartment>> = {
  Patient: 'demographics',
  DiagnosticReport: 'labs',
  Condition: 'conditions',
  AllergyIntolerance: 'conditions',
  Procedure: 'conditions',
  MedicationStatement: 'medications',
  MedicationRequest: 'medications',
  Immunization: 'medications',
  Encounter: 'encounters',
  DocumentReference: 'documents',
  // The patient's own copy of each consent they granted (served at /fhir/Consent as a projection of chain state).
  Consent: 'documents',
  RiskAssessment: 'ai-results',
  Provenance: 'ai-results',
};

const OBSERVATION_CATEGORY = 'http://terminology.hl7.org/CodeSystem/observation-category';

/**
 * The compartment a resource is sealed into. Observations split by category (FHIR R4 observation-category):
 * vital signs go to `vitals`, everything else (laboratory, social history, …) to `labs`.
 */
export function compartmentOf(resource: FhirResource): Compartment | undefined {
  if (resource.resourceType === 'Observation') {
    const categories = (resource['category'] as { coding?: { system?: string; code?: string }[] }[] | undefined) ?? [];
    const vital = categories.some((c) => c.coding?.some((coding) => coding.system === OBSERVATION_CATEGORY && coding.code === 'vital-signs'));
    return vital ? 'vitals' : 'labs';
  }
  return BY_TYPE[resource.resourceType];
}
