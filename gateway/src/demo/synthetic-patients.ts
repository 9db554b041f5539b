/**
 * Deterministic synthetic patients for the embedded demo: five fictional people with several years of ambulatory
 * care each, as FHIR R4 transaction Bundles that any FHIR server (this gateway included) accepts at `POST /`.
 * Everything derives from the profiles, a seeded generator and a reference date: never from the clock or from
 * Math.random, so every run gives byte-identical output.
 */
import { buildImmunization, buildProcedure } from './care-events.builder.js';
import { ClinicalClock, DEFAULT_REFERENCE_DATE } from './clinical-clock.js';
import { buildProgressNote, progressNoteText } from './clinical-note.builder.js';
import { buildEncounter } from './encounter.builder.js';
import type { Bundle, Quantity, Reference } from './fhir-types.js';
import type { GenerationContext } from './generation-context.js';
import { addPanel, addSingleResult, type LabResult, type PanelDefinition } from './lab-results.builder.js';
import { type AnalyteKey, LOINC_PANELS } from './loinc-codes.js';
import { buildMedicationRequest, buildMedicationStatement } from './medication.builder.js';
import { buildSmokingStatus, buildVitalSigns, sampleVitals, type VitalValues } from './observation.builder.js';
import { buildPatient } from './patient.builder.js';
import type { PatientProfile } from './patient-profile.js';
import { buildAllergy, buildCondition } from './problem-list.builder.js';
import { SYNTHETIC_PROFILES } from './profiles/index.js';
import { SeededRandom } from './seeded-random.js';
import { TransactionBundleBuilder } from './transaction-bundle.builder.js';
import { scheduleVisits, type Visit } from './visit-schedule.js';

/** One generated patient. */
export interface SyntheticPatient {
  /** The fixed FHIR Patient id (`pat-<firstname>`), the one demo accounts name in their `fhir_patient` claim. */
  readonly id: string;
  /** One line: name, age, sex, main problems. */
  readonly label: string;
  /** The patient's records as a FHIR R4 transaction Bundle: `PUT Patient/<id>`, then `POST`s. */
  readonly bundle: Bundle;
}

/** Options of {@link generateSyntheticPatients}. */
export interface SyntheticPatientOptions {
  /**
   * `YYYY-MM-DD`: the day the records end (default `2026-06-30`). Every date in the output is this date minus a
   * fixed number of days, so a different reference date moves all records by the same number of days.
   */
  readonly referenceDate?: string;
}

/** The lipid panel: total, HDL and direct LDL cholesterol, triglycerides. */
const LIPID_PANEL: PanelDefinition = {
  code: LOINC_PANELS.lipidPanel,
  analytes: ['totalCholesterol', 'hdlCholesterol', 'ldlCholesterol', 'triglycerides'],
};

/** The basic metabolic panel's eight analytes. */
const BASIC_METABOLIC_PANEL: PanelDefinition = {
  code: LOINC_PANELS.basicMetabolicPanel,
  analytes: ['glucose', 'ureaNitrogen', 'creatinine', 'sodium', 'potassium', 'chloride', 'carbonDioxide', 'calcium'],
};

/**
 * Generates the five synthetic patients (pat-alice, pat-bob, pat-tomas, pat-greta, pat-rosa).
 * @throws RangeError when `referenceDate` is not a calendar date as `YYYY-MM-DD`.
 */
export function generateSyntheticPatients(options: SyntheticPatientOptions = {}): SyntheticPatient[] {
  const clock = new ClinicalClock(options.referenceDate ?? DEFAULT_REFERENCE_DATE);
  return SYNTHETIC_PROFILES.map((profile) => ({ id: profile.id, label: profile.label, bundle: generatePatientBundle(profile, clock) }));
}

/**
 * One patient's transaction Bundle. Two independent seeded streams per patient (`<id>/ids` for entry uuids,
 * `<id>/values` for clinical noise), so one patient's output never depends on another's.
 */
export function generatePatientBundle(profile: PatientProfile, clock: ClinicalClock): Bundle {
  const random = new SeededRandom(`${profile.id}/values`);
  const bundle = new TransactionBundleBuilder(buildPatient(profile, clock), new SeededRandom(`${profile.id}/ids`));
  const visits = scheduleVisits(profile, clock, random);
  const ctx: GenerationContext = {
    profile,
    clock,
    profileClock: new ClinicalClock(DEFAULT_REFERENCE_DATE),
    random,
    bundle,
    visits,
    conditions: new Map(),
    encounters: new Map(visits.map((v) => [v.number, { reference: bundle.reserve() }])),
  };
  const regular = visits.filter((v) => v.regular !== undefined);
  const lastVisit = regular.at(-1);
  const lastCheckUp = regular.filter((v) => v.type === 'checkUp').at(-1);
  if (!lastVisit || !lastCheckUp) throw new Error(`expected regular visits and a check-up for ${profile.id}, got none`);

  for (const condition of profile.conditions) ctx.conditions.set(condition.key, bundle.add(buildCondition(ctx, condition)));
  for (const allergy of profile.allergies) bundle.add(buildAllergy(ctx, allergy));
  for (const medication of profile.medications) bundle.add(buildMedicationStatement(ctx, medication, lastVisit));

  const latestLabs = new Map<AnalyteKey, Quantity>();
  let lastVitals: VitalValues | undefined;
  for (const visit of visits) {
    const vitals = addVisit(ctx, visit, lastCheckUp, latestLabs);
    if (visit === lastVisit) lastVitals = vitals;
  }
  for (const { vaccine, date } of profile.immunizations) bundle.add(buildImmunization(ctx, vaccine, date));
  bundle.add(buildProgressNote(ctx, lastVisit, progressNoteText(ctx, lastVisit, lastVitals as VitalValues, latestLabs)));
  return bundle.build();
}

/** Adds one visit: its Encounter, vital signs, smoking status, laboratory work, procedures and renewals. */
function addVisit(ctx: GenerationContext, visit: Visit, lastCheckUp: Visit, latestLabs: Map<AnalyteKey, Quantity>): VitalValues {
  const { bundle, profile } = ctx;
  const encounter = ctx.encounters.get(visit.number) as Reference;
  bundle.add(buildEncounter(ctx, visit, reasonsFor(ctx, visit)), encounter.reference);
  const vitals = sampleVitals(ctx, visit);
  for (const observation of buildVitalSigns(ctx, visit, vitals)) bundle.add(observation);
  if (visit.type === 'checkUp') bundle.add(buildSmokingStatus(ctx, visit));
  const index = visit.regular;
  if (index === undefined) return vitals;

  const due = (every: number): boolean => every > 0 && index % every === 0;
  const results: LabResult[] = [];
  if (due(profile.labSchedule.lipidPanelEvery)) results.push(...addPanel(ctx, visit, LIPID_PANEL));
  if (due(profile.labSchedule.metabolicPanelEvery)) results.push(...addPanel(ctx, visit, BASIC_METABOLIC_PANEL));
  if (due(profile.labSchedule.hba1cEvery)) results.push(addSingleResult(ctx, visit, 'hba1c'));
  for (const result of results) latestLabs.set(result.analyte, result.value);

  for (const procedure of profile.procedures.filter((p) => p.visit === index)) bundle.add(buildProcedure(ctx, procedure, visit));
  if (visit.type === 'checkUp') {
    for (const medication of profile.medications.filter((m) => ctx.clock.offsetOf(m.start) <= visit.day)) {
      bundle.add(buildMedicationRequest(ctx, medication, visit, visit === lastCheckUp));
    }
  }
  return vitals;
}

/** Follow-ups review the active chronic problems; acute visits name what they diagnosed; check-ups need no reason. */
function reasonsFor(ctx: GenerationContext, visit: Visit): Reference[] {
  const keys =
    visit.diagnosis !== undefined
      ? [visit.diagnosis]
      : visit.type === 'followUp'
        ? ctx.profile.conditions.filter((c) => c.abatement === undefined).map((c) => c.key)
        : [];
  return keys.map((key) => ctx.conditions.get(key) as Reference);
}
