import type { PatientProfile } from '../patient-profile.js';

/**
 * Greta Halvorsen: elderly, with permanent atrial fibrillation (anticoagulated, rate controlled) and heart failure
 * with preserved ejection fraction on a loop diuretic; renal function and potassium monitored.
 */
export const GRETA: PatientProfile = {
  id: 'pat-greta',
  label: 'Greta Halvorsen, 85 F: atrial fibrillation and heart failure on apixaban, metoprolol and furosemide; never smoked',
  name: { prefix: 'Mrs.', given: ['Greta', 'Sofie'], family: 'Halvorsen' },
  gender: 'female',
  birthDate: '1941-05-05',
  maritalStatus: 'W',
  mrn: 'MRN-100356',
  phone: '+1 503 555 0190',
  email: 'greta.halvorsen@patients.example.org',
  address: { line: ['305 Velvetmoss Drive'], city: 'Larkspur Falls', state: 'OR', postalCode: '97999' },
  race: 'white',
  ethnicity: 'notHispanicOrLatino',
  smoking: 'neverSmoked',
  clinician: 'Dr. Tobias Wrenfield',
  labUnits: { lipids: 'mass', creatinine: 'mass' },
  visits: { count: 13, everyDays: 120, last: '2026-06-23', checkUpEvery: 3 },
  vitals: {
    systolic: { start: 128, end: 134, sd: 6 },
    diastolic: { start: 72, end: 70, sd: 4 },
    heartRate: { start: 84, end: 76, sd: 6 },
    weightKg: { start: 66.0, end: 63.5, sd: 0.9 },
    heightCm: 160.0,
  },
  labSchedule: { lipidPanelEvery: 6, metabolicPanelEvery: 2, hba1cEvery: 0 },
  labs: {
    totalCholesterol: { start: 190, end: 186, sd: 8 },
    hdlCholesterol: { start: 62, end: 60, sd: 3 },
    triglycerides: { start: 110, end: 118, sd: 12 },
    glucose: { start: 98, end: 102, sd: 6 },
    creatinine: { start: 1.05, end: 1.22, sd: 0.05 },
    ureaNitrogen: { start: 22, end: 27, sd: 3 },
    potassium: { start: 4.0, end: 3.9, sd: 0.25 },
  },
  conditions: [
    { key: 'atrialFibrillation', onset: '2019-08-14', text: 'Permanent atrial fibrillation' },
    { key: 'heartFailure', onset: '2021-03-02', text: 'Heart failure with preserved ejection fraction' },
  ],
  medications: [
    {
      key: 'apixaban5',
      start: '2019-08-20',
      reason: 'atrialFibrillation',
      dosage: 'Take 1 tablet by mouth twice daily.',
      dispense: { quantity: 180, unit: 'tablet', code: '{tbl}', supplyDays: 90 },
    },
    {
      key: 'metoprololSuccinate25',
      start: '2019-08-20',
      reason: 'atrialFibrillation',
      dosage: 'Take 1 tablet by mouth once daily.',
      dispense: { quantity: 90, unit: 'tablet', code: '{tbl}', supplyDays: 90 },
    },
    {
      key: 'furosemide40',
      start: '2021-03-05',
      reason: 'heartFailure',
      dosage: 'Take 1 tablet by mouth every morning.',
      dispense: { quantity: 90, unit: 'tablet', code: '{tbl}', supplyDays: 90 },
    },
  ],
  allergies: [{ substance: 'codeine', category: 'medication', type: 'intolerance', criticality: 'low', reaction: 'nausea', severity: 'mild', onset: '1998-11-01' }],
  immunizations: [
    { vaccine: 'influenzaQuadrivalent', date: '2022-10-06' },
    { vaccine: 'covid19Mrna', date: '2022-10-12' },
    { vaccine: 'influenzaQuadrivalent', date: '2023-10-04' },
    { vaccine: 'influenzaTrivalent', date: '2024-10-02' },
    { vaccine: 'influenzaTrivalent', date: '2025-10-01' },
  ],
  procedures: [
    { key: 'electrocardiogram', visit: 0, reason: 'atrialFibrillation' },
    { key: 'echocardiography', visit: 3, reason: 'heartFailure' },
    { key: 'electrocardiogram', visit: 6, reason: 'atrialFibrillation' },
    { key: 'chestXray', visit: 8, reason: 'heartFailure' },
    { key: 'electrocardiogram', visit: 12, reason: 'atrialFibrillation' },
  ],
  assessment:
    'Permanent atrial fibrillation, rate controlled on metoprolol; anticoagulated with apixaban 5 mg twice daily ' +
    '(dose-reduction criteria not met: weight above 60 kg, creatinine below 1.5 mg/dL). Heart failure with preserved ' +
    'ejection fraction, euvolaemic on furosemide 40 mg daily; weight stable. Continue current therapy; renal function ' +
    'and potassium every eight months.',
};
