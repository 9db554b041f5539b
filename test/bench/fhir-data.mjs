// Synthetic, realistic FHIR R4 data for the storage benchmarks: a Patient and transaction Bundles of
// Observations (vital signs and laboratory results with LOINC codes, UCUM quantities, categories and dates
// spread over several years). Deterministic for a given seed.
import { randomUUID } from 'node:crypto';

const LOINC = 'http://loinc.org';
const UCUM = 'http://unitsofmeasure.org';
const CATEGORY = 'http://terminology.hl7.org/CodeSystem/observation-category';
const VITALS = { system: CATEGORY, code: 'vital-signs', display: 'Vital Signs' };
const LAB = { system: CATEGORY, code: 'laboratory', display: 'Laboratory' };

/** Twenty LOINC measurements with their UCUM unit, a plausible adult range and reported decimals. */
export const MEASUREMENTS = [
  ['8480-6', 'Systolic blood pressure', 'mm[Hg]', 'mmHg', 100, 165, 0, VITALS],
  ['8462-4', 'Diastolic blood pressure', 'mm[Hg]', 'mmHg', 60, 100, 0, VITALS],
  ['8867-4', 'Heart rate', '/min', 'beats/minute', 52, 105, 0, VITALS],
  ['9279-1', 'Respiratory rate', '/min', 'breaths/minute', 12, 20, 0, VITALS],
  ['8310-5', 'Body temperature', 'Cel', 'C', 36.1, 38.2, 1, VITALS],
  ['59408-5', 'Oxygen saturation in Arterial blood by Pulse oximetry', '%', '%', 92, 100, 0, VITALS],
  ['29463-7', 'Body weight', 'kg', 'kg', 55, 110, 1, VITALS],
  ['8302-2', 'Body height', 'cm', 'cm', 150, 195, 1, VITALS],
  ['39156-5', 'Body mass index (BMI) [Ratio]', 'kg/m2', 'kg/m2', 18.5, 35, 1, VITALS],
  ['2093-3', 'Cholesterol [Mass/volume] in Serum or Plasma', 'mg/dL', 'mg/dL', 140, 260, 0, LAB],
  ['2085-9', 'Cholesterol in HDL [Mass/volume] in Serum or Plasma', 'mg/dL', 'mg/dL', 35, 80, 0, LAB],
  ['13457-7', 'Cholesterol in LDL [Mass/volume] in Serum or Plasma by calculation', 'mg/dL', 'mg/dL', 70, 190, 0, LAB],
  ['2571-8', 'Triglyceride [Mass/volume] in Serum or Plasma', 'mg/dL', 'mg/dL', 60, 300, 0, LAB],
  ['2160-0', 'Creatinine [Mass/volume] in Serum or Plasma', 'mg/dL', 'mg/dL', 0.6, 1.6, 2, LAB],
  ['2345-7', 'Glucose [Mass/volume] in Serum or Plasma', 'mg/dL', 'mg/dL', 70, 180, 0, LAB],
  ['4548-4', 'Hemoglobin A1c/Hemoglobin.total in Blood', '%', '%', 4.8, 9, 1, LAB],
  ['718-7', 'Hemoglobin [Mass/volume] in Blood', 'g/dL', 'g/dL', 11, 17, 1, LAB],
  ['2823-3', 'Potassium [Moles/volume] in Serum or Plasma', 'mmol/L', 'mmol/L', 3.4, 5.2, 1, LAB],
  ['2951-2', 'Sodium [Moles/volume] in Serum or Plasma', 'mmol/L', 'mmol/L', 133, 147, 0, LAB],
  ['6690-2', 'Leukocytes [#/volume] in Blood by Automated count', '10*3/uL', '10*3/uL', 4, 11, 1, LAB],
].map(([code, display, ucum, unit, low, high, decimals, category]) => ({ code, display, ucum, unit, low, high, decimals, category }));

/** The code the search benchmark looks for (serum creatinine, which CKD-EPI reads). */
export const SEARCH_CODE = '2160-0';

/** Bundles of the search patient span this many years. */
const YEARS = 5;
const START = Date.UTC(2020, 0, 1);
const DAY_MS = 86_400_000;

/** A small seeded PRNG (mulberry32): the same seed gives the same records. */
export function seededRandom(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A Patient with a unique MRN (the store refuses a second Patient with the same identifier). */
export function patientResource(label) {
  return {
    resourceType: 'Patient',
    identifier: [{ system: 'urn:oid:2.16.840.1.113883.19.5.99999.1', value: `BENCH-${label}-${randomUUID().slice(0, 8)}` }],
    name: [{ use: 'official', family: 'Benchmark', given: [label] }],
    gender: 'female',
    birthDate: '1961-04-17',
  };
}

function observation(patientId, m, when, random) {
  const value = Number((m.low + (m.high - m.low) * random()).toFixed(m.decimals));
  return {
    resourceType: 'Observation',
    status: 'final',
    category: [{ coding: [m.category] }],
    code: { coding: [{ system: LOINC, code: m.code, display: m.display }], text: m.display },
    subject: { reference: `Patient/${patientId}` },
    effectiveDateTime: new Date(when).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    valueQuantity: { value, unit: m.unit, system: UCUM, code: m.ucum },
  };
}

/**
 * A transaction Bundle of `size` Observations of one patient: each of the 20 codes `size / 20` times (shuffled),
 * dated within bundle `index`'s slice of {@link YEARS} years when there are `of` bundles, so that `of` bundles
 * together cover the years evenly and every code matches `of × size / 20` records.
 */
export function observationBundle(patientId, { index = 0, of = 1, size = 100, random }) {
  const codes = Array.from({ length: size }, (_, i) => MEASUREMENTS[i % MEASUREMENTS.length]);
  for (let i = codes.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [codes[i], codes[j]] = [codes[j], codes[i]];
  }
  const slice = (YEARS * 365 * DAY_MS) / of;
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: codes.map((m) => ({
      fullUrl: `urn:uuid:${randomUUID()}`,
      resource: observation(patientId, m, START + index * slice + random() * slice, random),
      request: { method: 'POST', url: 'Observation' },
    })),
  };
}

/** How many Observations of a bundle carry `code`. */
export function countCode(bundle, code) {
  return bundle.entry.filter((e) => e.resource.code.coding[0].code === code).length;
}
