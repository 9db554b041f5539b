import type { PatientProfile } from '../patient-profile.js';

/**
 * Tomas Lindqvist: a healthy young adult seen once a year, with one resolved viral pharyngitis and a peanut
 * allergy. No race or ethnicity recorded (a model that needs race must say so rather than guess).
 */
export const TOMAS: PatientProfile = {
  id: 'pat-tomas',
  label: 'Tomas Lindqvist, 27 M: healthy; peanut allergy; one resolved pharyngitis; never smoked',
  name: { prefix: 'Mr.', given: ['Tomas'], family: 'Lindqvist' },
  gender: 'male',
  birthDate: '1999-01-23',
  maritalStatus: 'S',
  mrn: 'MRN-100911',
  phone: '+1 503 555 0118',
  email: 'tomas.lindqvist@patients.example.org',
  address: { line: ['9 Marrowbend Court'], city: 'Larkspur Falls', state: 'OR', postalCode: '97998' },
  smoking: 'neverSmoked',
  clinician: 'Dr. Lena Brightwater',
  labUnits: { lipids: 'mass', creatinine: 'mass' },
  visits: { count: 5, everyDays: 365, last: '2026-04-21', checkUpEvery: 1 },
  vitals: {
    systolic: { start: 118, end: 121, sd: 4 },
    diastolic: { start: 74, end: 76, sd: 3 },
    heartRate: { start: 64, end: 62, sd: 4 },
    weightKg: { start: 78.0, end: 80.5, sd: 0.7 },
    heightCm: 183.0,
  },
  labSchedule: { lipidPanelEvery: 4, metabolicPanelEvery: 4, hba1cEvery: 0 },
  labs: {
    totalCholesterol: { start: 168, end: 174, sd: 6 },
    hdlCholesterol: { start: 52, end: 53, sd: 2.5 },
    triglycerides: { start: 95, end: 102, sd: 10 },
  },
  conditions: [{ key: 'acuteViralPharyngitis', onset: '2024-02-06', abatement: '2024-02-16' }],
  medications: [],
  allergies: [{ substance: 'peanut', category: 'food', type: 'allergy', criticality: 'high', reaction: 'anaphylaxis', severity: 'severe', onset: '2003-08-10' }],
  immunizations: [
    { vaccine: 'covid19Mrna', date: '2022-09-28' },
    { vaccine: 'influenzaQuadrivalent', date: '2023-10-25' },
    { vaccine: 'tdap', date: '2024-05-14' },
    { vaccine: 'influenzaTrivalent', date: '2025-10-08' },
  ],
  procedures: [],
  assessment:
    'Healthy adult at his annual preventive visit. Blood pressure and BMI within normal limits; lipid screening ' +
    'normal. Peanut allergy with past anaphylaxis; avoidance counselling reviewed. Next check-up in one year.',
};
