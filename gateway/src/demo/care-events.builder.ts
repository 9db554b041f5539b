import { PROCEDURES, VACCINES, type VaccineKey } from './clinical-codes.js';
import { concept, type GenerationContext, SYNTHETIC_META } from './generation-context.js';
import type { Resource } from './fhir-types.js';
import type { ProcedureSpec } from './patient-profile.js';
import type { Visit } from './visit-schedule.js';

/** Vaccines are given at the clinic's vaccination desk between 10:00 and 15:45 UTC. */
const FIRST_VACCINATION_MINUTE = 10 * 60;

/** Lot-number prefixes per vaccine (fictional manufacturer lots). */
const LOT_PREFIX: Record<VaccineKey, string> = {
  influenzaQuadrivalent: 'FLQ',
  influenzaTrivalent: 'FLT',
  covid19Mrna: 'CVM',
  tdap: 'TDP',
  zosterRecombinant: 'ZSR',
  pneumococcalPpsv23: 'PPV',
};

/** A completed Immunization (CVX vaccine code, FHIR R4 Immunization), recorded from the primary source. */
export function buildImmunization(ctx: GenerationContext, vaccine: VaccineKey, date: string): Resource {
  const { clock, random } = ctx;
  const day = clock.offsetOf(date);
  if (day > 0) throw new RangeError(`expected immunizations of ${ctx.profile.id} on or before the reference date, got one ${day} days after it`);
  return {
    resourceType: 'Immunization',
    meta: SYNTHETIC_META,
    status: 'completed',
    vaccineCode: concept(VACCINES[vaccine]),
    patient: ctx.bundle.patient,
    occurrenceDateTime: clock.dateTime(day, FIRST_VACCINATION_MINUTE + 15 * random.int(0, 23)),
    primarySource: true,
    lotNumber: `${LOT_PREFIX[vaccine]}${random.int(10000, 99999)}`,
    performer: [{ actor: { display: 'Demo Hospital Vaccination Desk (fictional)' } }],
  };
}

/** A completed Procedure (SNOMED CT) performed during a visit, with its indication where there is one. */
export function buildProcedure(ctx: GenerationContext, spec: ProcedureSpec, visit: Visit): Resource {
  const reason = spec.reason === undefined ? undefined : ctx.conditions.get(spec.reason);
  if (spec.reason !== undefined && !reason) throw new Error(`expected a Condition ${spec.reason} for ${spec.key} of ${ctx.profile.id}, got none`);
  return {
    resourceType: 'Procedure',
    meta: SYNTHETIC_META,
    status: 'completed',
    code: concept(PROCEDURES[spec.key]),
    subject: ctx.bundle.patient,
    encounter: ctx.encounters.get(visit.number),
    performedDateTime: ctx.clock.dateTime(visit.day, visit.minute + 15),
    performer: [{ actor: { display: ctx.profile.clinician } }],
    ...(reason ? { reasonReference: [reason] } : {}),
  };
}
