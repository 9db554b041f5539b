import { evalFhirPathTyped, type FhirPathAtom, getSearchParameters, parseFhirPath, toTypedValue } from '@medplum/core';
import type { FhirResource } from '../fhir-repository.js';

/**
 * Blind-index entries (design.md §2.1): for each supported token and date search parameter, the plaintext values
 * a resource is findable by. They are HMAC'd under the patient's index key before they touch the database; a
 * search computes the same tokens from its query. Exact FHIR matching happens after decryption, so the index only
 * has to never miss a match (it may over-select).
 *
 * What the tokens leak to someone holding the database: which records of one patient share a code, category,
 * status, identifier or date bucket — never the values themselves, and nothing across patients.
 */
export const TOKEN_PARAMS = ['code', 'category', 'status', 'identifier'] as const;
export const DATE_PARAM = 'date';

/** One plaintext index entry: the parameter name and a normalized value (hashed before storage). */
export interface IndexEntry {
  readonly name: string;
  readonly value: string;
}

interface Coding {
  system?: string;
  code?: string;
  value?: string;
}

const DAY = 86_400_000;

function tokenValues(typed: { type: string; value: unknown }): string[] {
  const v = typed.value as Coding & { coding?: Coding[] };
  switch (typed.type) {
    case 'CodeableConcept':
      return (v.coding ?? []).flatMap((c) => systemValue(c.system, c.code));
    case 'Coding':
      return systemValue(v.system, v.code);
    case 'Identifier':
      return systemValue(v.system, v.value);
    case 'code':
    case 'string':
    case 'uri':
    case 'boolean':
      return [String(typed.value)];
    default:
      return [];
  }
}

/** FHIR R4 token search (§3.1.1.5.3.7): `code` matches any system, `system|code` exactly, `|code` no system. */
function systemValue(system: string | undefined, code: string | undefined): string[] {
  if (code === undefined) return [];
  return [code, system === undefined ? `|${code}` : `${system}|${code}`];
}

/** The instants a date-typed value covers, as [start, end] in ms (FHIR R4 §3.1.1.5.3.1: a value is a range). */
export function dateRange(value: string): [number, number] | undefined {
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?/.exec(value);
  if (!m) return undefined;
  const year = Number(m[1]);
  if (m[3] !== undefined && value.length > 10) {
    const t = Date.parse(value);
    return Number.isNaN(t) ? undefined : [t, t];
  }
  if (m[3] !== undefined) {
    const start = Date.UTC(year, Number(m[2]) - 1, Number(m[3]));
    return [start, start + DAY - 1];
  }
  if (m[2] !== undefined) return [Date.UTC(year, Number(m[2]) - 1, 1), Date.UTC(year, Number(m[2]), 1) - 1];
  return [Date.UTC(year, 0, 1), Date.UTC(year + 1, 0, 1) - 1];
}

function dateRangesOf(typed: { type: string; value: unknown }): [number, number][] {
  if (typeof typed.value === 'string') {
    const r = dateRange(typed.value);
    return r ? [r] : [];
  }
  if (typed.type === 'Period') {
    const p = typed.value as { start?: string; end?: string };
    const start = p.start ? dateRange(p.start)?.[0] : undefined;
    const end = p.end ? dateRange(p.end)?.[1] : undefined;
    if (start === undefined && end === undefined) return [];
    // An open-ended period is indexed by its known end only; searches fall back to post-filtering for it.
    return [[start ?? end!, end ?? start!]];
  }
  return [];
}

/**
 * Date buckets covering [lo, hi] (ms), at the finest granularity that keeps the list short: days for up to 4 days,
 * months for up to 40 months, years for up to 200 years; undefined when the range is wider (no narrowing).
 * A one-day margin on each side absorbs time-zone offsets (dates are bucketed in UTC).
 */
export function dateBuckets(lo: number, hi: number): string[] | undefined {
  const start = new Date(lo - DAY);
  const end = new Date(hi + DAY);
  const out: string[] = [];
  if (end.getTime() - start.getTime() <= 6 * DAY) {
    for (let t = Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate()); t <= end.getTime(); t += DAY) out.push(`d:${new Date(t).toISOString().slice(0, 10)}`);
    return out;
  }
  const months = (end.getUTCFullYear() - start.getUTCFullYear()) * 12 + end.getUTCMonth() - start.getUTCMonth();
  if (months <= 40) {
    for (let i = 0; i <= months; i += 1) out.push(`m:${new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + i, 1)).toISOString().slice(0, 7)}`);
    return out;
  }
  const years = end.getUTCFullYear() - start.getUTCFullYear();
  if (years > 200) return undefined;
  for (let y = start.getUTCFullYear(); y <= end.getUTCFullYear(); y += 1) out.push(`y:${y}`);
  return out;
}

/** Every bucket (day, month and year) a stored date range touches, so any query granularity finds it. */
function storedBuckets([lo, hi]: [number, number]): string[] {
  const out = new Set<string>();
  const years = new Date(hi).getUTCFullYear() - new Date(lo).getUTCFullYear();
  for (let y = new Date(lo).getUTCFullYear(); y <= new Date(hi).getUTCFullYear() && years <= 200; y += 1) out.add(`y:${y}`);
  if (hi - lo <= 4 * 366 * DAY) {
    for (let t = lo; ; t = Date.UTC(new Date(t).getUTCFullYear(), new Date(t).getUTCMonth() + 1, 1)) {
      if (t > hi) break;
      out.add(`m:${new Date(t).toISOString().slice(0, 7)}`);
    }
  }
  if (hi - lo <= 62 * DAY) {
    for (let t = Date.UTC(new Date(lo).getUTCFullYear(), new Date(lo).getUTCMonth(), new Date(lo).getUTCDate()); t <= hi; t += DAY) out.add(`d:${new Date(t).toISOString().slice(0, 10)}`);
  }
  return [...out];
}

/** The parsed FHIRPath of one parameter for one resource type (narrowed to that type at load, fhir-definitions.ts). */
const compiled = new Map<string, FhirPathAtom | null>();

/** A parameter's expression for one resource type, parsed once. */
export function compiledExpression(resourceType: string, name: string): FhirPathAtom | null {
  const key = `${resourceType}\0${name}`;
  let atom = compiled.get(key);
  if (atom === undefined) {
    const expression = getSearchParameters(resourceType)?.[name]?.expression;
    atom = expression ? parseFhirPath(expression) : null;
    compiled.set(key, atom);
  }
  return atom;
}

/** The plaintext index entries of a resource (hashed by the caller before storage). */
export function indexEntries(resource: FhirResource): IndexEntry[] {
  const root = [toTypedValue(resource)];
  const entries = new Map<string, IndexEntry>();
  const add = (name: string, value: string): void => void entries.set(`${name}\0${value}`, { name, value });
  for (const name of TOKEN_PARAMS) {
    const atom = compiledExpression(resource.resourceType, name);
    if (!atom) continue;
    for (const typed of evalFhirPathTyped(atom, root)) for (const value of tokenValues(typed)) add(name, value);
  }
  const date = compiledExpression(resource.resourceType, DATE_PARAM);
  if (date) {
    for (const typed of evalFhirPathTyped(date, root)) for (const range of dateRangesOf(typed)) for (const b of storedBuckets(range)) add(DATE_PARAM, b);
  }
  return [...entries.values()];
}

/** The Patient a resource belongs to: the Patient itself, or its `patient`/`subject` reference to a Patient. */
export function patientReferenceOf(resource: FhirResource): { id?: string; expression: string } {
  if (resource.resourceType === 'Patient') return { ...(resource.id ? { id: resource.id } : {}), expression: 'Patient.id' };
  for (const field of ['patient', 'subject']) {
    const ref = (resource[field] as { reference?: unknown } | undefined)?.reference;
    if (typeof ref === 'string') {
      const m = /^Patient\/([A-Za-z0-9\-.]{1,64})$/.exec(ref);
      return { ...(m ? { id: m[1]! } : {}), expression: `${resource.resourceType}.${field}` };
    }
  }
  return { expression: `${resource.resourceType}.${resource.resourceType === 'Immunization' || resource.resourceType === 'AllergyIntolerance' ? 'patient' : 'subject'}` };
}
