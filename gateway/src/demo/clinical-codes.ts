/**
 * SNOMED CT, RxNorm and CVX codes of the synthetic records. Each code was checked against a published source (see
 * the demo README, "Codes and where they were checked"); displays are the concepts' preferred terms without the
 * semantic tag.
 */
import type { Coding } from './fhir-types.js';
import { SYSTEMS } from './code-systems.js';

const snomed = (code: string, display: string): Coding => ({ system: SYSTEMS.snomed, code, display });
const rxnorm = (code: string, display: string): Coding => ({ system: SYSTEMS.rxnorm, code, display });
const cvx = (code: string, display: string): Coding => ({ system: SYSTEMS.cvx, code, display });

/** Problem-list conditions (SNOMED CT disorders). */
export const CONDITIONS = {
  hypertension: snomed('38341003', 'Hypertensive disorder, systemic arterial'),
  hyperlipidemia: snomed('55822004', 'Hyperlipidemia'),
  type2Diabetes: snomed('44054006', 'Diabetes mellitus type 2'),
  ckdStage3: snomed('433144002', 'Chronic kidney disease stage 3'),
  asthma: snomed('195967001', 'Asthma'),
  atrialFibrillation: snomed('49436004', 'Atrial fibrillation'),
  heartFailure: snomed('84114007', 'Heart failure'),
  acuteViralPharyngitis: snomed('195662009', 'Acute viral pharyngitis'),
  acuteBronchitis: snomed('10509002', 'Acute bronchitis'),
} as const satisfies Record<string, Coding>;
/** Name of a condition in the table above. */
export type ConditionKey = keyof typeof CONDITIONS;

/** Procedures (SNOMED CT procedures). */
export const PROCEDURES = {
  electrocardiogram: snomed('29303009', 'Electrocardiographic procedure'),
  echocardiography: snomed('40701008', 'Echocardiography'),
  spirometry: snomed('127783003', 'Spirometry'),
  mammography: snomed('71651007', 'Mammography'),
  colonoscopy: snomed('73761001', 'Colonoscopy'),
  smokingCessationEducation: snomed('225323000', 'Smoking cessation education'),
  chestXray: snomed('399208008', 'Plain X-ray of chest'),
} as const satisfies Record<string, Coding>;
/** Name of a procedure in the table above. */
export type ProcedureKey = keyof typeof PROCEDURES;

/** Encounter types (SNOMED CT procedures, as US Core's encounter type binding allows). */
export const ENCOUNTER_TYPES = {
  checkUp: snomed('185349003', 'Encounter for check up'),
  followUp: snomed('390906007', 'Follow-up encounter'),
  symptom: snomed('185345009', 'Encounter for symptom'),
} as const satisfies Record<string, Coding>;
/** Name of an encounter type in the table above. */
export type EncounterTypeKey = keyof typeof ENCOUNTER_TYPES;

/** Answers to LOINC 72166-2 "Tobacco smoking status" (SNOMED CT findings). */
export const SMOKING_STATUSES = {
  currentSmoker: snomed('77176002', 'Smoker'),
  exSmoker: snomed('8517006', 'Ex-smoker'),
  neverSmoked: snomed('266919005', 'Never smoked tobacco'),
} as const satisfies Record<string, Coding>;
/** Name of a smoking status answer in the table above. */
export type SmokingStatusKey = keyof typeof SMOKING_STATUSES;

/** Allergy and intolerance substances (SNOMED CT substances). */
export const ALLERGENS = {
  penicillin: snomed('764146007', 'Penicillin'),
  peanut: snomed('762952008', 'Peanut'),
  latex: snomed('111088007', 'Latex'),
  codeine: snomed('387494007', 'Codeine'),
  aspirin: snomed('387458008', 'Aspirin'),
} as const satisfies Record<string, Coding>;
/** Name of an allergen in the table above. */
export type AllergenKey = keyof typeof ALLERGENS;

/** Reaction manifestations (SNOMED CT findings and disorders). */
export const REACTIONS = {
  urticaria: snomed('126485001', 'Urticaria'),
  anaphylaxis: snomed('39579001', 'Anaphylaxis'),
  contactDermatitis: snomed('40275004', 'Contact dermatitis'),
  nausea: snomed('422587007', 'Nausea'),
  bronchospasm: snomed('4386001', 'Bronchospasm'),
} as const satisfies Record<string, Coding>;
/** Name of a reaction manifestation in the table above. */
export type ReactionKey = keyof typeof REACTIONS;

/** Medications (RxNorm semantic clinical drugs, SCD). */
export const MEDICATIONS = {
  lisinopril10: rxnorm('314076', 'lisinopril 10 MG Oral Tablet'),
  atorvastatin20: rxnorm('617310', 'atorvastatin 20 MG Oral Tablet'),
  metformin500: rxnorm('861007', 'metformin hydrochloride 500 MG Oral Tablet'),
  apixaban5: rxnorm('1364445', 'apixaban 5 MG Oral Tablet'),
  metoprololSuccinate25: rxnorm('866427', '24 HR metoprolol succinate 25 MG Extended Release Oral Tablet'),
  furosemide40: rxnorm('313988', 'furosemide 40 MG Oral Tablet'),
  montelukast10: rxnorm('200224', 'montelukast 10 MG Oral Tablet'),
  albuterolInhaler: rxnorm('745679', '200 ACTUAT albuterol 0.09 MG/ACTUAT Metered Dose Inhaler'),
} as const satisfies Record<string, Coding>;
/** Name of a medication in the table above. */
export type MedicationKey = keyof typeof MEDICATIONS;

/** Vaccines (CDC CVX codes). */
export const VACCINES = {
  influenzaQuadrivalent: cvx('150', 'Influenza, injectable, quadrivalent, preservative free'),
  influenzaTrivalent: cvx('140', 'Influenza, seasonal, injectable, preservative free'),
  covid19Mrna: cvx('208', 'COVID-19, mRNA, LNP-S, PF, 30 mcg/0.3 mL dose'),
  tdap: cvx('115', 'Tdap'),
  zosterRecombinant: cvx('187', 'zoster recombinant'),
  pneumococcalPpsv23: cvx('33', 'pneumococcal polysaccharide PPV23'),
} as const satisfies Record<string, Coding>;
/** Name of a vaccine in the table above. */
export type VaccineKey = keyof typeof VACCINES;
