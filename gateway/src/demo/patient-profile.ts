/**
 * The declarative description of one synthetic patient: who they are, their problems and treatment, how often they
 * are seen and how their measurements drift. The generator turns a profile into a FHIR transaction Bundle.
 *
 * Every date here is a calendar date in the frame of DEFAULT_REFERENCE_DATE (2026-06-30); see ClinicalClock.
 */
import type { AllergenKey, ConditionKey, MedicationKey, ProcedureKey, ReactionKey, SmokingStatusKey, VaccineKey } from './clinical-codes.js';

/**
 * A value that drifts linearly from `start` (first regular visit) to `end` (last regular visit), plus normal noise
 * with standard deviation `sd`. Laboratory trends are in conventional (mass) units; the generator converts them for
 * patients whose laboratory reports SI units.
 */
export interface Trend {
  readonly start: number;
  readonly end: number;
  readonly sd: number;
}

/** OMB race categories as US Core records them (CDC Race & Ethnicity code set). */
export type OmbRace = 'white' | 'blackOrAfricanAmerican' | 'asian';
/** OMB ethnicity categories as US Core records them. */
export type OmbEthnicity = 'hispanicOrLatino' | 'notHispanicOrLatino';

/** Which unit family the patient's laboratory reports an analyte group in. */
export type UnitFamily = 'mass' | 'molar';

/** Laboratory trends (conventional units: mg/dL, %, mmol/L for electrolytes). */
export interface LabTrends {
  readonly totalCholesterol?: Trend;
  readonly hdlCholesterol?: Trend;
  readonly triglycerides?: Trend;
  readonly glucose?: Trend;
  readonly creatinine?: Trend;
  readonly ureaNitrogen?: Trend;
  readonly potassium?: Trend;
  readonly hba1c?: Trend;
}

/** How often each kind of laboratory work is drawn: at every n-th regular visit, counting from the first (0 = never). */
export interface LabSchedule {
  readonly lipidPanelEvery: number;
  readonly metabolicPanelEvery: number;
  readonly hba1cEvery: number;
}

/** A problem-list entry. */
export interface ConditionSpec {
  readonly key: ConditionKey;
  readonly onset: string;
  /** For resolved problems; the condition is then diagnosed at an acute visit on its onset date. */
  readonly abatement?: string;
  /** Free text shown with the code (e.g. the CKD sub-stage). */
  readonly text?: string;
}

/** A long-term medication: one MedicationStatement, plus a MedicationRequest at each check-up while it is taken. */
export interface MedicationSpec {
  readonly key: MedicationKey;
  readonly start: string;
  readonly reason: ConditionKey;
  /** Patient-facing instructions (Dosage.text). */
  readonly dosage: string;
  readonly asNeeded?: boolean;
  /** What one fill dispenses (UCUM annotation units such as `{tbl}`) and how long it lasts. */
  readonly dispense: { readonly quantity: number; readonly unit: string; readonly code: string; readonly supplyDays: number };
}

/** An allergy or intolerance with its one recorded reaction. */
export interface AllergySpec {
  readonly substance: AllergenKey;
  readonly category: 'medication' | 'food' | 'environment';
  readonly type: 'allergy' | 'intolerance';
  readonly criticality: 'low' | 'high' | 'unable-to-assess';
  readonly reaction: ReactionKey;
  readonly severity: 'mild' | 'moderate' | 'severe';
  readonly onset: string;
}

/** A procedure performed during a regular visit (index into the visit schedule). */
export interface ProcedureSpec {
  readonly key: ProcedureKey;
  readonly visit: number;
  readonly reason?: ConditionKey;
}

/** The full profile. */
export interface PatientProfile {
  /** FHIR Patient id, `pat-<firstname>`. */
  readonly id: string;
  /** One-line description for listings. */
  readonly label: string;
  readonly name: { readonly prefix: string; readonly given: readonly string[]; readonly family: string };
  readonly gender: 'female' | 'male';
  readonly birthDate: string;
  /** v3 MaritalStatus code (M married, S never married, W widowed, D divorced). */
  readonly maritalStatus: 'M' | 'S' | 'W' | 'D';
  readonly mrn: string;
  readonly phone: string;
  readonly email: string;
  readonly address: { readonly line: readonly string[]; readonly city: string; readonly state: string; readonly postalCode: string };
  readonly race?: OmbRace;
  readonly ethnicity?: OmbEthnicity;
  readonly smoking: SmokingStatusKey;
  /** Display name of the primary care clinician (display-only references). */
  readonly clinician: string;
  readonly labUnits: { readonly lipids: UnitFamily; readonly creatinine: UnitFamily };
  /** Regular visits: `count` visits `everyDays` apart, the last one on `last`; every `checkUpEvery`-th is a check-up. */
  readonly visits: { readonly count: number; readonly everyDays: number; readonly last: string; readonly checkUpEvery: number };
  readonly vitals: { readonly systolic: Trend; readonly diastolic: Trend; readonly heartRate: Trend; readonly weightKg: Trend; readonly heightCm: number };
  readonly labSchedule: LabSchedule;
  readonly labs: LabTrends;
  readonly conditions: readonly ConditionSpec[];
  readonly medications: readonly MedicationSpec[];
  readonly allergies: readonly AllergySpec[];
  readonly immunizations: readonly { readonly vaccine: VaccineKey; readonly date: string }[];
  readonly procedures: readonly ProcedureSpec[];
  /** The assessment paragraph of the final progress note (no dates: they would not shift with the reference date). */
  readonly assessment: string;
}
