import type { Compartment } from '../../gateway/src/crypto/index.js';

/**
 * The compartments' names as a patient reads them, in the key library's order (gateway/src/crypto/README.md has the
 * table of types). Only the type comes from the key library, so this list does not pull it into the first load.
 */
export const COMPARTMENT_LABELS: Readonly<Record<Compartment, string>> = {
  demographics: 'Your details',
  vitals: 'Vital signs',
  labs: 'Lab results and observations',
  conditions: 'Conditions, allergies and procedures',
  medications: 'Medications and immunizations',
  encounters: 'Visits',
  documents: 'Documents',
  'ai-results': 'Model results',
};

/** What each compartment holds, in plain words, for choosing what a consent shares. */
export const COMPARTMENT_HINTS: Readonly<Record<Compartment, string>> = {
  demographics: 'Your name, birth date, gender and contact details.',
  vitals: 'Heart rate, blood pressure, weight, temperature and other vital signs.',
  labs: 'Blood tests and other lab results, and their reports.',
  conditions: 'Diagnoses, allergies and intolerances, and procedures you had.',
  medications: 'Medicines you take or were prescribed, and vaccinations.',
  encounters: 'Your visits and stays at the hospital.',
  documents: 'Letters, reports and other documents, and your signed consents.',
  'ai-results': 'Results of approved models run on your records, with their explanations.',
};

/** The compartments in the key library's order (the keys of {@link COMPARTMENT_LABELS}). */
export const COMPARTMENT_ORDER = Object.keys(COMPARTMENT_LABELS) as Compartment[];

/** A compartment's label; an unknown name (from a newer gateway) is shown as it comes. */
export function compartmentLabel(name: string): string {
  return (COMPARTMENT_LABELS as Readonly<Record<string, string>>)[name] ?? name;
}
