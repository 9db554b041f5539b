import { ALLERGENS, CONDITIONS, MEDICATIONS, REACTIONS, SMOKING_STATUSES } from './clinical-codes.js';
import { SYSTEMS } from './code-systems.js';
import { yearsBetween } from './clinical-clock.js';
import { DEMO_HOSPITAL } from './encounter.builder.js';
import { concept, type GenerationContext, hl7Concept, SYNTHETIC_META } from './generation-context.js';
import type { Quantity, Resource } from './fhir-types.js';
import { type AnalyteKey, PROGRESS_NOTE_CODE } from './loinc-codes.js';
import type { VitalValues } from './observation.builder.js';
import { VISIT_MINUTES, type Visit } from './visit-schedule.js';

/** Short analyte names used in the note, in the order they are listed. */
const NOTE_ANALYTES: readonly [AnalyteKey, string][] = [
  ['totalCholesterol', 'total cholesterol'],
  ['hdlCholesterol', 'HDL cholesterol'],
  ['ldlCholesterol', 'LDL cholesterol'],
  ['triglycerides', 'triglycerides'],
  ['hba1c', 'HbA1c'],
  ['glucose', 'glucose'],
  ['creatinine', 'creatinine'],
  ['potassium', 'potassium'],
];

/**
 * The text of the final progress note. It names no calendar date, so that moving the reference date changes the
 * DocumentReference's dates but not its attachment.
 */
export function progressNoteText(ctx: GenerationContext, visit: Visit, vitals: VitalValues, latestLabs: ReadonlyMap<AnalyteKey, Quantity>): string {
  const { profile, profileClock } = ctx;
  const age = yearsBetween(profile.birthDate, profileClock.date(visit.day));
  const sex = profile.gender === 'female' ? 'woman' : 'man';
  const active = profile.conditions.filter((c) => c.abatement === undefined);
  const fmt = (q: Quantity): string => `${q.value} ${q.unit}`;
  const labs = NOTE_ANALYTES.filter(([key]) => latestLabs.has(key)).map(([key, name]) => `${name} ${fmt(latestLabs.get(key) as Quantity)}`);
  return [
    'SYNTHETIC RECORD: a fictional patient generated for the consent-gated FHIR gateway demo. Not a real person.',
    '',
    `PROGRESS NOTE - ${DEMO_HOSPITAL.display}`,
    `Patient: ${profile.name.given.join(' ')} ${profile.name.family}, ${age}-year-old ${sex}, ${profile.mrn}`,
    `Clinician: ${profile.clinician}`,
    '',
    `Problems: ${active.map((c) => c.text ?? CONDITIONS[c.key].display).join('; ') || 'none'}`,
    `Medications: ${profile.medications.map((m) => `${MEDICATIONS[m.key].display} (${m.dosage})`).join('; ') || 'none'}`,
    `Allergies: ${profile.allergies.map((a) => `${ALLERGENS[a.substance].display} (${(REACTIONS[a.reaction].display ?? '').toLowerCase()})`).join('; ') || 'no known allergies'}`,
    `Tobacco: ${SMOKING_STATUSES[profile.smoking].display}`,
    '',
    `Vital signs today: BP ${vitals.systolic}/${vitals.diastolic} mmHg, heart rate ${vitals.heartRate}/min, weight ${vitals.weightKg} kg, BMI ${vitals.bmi} kg/m2.`,
    `Most recent laboratory results: ${labs.join(', ') || 'none on file'}.`,
    '',
    `Assessment and plan: ${profile.assessment}`,
    '',
  ].join('\n');
}

/** The DocumentReference carrying the note as base64 text/plain (FHIR R4 Attachment.data is base64Binary). */
export function buildProgressNote(ctx: GenerationContext, visit: Visit, text: string): Resource {
  const { clock } = ctx;
  const end = clock.dateTime(visit.day, visit.minute + VISIT_MINUTES);
  const name = `${ctx.profile.name.given.join(' ')} ${ctx.profile.name.family}`;
  return {
    resourceType: 'DocumentReference',
    meta: SYNTHETIC_META,
    status: 'current',
    docStatus: 'final',
    type: concept({ system: SYSTEMS.loinc, code: PROGRESS_NOTE_CODE.code, display: PROGRESS_NOTE_CODE.display }),
    category: [hl7Concept(SYSTEMS.usCoreDocumentCategory, 'clinical-note', 'Clinical Note')],
    subject: ctx.bundle.patient,
    date: end,
    author: [{ display: ctx.profile.clinician }],
    custodian: DEMO_HOSPITAL,
    description: `Progress note for ${name} (synthetic)`,
    content: [
      {
        attachment: {
          contentType: 'text/plain',
          language: 'en-US',
          data: Buffer.from(text, 'utf8').toString('base64'),
          title: 'Progress note',
          creation: end,
        },
      },
    ],
    context: { encounter: [ctx.encounters.get(visit.number)], period: { start: clock.dateTime(visit.day, visit.minute), end } },
  };
}
