import type { PatientProfile } from '../patient-profile.js';

/**
 * Alice Moreau: treated hypertension and hyperlipidemia, former smoker. Her lipid panels come from a reference
 * laboratory that reports SI units (mmol/L), so a Pooled Cohort Equations data contract has to convert them.
 */
export const ALICE: PatientProfile = {
  id: 'pat-alice',
  label: 'Alice Moreau, 65 F: hypertension and hyperlipidemia on lisinopril and atorvastatin; former smoker; lipids in mmol/L',
  name: { prefix: 'Ms.', given: ['Alice', 'Josephine'], family: 'Moreau' },
  gender: 'female',
  birthDate: '1961-03-14',
  maritalStatus: 'M',
  mrn: 'MRN-100234',
  phone: '+1 503 555 0142',
  email: 'alice.moreau@patients.example.org',
  address: { line: ['1187 Quillfeather Lane', 'Apt 4B'], city: 'Larkspur Falls', state: 'OR', postalCode: '97999' },
  race: 'white',
  ethnicity: 'notHispanicOrLatino',
  smoking: 'exSmoker',
  clinician: 'Dr. Lena Brightwater',
  labUnits: { lipids: 'molar', creatinine: 'mass' },
  visits: { count: 9, everyDays: 182, last: '2026-06-09', checkUpEvery: 2 },
  vitals: {
    systolic: { start: 142, end: 131, sd: 4 },
    diastolic: { start: 88, end: 81, sd: 3 },
    heartRate: { start: 74, end: 71, sd: 4 },
    weightKg: { start: 71.5, end: 69.8, sd: 0.6 },
    heightCm: 164.0,
  },
  labSchedule: { lipidPanelEvery: 1, metabolicPanelEvery: 2, hba1cEvery: 0 },
  labs: {
    totalCholesterol: { start: 228, end: 192, sd: 8 },
    hdlCholesterol: { start: 58, end: 61, sd: 3 },
    triglycerides: { start: 150, end: 128, sd: 14 },
    glucose: { start: 96, end: 99, sd: 5 },
    creatinine: { start: 0.82, end: 0.88, sd: 0.04 },
    ureaNitrogen: { start: 15, end: 16, sd: 2 },
  },
  conditions: [
    { key: 'hypertension', onset: '2014-09-22', text: 'Essential hypertension' },
    { key: 'hyperlipidemia', onset: '2016-02-10' },
  ],
  medications: [
    {
      key: 'lisinopril10',
      start: '2014-10-06',
      reason: 'hypertension',
      dosage: 'Take 1 tablet by mouth once daily.',
      dispense: { quantity: 90, unit: 'tablet', code: '{tbl}', supplyDays: 90 },
    },
    {
      key: 'atorvastatin20',
      start: '2016-03-01',
      reason: 'hyperlipidemia',
      dosage: 'Take 1 tablet by mouth once daily in the evening.',
      dispense: { quantity: 90, unit: 'tablet', code: '{tbl}', supplyDays: 90 },
    },
  ],
  allergies: [{ substance: 'penicillin', category: 'medication', type: 'allergy', criticality: 'low', reaction: 'urticaria', severity: 'moderate', onset: '1988-05-01' }],
  immunizations: [
    { vaccine: 'influenzaQuadrivalent', date: '2022-10-14' },
    { vaccine: 'covid19Mrna', date: '2022-11-02' },
    { vaccine: 'zosterRecombinant', date: '2023-03-20' },
    { vaccine: 'zosterRecombinant', date: '2023-06-05' },
    { vaccine: 'influenzaQuadrivalent', date: '2023-10-11' },
    { vaccine: 'influenzaTrivalent', date: '2024-10-09' },
    { vaccine: 'influenzaTrivalent', date: '2025-10-15' },
  ],
  procedures: [
    { key: 'electrocardiogram', visit: 0, reason: 'hypertension' },
    { key: 'mammography', visit: 2 },
    { key: 'colonoscopy', visit: 4 },
    { key: 'mammography', visit: 6 },
  ],
  assessment:
    'Essential hypertension, controlled on lisinopril 10 mg daily; home readings reviewed. Hyperlipidemia improving on ' +
    'atorvastatin 20 mg; the reference laboratory reports lipids in SI units (mmol/L). Former smoker, quit eleven years ' +
    'ago. Continue current therapy; repeat lipid panel in six months.',
};
