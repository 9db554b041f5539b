/**
 * The essentials of a FHIR R4 resource as plain text, for the patient's record list. Only structured fields are
 * read; the narrative (`text.div`, XHTML) is never used, so nothing from a record is ever rendered as markup.
 */
export interface RecordSummary {
  /** What the record is about: a code's text, a medication, a name. */
  readonly title: string;
  /** Further facts, one short line each (a value, a status, a dosage). */
  readonly details: readonly string[];
  /** The record's own date (effective, onset, authored, …), with what it means. */
  readonly date?: { readonly label: string; readonly value: string };
}

type Json = Readonly<Record<string, unknown>>;

function object(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

function list(value: unknown): Json[] {
  return Array.isArray(value) ? value.map(object).filter((v): v is Json => v !== undefined) : [];
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim().length > 0 ? value.trim() : undefined;
}

/** CodeableConcept (FHIR R4 §2.24.0.13): its text, else the first coding's display, else its code. */
function concept(value: unknown): string | undefined {
  const cc = object(value);
  if (!cc) return undefined;
  const codings = list(cc['coding']);
  return str(cc['text']) ?? codings.map((c) => str(c['display'])).find(Boolean) ?? codings.map((c) => str(c['code'])).find(Boolean);
}

/** Quantity: value and unit (the human unit, else the UCUM code). */
function quantity(value: unknown): string | undefined {
  const q = object(value);
  if (!q || typeof q['value'] !== 'number') return undefined;
  const comparator = str(q['comparator']) ?? '';
  const unit = str(q['unit']) ?? str(q['code']);
  return `${comparator}${q['value']}${unit ? ` ${unit}` : ''}`;
}

/** The value[x] of an Observation or one of its components. */
function observationValue(o: Json): string | undefined {
  if (typeof o['valueBoolean'] === 'boolean') return o['valueBoolean'] ? 'yes' : 'no';
  if (typeof o['valueInteger'] === 'number') return String(o['valueInteger']);
  return quantity(o['valueQuantity']) ?? concept(o['valueCodeableConcept']) ?? str(o['valueString']) ?? str(o['valueDateTime']);
}

function humanName(value: unknown): string | undefined {
  const names = list(value);
  const name = names.find((n) => n['use'] === 'official') ?? names[0];
  if (!name) return undefined;
  const given = Array.isArray(name['given']) ? name['given'].filter((g): g is string => typeof g === 'string') : [];
  return str(name['text']) ?? str([...given, str(name['family']) ?? ''].join(' '));
}

/** The start of a Period, or a dateTime. */
function when(...values: unknown[]): string | undefined {
  for (const value of values) {
    const found = str(value) ?? str(object(value)?.['start']);
    if (found) return found;
  }
  return undefined;
}

function dated(label: string, value: string | undefined): Pick<RecordSummary, 'date'> {
  return value ? { date: { label, value } } : {};
}

function present(...values: (string | undefined)[]): string[] {
  return values.filter((v): v is string => v !== undefined);
}

function status(r: Json, field = 'status'): string | undefined {
  const value = str(r[field]) ?? concept(r[field]);
  return value ? `Status: ${value}` : undefined;
}

const SUMMARIES: Readonly<Record<string, (r: Json) => RecordSummary>> = {
  Patient: (r) => ({
    title: humanName(r['name']) ?? 'Your details',
    details: present(str(r['gender']) && `Gender: ${str(r['gender'])}`),
    ...dated('Born', str(r['birthDate'])),
  }),
  Observation: (r) => {
    const components = list(r['component']).map((c) => {
      const value = observationValue(c);
      return value ? `${concept(c['code']) ?? 'Value'}: ${value}` : undefined;
    });
    const interpretation = concept(list(r['interpretation'])[0]);
    return {
      title: concept(r['code']) ?? 'Observation',
      details: present(observationValue(r), ...components, interpretation && `Interpretation: ${interpretation}`),
      ...dated('Taken', when(r['effectiveDateTime'], r['effectivePeriod'], r['effectiveInstant'], r['issued'])),
    };
  },
  Condition: (r) => ({ title: concept(r['code']) ?? 'Condition', details: present(concept(r['clinicalStatus']) && `Status: ${concept(r['clinicalStatus'])}`), ...dated('Onset', when(r['onsetDateTime'], r['onsetPeriod'], r['recordedDate'])) }),
  AllergyIntolerance: (r) => ({ title: concept(r['code']) ?? 'Allergy or intolerance', details: present(concept(r['clinicalStatus']) && `Status: ${concept(r['clinicalStatus'])}`), ...dated('Onset', when(r['onsetDateTime'], r['onsetPeriod'], r['recordedDate'])) }),
  Procedure: (r) => ({ title: concept(r['code']) ?? 'Procedure', details: present(status(r)), ...dated('Performed', when(r['performedDateTime'], r['performedPeriod'])) }),
  MedicationStatement: (r) => ({
    title: concept(r['medicationCodeableConcept']) ?? 'Medication',
    details: present(status(r), str(list(r['dosage'])[0]?.['text'])),
    ...dated('Taken from', when(r['effectiveDateTime'], r['effectivePeriod'], r['dateAsserted'])),
  }),
  MedicationRequest: (r) => ({
    title: concept(r['medicationCodeableConcept']) ?? 'Prescription',
    details: present(status(r), str(list(r['dosageInstruction'])[0]?.['text'])),
    ...dated('Prescribed', str(r['authoredOn'])),
  }),
  Immunization: (r) => ({ title: concept(r['vaccineCode']) ?? 'Immunization', details: present(status(r)), ...dated('Given', when(r['occurrenceDateTime'])) }),
  DiagnosticReport: (r) => ({ title: concept(r['code']) ?? 'Report', details: present(str(r['conclusion'])), ...dated('Date', when(r['effectiveDateTime'], r['effectivePeriod'], r['issued'])) }),
  Encounter: (r) => ({ title: concept(list(r['type'])[0]) ?? str(object(r['class'])?.['display']) ?? 'Visit', details: present(status(r)), ...dated('Date', when(r['period'])) }),
  DocumentReference: (r) => ({ title: str(r['description']) ?? concept(r['type']) ?? 'Document', details: present(status(r)), ...dated('Date', str(r['date'])) }),
  RiskAssessment: (r) => {
    const prediction = list(r['prediction'])[0];
    const probability = typeof prediction?.['probabilityDecimal'] === 'number' ? `Probability: ${Math.round(prediction['probabilityDecimal'] * 1000) / 10} %` : undefined;
    return { title: concept(prediction?.['outcome']) ?? concept(r['code']) ?? 'Risk assessment', details: present(probability), ...dated('Date', when(r['occurrenceDateTime'], r['occurrencePeriod'])) };
  },
};

/** The summary of a resource of any type: the known types' essentials, else its type and nothing more. */
export function summarize(resourceType: string, resource: Json): RecordSummary {
  return SUMMARIES[resourceType]?.(resource) ?? { title: resourceType, details: [], ...dated('Date', when(object(resource['meta'])?.['lastUpdated'])) };
}

/** A sortable time for "newest first": the record's own date, else when it was stored. */
export function sortTime(summary: RecordSummary | undefined, lastUpdated: string): number {
  const own = summary?.date && summary.date.label !== 'Born' ? Date.parse(summary.date.value) : Number.NaN;
  return Number.isNaN(own) ? Date.parse(lastUpdated) || 0 : own;
}
