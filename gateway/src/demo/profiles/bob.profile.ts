import type { PatientProfile } from '../patient-profile.js';

/**
 * Bob Okafor: type 2 diabetes on metformin with chronic kidney disease stage 3a, current smoker, race recorded as
 * Black or African American (the CKD-EPI 2009 equation uses it; the 2021 refit does not). His creatinine comes
 * from a nephrology laboratory that reports umol/L.
 */
export const BOB: PatientProfile = {
  id: 'pat-bob',
  label: 'Bob Okafor, 68 M: type 2 diabetes and CKD stage 3a on metformin; current smoker; creatinine in umol/L',
  name: { prefix: 'Mr.', given: ['Bob', 'Chinedu'], family: 'Okafor' },
  gender: 'male',
  birthDate: '1957-09-02',
  maritalStatus: 'M',
  mrn: 'MRN-100587',
  phone: '+1 503 555 0167',
  email: 'bob.okafor@patients.example.org',
  address: { line: ['42 Tinderbox Row'], city: 'Larkspur Falls', state: 'OR', postalCode: '97999' },
  race: 'blackOrAfricanAmerican',
  ethnicity: 'notHispanicOrLatino',
  smoking: 'currentSmoker',
  clinician: 'Dr. Tobias Wrenfield',
  labUnits: { lipids: 'mass', creatinine: 'molar' },
  visits: { count: 13, everyDays: 120, last: '2026-06-16', checkUpEvery: 3 },
  vitals: {
    systolic: { start: 136, end: 144, sd: 5 },
    diastolic: { start: 84, end: 87, sd: 3 },
    heartRate: { start: 80, end: 82, sd: 4 },
    weightKg: { start: 96.0, end: 98.5, sd: 0.8 },
    heightCm: 178.0,
  },
  labSchedule: { lipidPanelEvery: 3, metabolicPanelEvery: 2, hba1cEvery: 1 },
  labs: {
    totalCholesterol: { start: 205, end: 214, sd: 9 },
    hdlCholesterol: { start: 41, end: 39, sd: 2.5 },
    triglycerides: { start: 190, end: 215, sd: 20 },
    glucose: { start: 142, end: 162, sd: 12 },
    creatinine: { start: 1.32, end: 1.52, sd: 0.05 },
    ureaNitrogen: { start: 20, end: 24, sd: 2.5 },
    potassium: { start: 4.5, end: 4.7, sd: 0.25 },
    hba1c: { start: 7.1, end: 7.9, sd: 0.2 },
  },
  conditions: [
    { key: 'type2Diabetes', onset: '2015-04-18' },
    { key: 'ckdStage3', onset: '2021-11-09', text: 'Chronic kidney disease stage 3a' },
  ],
  medications: [
    {
      key: 'metformin500',
      start: '2015-05-02',
      reason: 'type2Diabetes',
      dosage: 'Take 1 tablet by mouth twice daily with meals.',
      dispense: { quantity: 180, unit: 'tablet', code: '{tbl}', supplyDays: 90 },
    },
  ],
  allergies: [{ substance: 'latex', category: 'environment', type: 'allergy', criticality: 'low', reaction: 'contactDermatitis', severity: 'mild', onset: '2004-07-01' }],
  immunizations: [
    { vaccine: 'covid19Mrna', date: '2022-10-05' },
    { vaccine: 'influenzaQuadrivalent', date: '2022-10-20' },
    { vaccine: 'pneumococcalPpsv23', date: '2023-01-17' },
    { vaccine: 'influenzaQuadrivalent', date: '2023-10-18' },
    { vaccine: 'influenzaTrivalent', date: '2024-10-16' },
    { vaccine: 'influenzaTrivalent', date: '2025-10-22' },
  ],
  procedures: [
    { key: 'electrocardiogram', visit: 0, reason: 'type2Diabetes' },
    { key: 'smokingCessationEducation', visit: 3 },
    { key: 'smokingCessationEducation', visit: 9 },
  ],
  assessment:
    'Type 2 diabetes with HbA1c above target on metformin 500 mg twice daily; discussed adding a second agent. ' +
    'Chronic kidney disease stage 3a with slowly rising creatinine (the nephrology laboratory reports umol/L); avoid ' +
    'NSAIDs, metformin dose still appropriate for current kidney function. Current smoker, about one pack per day; ' +
    'cessation counselling repeated. Statin therapy recommended again; patient prefers to defer.',
};
