/** Reading FHIR R4 JSON defensively: a record's fields are whatever the hospital sent, so every access checks the type. */

export type Json = Readonly<Record<string, unknown>>;

export function object(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

export function list(value: unknown): Json[] {
  return Array.isArray(value) ? value.map(object).filter((v): v is Json => v !== undefined) : [];
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim().length > 0 ? value.trim() : undefined;
}

/** CodeableConcept (FHIR R4 §2.24.0.13): its text, else the first coding's display, else its code. */
export function concept(value: unknown): string | undefined {
  const cc = object(value);
  if (!cc) return undefined;
  const codings = list(cc['coding']);
  return str(cc['text']) ?? codings.map((c) => str(c['display'])).find(Boolean) ?? codings.map((c) => str(c['code'])).find(Boolean);
}

/** The start of a Period, or a dateTime. */
export function when(...values: unknown[]): string | undefined {
  for (const value of values) {
    const found = str(value) ?? str(object(value)?.['start']);
    if (found) return found;
  }
  return undefined;
}

/** The codes of a CodeableConcept in one code system (e.g. LOINC), in their order. */
export function codesIn(value: unknown, system: string): string[] {
  return list(object(value)?.['coding'])
    .filter((c) => c['system'] === system)
    .map((c) => str(c['code']))
    .filter((c): c is string => c !== undefined);
}
