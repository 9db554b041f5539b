import type { FhirJson } from './care-api.js';

/** A record as plain text lines for the clinician: what it is, its value and its date. */
export interface RecordText {
  readonly title: string;
  readonly value?: string;
  readonly date?: string;
}

const obj = (v: unknown): FhirJson | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as FhirJson) : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v : undefined);
const list = (v: unknown): FhirJson[] => (Array.isArray(v) ? v.map(obj).filter((o): o is FhirJson => o !== undefined) : []);

/** CodeableConcept: its text, else the first coding's display, else its code. */
function concept(v: unknown): string | undefined {
  const c = obj(v);
  if (!c) return undefined;
  const coding = list(c['coding']);
  return str(c['text']) ?? coding.map((x) => str(x['display'])).find(Boolean) ?? coding.map((x) => str(x['code'])).find(Boolean);
}

/** Quantity: value and unit (the human unit, else the UCUM code). */
function quantity(v: unknown): string | undefined {
  const q = obj(v);
  if (!q || typeof q['value'] !== 'number') return undefined;
  const unit = str(q['unit']) ?? str(q['code']);
  return `${str(q['comparator']) ?? ''}${q['value']}${unit ? ` ${unit}` : ''}`;
}

function observationValue(o: FhirJson): string | undefined {
  if (typeof o['valueBoolean'] === 'boolean') return o['valueBoolean'] ? 'yes' : 'no';
  if (typeof o['valueInteger'] === 'number') return String(o['valueInteger']);
  const own = quantity(o['valueQuantity']) ?? concept(o['valueCodeableConcept']) ?? str(o['valueString']);
  if (own) return own;
  const parts = list(o['component']).map((c) => {
    const value = quantity(c['valueQuantity']) ?? concept(c['valueCodeableConcept']) ?? str(c['valueString']);
    return value ? `${concept(c['code']) ?? 'Component'}: ${value}` : undefined;
  });
  return parts.filter(Boolean).join('; ') || undefined;
}

/** A FHIR date or dateTime as its day (YYYY-MM-DD). */
const day = (v: string | undefined): string | undefined => (v && /^\d{4}-\d{2}-\d{2}/.test(v) ? v.slice(0, 10) : v);

function optional(value: string | undefined, date: string | undefined): Omit<RecordText, 'title'> {
  return { ...(value ? { value } : {}), ...(date ? { date } : {}) };
}

export function recordText(r: FhirJson): RecordText {
  if (r['resourceType'] === 'Patient') {
    const name = list(r['name'])[0];
    const given = name && Array.isArray(name['given']) ? name['given'].filter((g): g is string => typeof g === 'string') : [];
    const full = name ? (str(name['text']) ?? [...given, str(name['family']) ?? ''].join(' ').trim()) : '';
    const birth = str(r['birthDate']);
    return { title: full || 'Patient', ...optional(str(r['gender']) && `Gender: ${String(r['gender'])}`, birth && `Born ${birth}`) };
  }
  if (r['resourceType'] === 'Observation') {
    const period = obj(r['effectivePeriod']);
    const when = day(str(r['effectiveDateTime']) ?? str(r['effectiveInstant']) ?? str(period?.['start']) ?? str(r['issued']));
    return { title: concept(r['code']) ?? 'Observation', ...optional(observationValue(r), when && `Taken ${when}`) };
  }
  return { title: String(r['resourceType'] ?? 'Record') };
}
