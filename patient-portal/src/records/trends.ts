import type { Compartment } from '../../../gateway/src/crypto/index.js';
import { codesIn, concept, type Json, list, object, str, when } from './fhir-json.js';
import type { OpenRecord } from './open-store.js';

export const LOINC = 'http://loinc.org';

/** One measured value of a trend. */
export interface TrendPoint {
  /** Unix milliseconds of the observation's own time. */
  readonly time: number;
  /** The observation's own date or dateTime, as the record gives it. */
  readonly when: string;
  readonly value: number;
  readonly recordId: string;
}

/** The numeric values of one LOINC code over time, in one unit. */
export interface Trend {
  readonly code: string;
  readonly title: string;
  readonly unit: string;
  readonly compartment: Compartment;
  /** Oldest first. */
  readonly points: readonly TrendPoint[];
  /** The newest reference range in the same unit, if the records give one. */
  readonly range?: { readonly low?: number; readonly high?: number };
  /** Values of this code left out because they are in another unit (never converted silently). */
  readonly otherUnits: number;
}

interface Sample {
  readonly code: string;
  readonly title: string;
  readonly unit: string;
  readonly compartment: Compartment;
  readonly point: TrendPoint;
  readonly range?: Trend['range'];
}

/** Compartments whose Observations are measurements (gateway/src/crypto/README.md). */
const MEASURED: readonly Compartment[] = ['vitals', 'labs'];
/** Results that do not count (FHIR R4 observation-status): never drawn. */
const NOT_RESULTS = new Set(['entered-in-error', 'cancelled', 'registered']);

/** An exact numeric value[x] with its unit; a value given as "< 5" or "> 90" (a comparator) is not a point on a line. */
function numeric(o: Json): { value: number; unit: string } | undefined {
  if (typeof o['valueInteger'] === 'number' && Number.isFinite(o['valueInteger'])) return { value: o['valueInteger'], unit: '' };
  const q = object(o['valueQuantity']);
  if (!q || typeof q['value'] !== 'number' || !Number.isFinite(q['value']) || str(q['comparator'])) return undefined;
  return { value: q['value'], unit: str(q['unit']) ?? str(q['code']) ?? '' };
}

function rangeOf(o: Json, unit: string): Trend['range'] | undefined {
  const range = list(o['referenceRange'])[0];
  if (!range) return undefined;
  const bound = (q: Json | undefined) => (q && typeof q['value'] === 'number' && (str(q['unit']) ?? str(q['code']) ?? unit) === unit ? q['value'] : undefined);
  const [low, high] = [bound(object(range['low'])), bound(object(range['high']))];
  return low === undefined && high === undefined ? undefined : { ...(low !== undefined ? { low } : {}), ...(high !== undefined ? { high } : {}) };
}

/** The LOINC-coded numeric values of one Observation: its own value and each component's (e.g. systolic, diastolic). */
function samplesOf(record: OpenRecord): Sample[] {
  const r = record.resource;
  if (!r || record.deleted || record.resourceType !== 'Observation' || !MEASURED.includes(record.compartment)) return [];
  if (NOT_RESULTS.has(str(r['status']) ?? '')) return [];
  const at = when(r['effectiveDateTime'], r['effectivePeriod'], r['effectiveInstant'], r['issued']);
  const time = at ? Date.parse(at) : Number.NaN;
  if (!at || Number.isNaN(time)) return [];
  return [r, ...list(r['component'])].flatMap((part) => {
    const code = codesIn(part['code'], LOINC)[0];
    const value = numeric(part);
    if (!code || !value) return [];
    const range = rangeOf(part, value.unit);
    const title = concept(part['code']) ?? code;
    return [{ code, title, unit: value.unit, compartment: record.compartment, point: { time, when: at, value: value.value, recordId: record.id }, ...(range ? { range } : {}) }];
  });
}

/**
 * Every vital sign or lab code (LOINC) with at least two exact numeric values, for a trend chart each. Values of
 * one code in several units are not converted: the unit with the most values is drawn and the others are counted.
 */
export function trendsOf(records: readonly OpenRecord[]): Trend[] {
  const byCode = new Map<string, Sample[]>();
  for (const sample of records.flatMap(samplesOf)) byCode.set(sample.code, [...(byCode.get(sample.code) ?? []), sample]);
  const trends: Trend[] = [];
  for (const [code, samples] of byCode) {
    const counts = new Map<string, number>();
    for (const s of samples) counts.set(s.unit, (counts.get(s.unit) ?? 0) + 1);
    const unit = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]![0];
    const kept = samples.filter((s) => s.unit === unit).sort((a, b) => a.point.time - b.point.time);
    if (kept.length < 2) continue;
    const newest = kept[kept.length - 1]!;
    const range = [...kept].reverse().find((s) => s.range)?.range;
    trends.push({ code, title: newest.title, unit, compartment: newest.compartment, points: kept.map((s) => s.point), ...(range ? { range } : {}), otherUnits: samples.length - kept.length });
  }
  return trends.sort((a, b) => a.title.localeCompare(b.title));
}
