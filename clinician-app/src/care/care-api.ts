import type { GraphqlClient } from '@web';

/** A consent as the clinician sees it in `consentedPatients` (gateway/src/graphql/consent/consent.models.ts). */
export interface CareConsent {
  readonly id: string;
  readonly purpose: string;
  readonly notAfter: string;
}

/** A patient whose live consent (or break-glass access) covers the signed-in clinician. */
export interface ConsentedPatient {
  readonly patientId: string;
  readonly compartments: readonly string[];
  readonly emergencyId: string | null;
  readonly expiresAt: string;
  readonly consents: readonly CareConsent[];
}

/** A FHIR resource as the gateway returned it (JSON), read field by field, never rendered as markup. */
export type FhirJson = Readonly<Record<string, unknown>>;

const CONSENTED_PATIENTS = 'query ConsentedPatients { consentedPatients { patientId compartments emergencyId expiresAt consents { id purpose notAfter } } }';

const PATIENT_RECORDS = `query PatientRecords($patientId: String!) {
  observations: patientRecords(patientId: $patientId, resourceType: "Observation")
  patients: patientRecords(patientId: $patientId, resourceType: "Patient")
}`;

export async function consentedPatients(graphql: GraphqlClient): Promise<ConsentedPatient[]> {
  return (await graphql<{ consentedPatients: ConsentedPatient[] }>(CONSENTED_PATIENTS)).consentedPatients;
}

/** The patient's Patient resource and Observations the clinician may read, in that order. */
export async function patientRecords(graphql: GraphqlClient, patientId: string): Promise<FhirJson[]> {
  const { observations, patients } = await graphql<{ observations: string[]; patients: string[] }>(PATIENT_RECORDS, { patientId });
  return [...patients, ...observations].map((json) => JSON.parse(json) as FhirJson);
}
