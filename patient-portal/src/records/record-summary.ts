import { concept, type Json, list, object, str, when } from './fhir-json.js';

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

/** A FHIR date or dateTime as its date (YYYY-MM-DD), the part every record has. */
function day(value: string): string {
  return /^\d{4}-\d{2}-\d{2}/.test(value) ? value.slice(0, 10) : value;
}

/** Observation.referenceRange (FHIR R4 §4.1.10 "referenceRange"): its text, else low–high with the unit. */
function referenceRange(r: Json): string | undefined {
  const range = list(r['referenceRange'])[0];
  if (!range) return undefined;
  const [low, high] = [object(range['low']), object(range['high'])];
  const bound = (q: Json | undefined) => (typeof q?.['value'] === 'number' ? String(q['value']) : undefined);
  const unit = str(high?.['unit']) ?? str(low?.['unit']) ?? str(high?.['code']) ?? str(low?.['code']);
  const [l, h] = [bound(low), bound(high)];
  const span = l && h ? `${l}–${h}` : l ? `at least ${l}` : h ? `up to ${h}` : undefined;
  const text = str(range['text']) ?? (span && `${span}${unit ? ` ${unit}` : ''}`);
  return text && `Normal range: ${text}`;
}

/** Statuses worth telling the patient (a final result needs no label). */
function unusualStatus(r: Json): string | undefined {
  const value = str(r['status']);
  return value && !['final', 'amended', 'corrected'].includes(value) ? `Status: ${value}` : undefined;
}

/** The reasons (Reference or CodeableConcept) of a medication or request. */
function reason(r: Json): string | undefined {
  const reasons = [...list(r['reasonCode']).map(concept), ...list(r['reasonReference']).map((ref) => str(ref['display']))].filter(Boolean);
  return reasons.length > 0 ? `For: ${reasons.join(', ')}` : undefined;
}

function labelled(label: string, value: string | undefined): string | undefined {
  return value && `${label}: ${value}`;
}

/** A medication's name: the coded concept, else the display of the Medication it references. */
function medication(r: Json): string | undefined {
  return concept(r['medicationCodeableConcept']) ?? str(object(r['medicationReference'])?.['display']);
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
      details: present(observationValue(r), ...components, interpretation && `Interpretation: ${interpretation}`, referenceRange(r), unusualStatus(r)),
      ...dated('Taken', when(r['effectiveDateTime'], r['effectivePeriod'], r['effectiveInstant'], r['issued'])),
    };
  },
  Condition: (r) => {
    const verification = concept(r['verificationStatus']);
    const resolved = when(r['abatementDateTime'], r['abatementPeriod']);
    return {
      title: concept(r['code']) ?? 'Condition',
      details: present(
        labelled('Status', concept(r['clinicalStatus'])),
        labelled('Severity', concept(r['severity'])),
        verification && verification !== 'confirmed' ? `Verification: ${verification}` : undefined,
        labelled('Where', list(r['bodySite']).map(concept).filter(Boolean).join(', ') || undefined),
        resolved && `Resolved: ${day(resolved)}`,
      ),
      ...dated('Onset', when(r['onsetDateTime'], r['onsetPeriod'], r['recordedDate'])),
    };
  },
  AllergyIntolerance: (r) => ({
    title: concept(r['code']) ?? 'Allergy or intolerance',
    details: present(
      labelled('Status', concept(r['clinicalStatus'])),
      labelled('Criticality', str(r['criticality'])),
      ...list(r['reaction']).map((reaction) => {
        const what = list(reaction['manifestation']).map(concept).filter(Boolean).join(', ');
        const severity = str(reaction['severity']);
        return what ? `Reaction: ${what}${severity ? ` (${severity})` : ''}` : undefined;
      }),
    ),
    ...dated('Onset', when(r['onsetDateTime'], r['onsetPeriod'], r['recordedDate'])),
  }),
  Procedure: (r) => ({ title: concept(r['code']) ?? 'Procedure', details: present(status(r)), ...dated('Performed', when(r['performedDateTime'], r['performedPeriod'])) }),
  MedicationStatement: (r) => {
    const until = str(object(r['effectivePeriod'])?.['end']);
    return {
      title: medication(r) ?? 'Medication',
      details: present(status(r), str(list(r['dosage'])[0]?.['text']), reason(r), until && `Until: ${day(until)}`),
      ...dated('Taken from', when(r['effectiveDateTime'], r['effectivePeriod'], r['dateAsserted'])),
    };
  },
  MedicationRequest: (r) => ({
    title: medication(r) ?? 'Prescription',
    details: present(status(r), str(list(r['dosageInstruction'])[0]?.['text']), reason(r), labelled('Prescribed by', str(object(r['requester'])?.['display']))),
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
