import { ALLERGENS, CONDITIONS, REACTIONS } from './clinical-codes.js';
import { SYSTEMS } from './code-systems.js';
import { concept, type GenerationContext, hl7Concept, SYNTHETIC_META } from './generation-context.js';
import type { Resource } from './fhir-types.js';
import type { AllergySpec, ConditionSpec } from './patient-profile.js';

/** Conditions and allergies are recorded at 09:00 UTC on their day. */
const RECORDED_MINUTE = 9 * 60;

/**
 * A Condition. Chronic problems are `problem-list-item`s, active and confirmed (FHIR R4 con-3 requires a
 * clinicalStatus there). Resolved acute problems are `encounter-diagnosis` entries pointing at the acute visit
 * that diagnosed them, with an abatement date and status `resolved` (con-4).
 */
export function buildCondition(ctx: GenerationContext, spec: ConditionSpec): Resource {
  const { clock } = ctx;
  const onsetDay = clock.offsetOf(spec.onset);
  const acute = spec.abatement !== undefined;
  const visit = acute ? ctx.visits.find((v) => v.diagnosis === spec.key) : undefined;
  const encounter = visit ? ctx.encounters.get(visit.number) : undefined;
  if (acute && !encounter) throw new Error(`expected an acute visit for ${spec.key} of ${ctx.profile.id}, got none`);
  const onset = visit ? clock.dateTime(visit.day, visit.minute) : clock.dateTime(onsetDay, RECORDED_MINUTE);
  return {
    resourceType: 'Condition',
    meta: SYNTHETIC_META,
    clinicalStatus: acute
      ? hl7Concept(SYSTEMS.conditionClinical, 'resolved', 'Resolved')
      : hl7Concept(SYSTEMS.conditionClinical, 'active', 'Active'),
    verificationStatus: hl7Concept(SYSTEMS.conditionVerification, 'confirmed', 'Confirmed'),
    category: [
      acute
        ? hl7Concept(SYSTEMS.conditionCategory, 'encounter-diagnosis', 'Encounter Diagnosis')
        : hl7Concept(SYSTEMS.conditionCategory, 'problem-list-item', 'Problem List Item'),
    ],
    code: concept(CONDITIONS[spec.key], spec.text),
    subject: ctx.bundle.patient,
    ...(encounter ? { encounter } : {}),
    onsetDateTime: onset,
    ...(spec.abatement !== undefined ? { abatementDateTime: clock.dateTime(clock.offsetOf(spec.abatement), RECORDED_MINUTE) } : {}),
    recordedDate: onset,
    recorder: { display: ctx.profile.clinician },
  };
}

/** An AllergyIntolerance with one reaction, active and confirmed (FHIR R4 AllergyIntolerance, ait-1/ait-2). */
export function buildAllergy(ctx: GenerationContext, spec: AllergySpec): Resource {
  const { clock } = ctx;
  const firstVisit = ctx.visits[0];
  if (!firstVisit) throw new Error(`expected at least one visit for ${ctx.profile.id}, got none`);
  return {
    resourceType: 'AllergyIntolerance',
    meta: SYNTHETIC_META,
    clinicalStatus: hl7Concept(SYSTEMS.allergyClinical, 'active', 'Active'),
    verificationStatus: hl7Concept(SYSTEMS.allergyVerification, 'confirmed', 'Confirmed'),
    type: spec.type,
    category: [spec.category],
    criticality: spec.criticality,
    code: concept(ALLERGENS[spec.substance]),
    patient: ctx.bundle.patient,
    onsetDateTime: clock.dateTime(clock.offsetOf(spec.onset), RECORDED_MINUTE),
    recordedDate: clock.dateTime(firstVisit.day, firstVisit.minute),
    recorder: { display: ctx.profile.clinician },
    reaction: [{ manifestation: [concept(REACTIONS[spec.reaction])], severity: spec.severity }],
  };
}
