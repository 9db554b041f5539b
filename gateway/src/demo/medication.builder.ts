import { MEDICATIONS } from './clinical-codes.js';
import { SYSTEMS } from './code-systems.js';
import { concept, type GenerationContext, SYNTHETIC_META } from './generation-context.js';
import type { Reference, Resource } from './fhir-types.js';
import type { MedicationSpec } from './patient-profile.js';
import type { Visit } from './visit-schedule.js';

/** A prescription stays valid for a year (dispenseRequest.validityPeriod). */
const VALID_DAYS = 365;

function reasonOf(ctx: GenerationContext, spec: MedicationSpec): Reference[] {
  const reason = ctx.conditions.get(spec.reason);
  if (!reason) throw new Error(`expected a Condition ${spec.reason} for ${spec.key} of ${ctx.profile.id}, got none`);
  return [reason];
}

function dosage(spec: MedicationSpec): Record<string, unknown> {
  return { text: spec.dosage, ...(spec.asNeeded ? { asNeededBoolean: true } : {}) };
}

/**
 * The MedicationStatement of a long-term medication: active since its start, asserted at the most recent visit,
 * with the indication as `reasonReference` to the Condition entry.
 */
export function buildMedicationStatement(ctx: GenerationContext, spec: MedicationSpec, assertedAt: Visit): Resource {
  const { clock } = ctx;
  return {
    resourceType: 'MedicationStatement',
    meta: SYNTHETIC_META,
    status: 'active',
    medicationCodeableConcept: concept(MEDICATIONS[spec.key]),
    subject: ctx.bundle.patient,
    effectivePeriod: { start: clock.dateTime(clock.offsetOf(spec.start), 9 * 60) },
    dateAsserted: clock.dateTime(assertedAt.day, assertedAt.minute),
    informationSource: { display: ctx.profile.clinician },
    reasonReference: reasonOf(ctx, spec),
    dosage: [dosage(spec)],
  };
}

/**
 * The yearly renewal written at a check-up: an order (`intent: order`) for a 90-day supply with three refills,
 * `active` for the latest renewal and `completed` for the ones it replaced.
 */
export function buildMedicationRequest(ctx: GenerationContext, spec: MedicationSpec, visit: Visit, latest: boolean): Resource {
  const { clock } = ctx;
  return {
    resourceType: 'MedicationRequest',
    meta: SYNTHETIC_META,
    status: latest ? 'active' : 'completed',
    intent: 'order',
    medicationCodeableConcept: concept(MEDICATIONS[spec.key]),
    subject: ctx.bundle.patient,
    encounter: ctx.encounters.get(visit.number),
    authoredOn: clock.dateTime(visit.day, visit.minute + 25),
    requester: { display: ctx.profile.clinician },
    reasonReference: reasonOf(ctx, spec),
    dosageInstruction: [dosage(spec)],
    dispenseRequest: {
      validityPeriod: { start: clock.date(visit.day), end: clock.date(visit.day + VALID_DAYS) },
      numberOfRepeatsAllowed: 3,
      quantity: { value: spec.dispense.quantity, unit: spec.dispense.unit, system: SYSTEMS.ucum, code: spec.dispense.code },
      expectedSupplyDuration: { value: spec.dispense.supplyDays, unit: 'days', system: SYSTEMS.ucum, code: 'd' },
    },
  };
}
