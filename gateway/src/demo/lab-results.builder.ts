import { SYSTEMS } from './code-systems.js';
import { concept, type GenerationContext, hl7Concept, quantity, SYNTHETIC_META } from './generation-context.js';
import type { Quantity, Reference, Resource } from './fhir-types.js';
import { type AnalyteKey, LAB_ANALYTES, type LoincCode, type LoincMeasure } from './loinc-codes.js';
import { OBSERVATION_CATEGORIES, observationBase, sample } from './observation.builder.js';
import type { LabTrends, Trend } from './patient-profile.js';
import type { Visit } from './visit-schedule.js';

/** Specimens are drawn 10 minutes into the visit; results are released six hours later. */
const DRAWN_AFTER_MINUTES = 10;
const RELEASED_AFTER_MINUTES = 6 * 60;

/** The laboratory that performs every test (display-only reference). */
const DEMO_LABORATORY: Reference = { display: 'Demo Hospital Laboratory (fictional)' };

/** Adult values in the reference interval, for analytes a profile does not trend (conventional units). */
const DEFAULT_TRENDS: Required<LabTrends> & Record<'sodium' | 'chloride' | 'carbonDioxide' | 'calcium', Trend> = {
  totalCholesterol: { start: 185, end: 185, sd: 8 },
  hdlCholesterol: { start: 55, end: 55, sd: 3 },
  triglycerides: { start: 110, end: 110, sd: 12 },
  glucose: { start: 94, end: 94, sd: 6 },
  creatinine: { start: 0.9, end: 0.9, sd: 0.05 },
  ureaNitrogen: { start: 15, end: 15, sd: 2 },
  potassium: { start: 4.3, end: 4.3, sd: 0.25 },
  hba1c: { start: 5.4, end: 5.4, sd: 0.1 },
  sodium: { start: 139, end: 139, sd: 1.5 },
  chloride: { start: 103, end: 103, sd: 1.5 },
  carbonDioxide: { start: 25, end: 25, sd: 1.2 },
  calcium: { start: 9.4, end: 9.4, sd: 0.2 },
};

/** One reported result: its Observation entry and the value as reported (unit included), for the clinical note. */
export interface LabResult {
  readonly analyte: AnalyteKey;
  readonly reference: Reference;
  readonly value: Quantity;
}

/** A panel's DiagnosticReport code and its analytes in reporting order. */
export interface PanelDefinition {
  readonly code: LoincCode;
  readonly analytes: readonly AnalyteKey[];
}

/** Draws one visit's values for the given analytes (conventional units). LDL is the Friedewald estimate plus assay noise. */
export function sampleLabs(ctx: GenerationContext, visit: Visit, analytes: readonly AnalyteKey[]): Map<AnalyteKey, number> {
  const trends: Record<string, Trend | undefined> = { ...DEFAULT_TRENDS, ...ctx.profile.labs };
  const values = new Map<AnalyteKey, number>();
  for (const analyte of analytes) {
    if (analyte === 'ldlCholesterol') continue;
    const trend = trends[analyte];
    if (!trend) throw new Error(`expected a trend for ${analyte}, got none`);
    values.set(analyte, sample(ctx, trend, visit));
  }
  if (analytes.includes('ldlCholesterol')) {
    // Friedewald, Levy & Fredrickson (Clin Chem 1972): LDL = TC − HDL − TG/5 (mg/dL); a direct assay scatters around it.
    const ldl = (values.get('totalCholesterol') ?? 0) - (values.get('hdlCholesterol') ?? 0) - (values.get('triglycerides') ?? 0) / 5;
    values.set('ldlCholesterol', ldl + 3 * ctx.random.normal());
  }
  return values;
}

/** The LOINC code and unit this patient's laboratory reports an analyte in, and the value converted to it. */
export function reported(ctx: GenerationContext, analyte: AnalyteKey, massValue: number): { measure: LoincMeasure; value: number } {
  const spec = LAB_ANALYTES[analyte];
  const lipid = analyte === 'totalCholesterol' || analyte === 'hdlCholesterol' || analyte === 'ldlCholesterol' || analyte === 'triglycerides';
  const family = lipid ? ctx.profile.labUnits.lipids : analyte === 'creatinine' ? ctx.profile.labUnits.creatinine : 'mass';
  if (family === 'molar' && 'molar' in spec) return { measure: spec.molar, value: massValue * spec.massToMolar };
  return { measure: spec.mass, value: massValue };
}

/** One laboratory Observation (category laboratory), in the unit the patient's laboratory reports. */
export function buildLabResult(ctx: GenerationContext, visit: Visit, analyte: AnalyteKey, massValue: number): { resource: Resource; value: Quantity } {
  const { measure, value } = reported(ctx, analyte, massValue);
  const valueQuantity = quantity(value, measure);
  const resource: Resource = {
    ...observationBase(ctx, visit, OBSERVATION_CATEGORIES.laboratory, measure, DRAWN_AFTER_MINUTES),
    issued: ctx.clock.dateTime(visit.day, visit.minute + RELEASED_AFTER_MINUTES),
    performer: [DEMO_LABORATORY],
    valueQuantity,
  };
  return { resource, value: valueQuantity };
}

/** Adds the results of one panel and its DiagnosticReport (`result` → the Observations' urn:uuids). */
export function addPanel(ctx: GenerationContext, visit: Visit, panel: PanelDefinition): LabResult[] {
  const values = sampleLabs(ctx, visit, panel.analytes);
  const results = panel.analytes.map((analyte): LabResult => {
    const { resource, value } = buildLabResult(ctx, visit, analyte, values.get(analyte) as number);
    return { analyte, reference: ctx.bundle.add(resource), value };
  });
  ctx.bundle.add({
    resourceType: 'DiagnosticReport',
    meta: SYNTHETIC_META,
    status: 'final',
    category: [hl7Concept(SYSTEMS.diagnosticServiceSection, 'LAB', 'Laboratory')],
    code: concept({ system: SYSTEMS.loinc, code: panel.code.code, display: panel.code.display }),
    subject: ctx.bundle.patient,
    encounter: ctx.encounters.get(visit.number),
    effectiveDateTime: ctx.clock.dateTime(visit.day, visit.minute + DRAWN_AFTER_MINUTES),
    issued: ctx.clock.dateTime(visit.day, visit.minute + RELEASED_AFTER_MINUTES),
    performer: [DEMO_LABORATORY],
    result: results.map((r) => r.reference),
  });
  return results;
}

/** Adds a single laboratory Observation without a panel (HbA1c). */
export function addSingleResult(ctx: GenerationContext, visit: Visit, analyte: AnalyteKey): LabResult {
  const massValue = sampleLabs(ctx, visit, [analyte]).get(analyte) as number;
  const { resource, value } = buildLabResult(ctx, visit, analyte, massValue);
  return { analyte, reference: ctx.bundle.add(resource), value };
}
