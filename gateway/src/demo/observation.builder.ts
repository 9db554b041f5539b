import { SMOKING_STATUSES } from './clinical-codes.js';
import { SYSTEMS } from './code-systems.js';
import { concept, type GenerationContext, hl7Concept, quantity, round, SYNTHETIC_META } from './generation-context.js';
import type { CodeableConcept, Resource } from './fhir-types.js';
import { type LoincCode, SMOKING_STATUS_CODE, VITAL_SIGNS } from './loinc-codes.js';
import type { Trend } from './patient-profile.js';
import type { Visit } from './visit-schedule.js';

/** Observation categories (FHIR R4 observation-category code system). */
export const OBSERVATION_CATEGORIES = {
  vitalSigns: hl7Concept(SYSTEMS.observationCategory, 'vital-signs', 'Vital Signs'),
  laboratory: hl7Concept(SYSTEMS.observationCategory, 'laboratory', 'Laboratory'),
  socialHistory: hl7Concept(SYSTEMS.observationCategory, 'social-history', 'Social History'),
} as const;

/** Vital signs are taken 5 minutes into the visit. */
const VITALS_AFTER_MINUTES = 5;

/** A trend's value at a visit: linear drift plus normal noise. */
export function sample(ctx: GenerationContext, trend: Trend, visit: Visit): number {
  return trend.start + (trend.end - trend.start) * visit.progress + trend.sd * ctx.random.normal();
}

/** The vital signs of one visit, as reported (rounded to device precision). */
export interface VitalValues {
  readonly systolic: number;
  readonly diastolic: number;
  readonly heartRate: number;
  readonly weightKg: number;
  readonly heightCm: number;
  readonly bmi: number;
}

/** Measures the vitals of one visit; BMI is computed from the rounded weight and height, as a chart would. */
export function sampleVitals(ctx: GenerationContext, visit: Visit): VitalValues {
  const v = ctx.profile.vitals;
  const weightKg = round(sample(ctx, v.weightKg, visit), VITAL_SIGNS.bodyWeight.decimals);
  const heightCm = round(v.heightCm + 0.3 * ctx.random.normal(), VITAL_SIGNS.bodyHeight.decimals);
  return {
    systolic: Math.round(sample(ctx, v.systolic, visit)),
    diastolic: Math.round(sample(ctx, v.diastolic, visit)),
    heartRate: Math.round(sample(ctx, v.heartRate, visit)),
    weightKg,
    heightCm,
    bmi: round(weightKg / (heightCm / 100) ** 2, VITAL_SIGNS.bmi.decimals),
  };
}

/** The common part of an Observation made during a visit. */
export function observationBase(ctx: GenerationContext, visit: Visit, category: CodeableConcept, code: LoincCode, minutesIn: number): Resource {
  const encounter = ctx.encounters.get(visit.number);
  if (!encounter) throw new Error(`expected an Encounter for visit ${visit.number} of ${ctx.profile.id}, got none`);
  return {
    resourceType: 'Observation',
    meta: SYNTHETIC_META,
    status: 'final',
    category: [category],
    code: concept({ system: SYSTEMS.loinc, code: code.code, display: code.display }),
    subject: ctx.bundle.patient,
    encounter,
    effectiveDateTime: ctx.clock.dateTime(visit.day, visit.minute + minutesIn),
  };
}

/**
 * The five vital-sign Observations of a visit (FHIR R4 §8.2.1 vital signs profiles): the blood pressure panel
 * 85354-9 with systolic 8480-6 and diastolic 8462-4 components, heart rate, body weight, body height and BMI.
 */
export function buildVitalSigns(ctx: GenerationContext, visit: Visit, values: VitalValues): Resource[] {
  const base = (code: LoincCode): Resource => observationBase(ctx, visit, OBSERVATION_CATEGORIES.vitalSigns, code, VITALS_AFTER_MINUTES);
  const component = (code: typeof VITAL_SIGNS.systolic, value: number) => ({
    code: concept({ system: SYSTEMS.loinc, code: code.code, display: code.display }),
    valueQuantity: quantity(value, code),
  });
  return [
    { ...base(VITAL_SIGNS.bloodPressurePanel), component: [component(VITAL_SIGNS.systolic, values.systolic), component(VITAL_SIGNS.diastolic, values.diastolic)] },
    { ...base(VITAL_SIGNS.heartRate), valueQuantity: quantity(values.heartRate, VITAL_SIGNS.heartRate) },
    { ...base(VITAL_SIGNS.bodyWeight), valueQuantity: quantity(values.weightKg, VITAL_SIGNS.bodyWeight) },
    { ...base(VITAL_SIGNS.bodyHeight), valueQuantity: quantity(values.heightCm, VITAL_SIGNS.bodyHeight) },
    { ...base(VITAL_SIGNS.bmi), valueQuantity: quantity(values.bmi, VITAL_SIGNS.bmi) },
  ];
}

/** Tobacco smoking status 72166-2 with a SNOMED CT answer, category social-history (US Core Smoking Status). */
export function buildSmokingStatus(ctx: GenerationContext, visit: Visit): Resource {
  return {
    ...observationBase(ctx, visit, OBSERVATION_CATEGORIES.socialHistory, SMOKING_STATUS_CODE, VITALS_AFTER_MINUTES),
    valueCodeableConcept: concept(SMOKING_STATUSES[ctx.profile.smoking]),
  };
}
