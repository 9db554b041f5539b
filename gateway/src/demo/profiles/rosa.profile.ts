import type { PatientProfile } from '../patient-profile.js';

/**
 * Rosa Villanueva: mild persistent asthma on montelukast with an as-needed albuterol inhaler, aspirin-induced
 * bronchospasm, one resolved acute bronchitis. Hispanic or Latino ethnicity.
 */
export const ROSA: PatientProfile = {
  id: 'pat-rosa',
  label: 'Rosa Villanueva, 39 F: mild persistent asthma on montelukast and albuterol; aspirin allergy; never smoked',
  name: { prefix: 'Mrs.', given: ['Rosa', 'Amparo'], family: 'Villanueva' },
  gender: 'female',
  birthDate: '1986-11-30',
  maritalStatus: 'M',
  mrn: 'MRN-100748',
  phone: '+1 503 555 0135',
  email: 'rosa.villanueva@patients.example.org',
  address: { line: ['77 Saffronwick Way'], city: 'Larkspur Falls', state: 'OR', postalCode: '97998' },
  race: 'white',
  ethnicity: 'hispanicOrLatino',
  smoking: 'neverSmoked',
  clinician: 'Dr. Lena Brightwater',
  labUnits: { lipids: 'mass', creatinine: 'mass' },
  visits: { count: 10, everyDays: 140, last: '2026-05-12', checkUpEvery: 3 },
  vitals: {
    systolic: { start: 112, end: 116, sd: 4 },
    diastolic: { start: 70, end: 72, sd: 3 },
    heartRate: { start: 72, end: 70, sd: 5 },
    weightKg: { start: 63.0, end: 64.2, sd: 0.7 },
    heightCm: 158.0,
  },
  labSchedule: { lipidPanelEvery: 6, metabolicPanelEvery: 0, hba1cEvery: 0 },
  labs: {
    totalCholesterol: { start: 182, end: 188, sd: 7 },
    hdlCholesterol: { start: 64, end: 66, sd: 3 },
    triglycerides: { start: 88, end: 92, sd: 10 },
  },
  conditions: [
    { key: 'asthma', onset: '2001-06-10', text: 'Mild persistent asthma' },
    { key: 'acuteBronchitis', onset: '2025-01-14', abatement: '2025-02-04' },
  ],
  medications: [
    {
      key: 'montelukast10',
      start: '2018-09-01',
      reason: 'asthma',
      dosage: 'Take 1 tablet by mouth every evening.',
      dispense: { quantity: 90, unit: 'tablet', code: '{tbl}', supplyDays: 90 },
    },
    {
      key: 'albuterolInhaler',
      start: '2001-06-10',
      reason: 'asthma',
      dosage: 'Inhale 2 puffs every 4 to 6 hours as needed for wheezing or shortness of breath.',
      asNeeded: true,
      dispense: { quantity: 1, unit: 'inhaler', code: '{inhaler}', supplyDays: 90 },
    },
  ],
  allergies: [{ substance: 'aspirin', category: 'medication', type: 'allergy', criticality: 'high', reaction: 'bronchospasm', severity: 'severe', onset: '2012-03-15' }],
  immunizations: [
    { vaccine: 'influenzaQuadrivalent', date: '2022-10-18' },
    { vaccine: 'covid19Mrna', date: '2022-12-01' },
    { vaccine: 'tdap', date: '2023-06-22' },
    { vaccine: 'influenzaQuadrivalent', date: '2023-10-24' },
    { vaccine: 'influenzaTrivalent', date: '2024-10-29' },
    { vaccine: 'influenzaTrivalent', date: '2025-10-21' },
  ],
  procedures: [
    { key: 'spirometry', visit: 0, reason: 'asthma' },
    { key: 'spirometry', visit: 6, reason: 'asthma' },
  ],
  assessment:
    'Mild persistent asthma, well controlled on montelukast with reliever use about once a month; spirometry stable. ' +
    'Recovered fully from an episode of acute bronchitis. Aspirin-induced bronchospasm: avoid aspirin and other ' +
    'NSAIDs. Inhaler technique reviewed.',
};
