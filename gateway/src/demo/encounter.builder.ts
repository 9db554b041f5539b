import { ENCOUNTER_TYPES } from './clinical-codes.js';
import { SYSTEMS } from './code-systems.js';
import { concept, type GenerationContext, SYNTHETIC_META } from './generation-context.js';
import type { Reference, Resource } from './fhir-types.js';
import { VISIT_MINUTES, type Visit } from './visit-schedule.js';

/** The fictional organisation every record comes from (display-only reference). */
export const DEMO_HOSPITAL: Reference = { display: 'Demo Hospital Outpatient Clinic (fictional)' };

/**
 * One finished ambulatory Encounter (class AMB from v3 ActCode, FHIR R4 Encounter.class binding). Follow-ups name
 * the chronic problems they review and acute visits the problem they diagnose, by reference to the Condition
 * entries (`reasonReference`).
 */
export function buildEncounter(ctx: GenerationContext, visit: Visit, reasons: readonly Reference[]): Resource {
  const { clock, profile } = ctx;
  return {
    resourceType: 'Encounter',
    meta: SYNTHETIC_META,
    status: 'finished',
    class: { system: SYSTEMS.actCode, code: 'AMB', display: 'ambulatory' },
    type: [concept(ENCOUNTER_TYPES[visit.type])],
    subject: ctx.bundle.patient,
    participant: [{ individual: { display: profile.clinician } }],
    period: { start: clock.dateTime(visit.day, visit.minute), end: clock.dateTime(visit.day, visit.minute + VISIT_MINUTES) },
    ...(reasons.length > 0 ? { reasonReference: [...reasons] } : {}),
    serviceProvider: DEMO_HOSPITAL,
  };
}
