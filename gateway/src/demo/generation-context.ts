import type { ClinicalClock } from './clinical-clock.js';
import { SYSTEMS } from './code-systems.js';
import type { ConditionKey } from './clinical-codes.js';
import type { CodeableConcept, Coding, Quantity, Reference } from './fhir-types.js';
import type { LoincMeasure } from './loinc-codes.js';
import type { PatientProfile } from './patient-profile.js';
import type { SeededRandom } from './seeded-random.js';
import type { TransactionBundleBuilder } from './transaction-bundle.builder.js';
import type { Visit } from './visit-schedule.js';

/** Everything the resource builders of one patient share. */
export interface GenerationContext {
  readonly profile: PatientProfile;
  /** Actual-frame dates (the caller's reference date). */
  readonly clock: ClinicalClock;
  /** Default-frame dates, for facts that must not move with the reference date (ages in the note). */
  readonly profileClock: ClinicalClock;
  /** Noise for clinical values, lot numbers and visit times. */
  readonly random: SeededRandom;
  readonly bundle: TransactionBundleBuilder;
  /** The patient's regular and acute visits, in chronological order. */
  readonly visits: readonly Visit[];
  /** References to the Condition entries, by condition. */
  readonly conditions: Map<ConditionKey, Reference>;
  /** References to each visit's Encounter entry, by visit number. */
  readonly encounters: Map<number, Reference>;
}

/**
 * Marks every generated resource as test data: security label HTEST "test health data" from v3-ActReason
 * (the purpose-of-use labels of the FHIR R4 Security Labels page, security-labels.html), so no system mistakes it for a real record.
 */
export const SYNTHETIC_META = {
  security: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'HTEST', display: 'test health data' }],
} as const;

/** A CodeableConcept of one coding, with text (defaults to the coding's display). */
export function concept(coding: Coding, text?: string): CodeableConcept {
  return { coding: [{ ...coding }], text: text ?? coding.display ?? coding.code };
}

/** A CodeableConcept from a terminology.hl7.org status or category code. */
export function hl7Concept(system: string, code: string, display: string): CodeableConcept {
  return { coding: [{ system, code, display }] };
}

/** Rounds half away from zero to `decimals` places (laboratory reporting precision). */
export function round(value: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.sign(value) * Math.round(Math.abs(value) * f) / f;
}

/** A UCUM Quantity for a LOINC measure, rounded to the measure's reporting precision. */
export function quantity(value: number, measure: LoincMeasure): Quantity {
  return { value: round(value, measure.decimals), unit: measure.unit.unit, system: SYSTEMS.ucum, code: measure.unit.code };
}
