/**
 * Synthetic demo patients: the public API of the demo folder. The embedded mode seeds these bundles on first
 * start; `generate.cli.ts` writes them to files for other FHIR servers.
 */
export { generateSyntheticPatients, generatePatientBundle, type SyntheticPatient, type SyntheticPatientOptions } from './synthetic-patients.js';
export { ClinicalClock, DEFAULT_REFERENCE_DATE } from './clinical-clock.js';
export { SYNTHETIC_PROFILES } from './profiles/index.js';
export type { PatientProfile } from './patient-profile.js';
export type { Bundle, BundleEntry, Resource } from './fhir-types.js';
export { LAB_ANALYTES, VITAL_SIGNS, LOINC_PANELS, SMOKING_STATUS_CODE, UNITS, type AnalyteKey, type LabAnalyte, type LoincMeasure } from './loinc-codes.js';
export { CONDITIONS, MEDICATIONS, SMOKING_STATUSES, VACCINES, ALLERGENS, PROCEDURES } from './clinical-codes.js';
export { DEMO_MRN_SYSTEM, SYSTEMS, US_CORE_EXTENSIONS } from './code-systems.js';
export { SeededRandom } from './seeded-random.js';
export { DemoModule } from './demo.module.js';
