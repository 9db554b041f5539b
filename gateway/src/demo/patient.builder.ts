import type { ClinicalClock } from './clinical-clock.js';
import { DEMO_MRN_SYSTEM, SYSTEMS, US_CORE_EXTENSIONS } from './code-systems.js';
import { SYNTHETIC_META } from './generation-context.js';
import type { Resource } from './fhir-types.js';
import type { OmbEthnicity, OmbRace, PatientProfile } from './patient-profile.js';

/** OMB race categories (CDC Race & Ethnicity code set, as bound by US Core 6.1 us-core-race `ombCategory`). */
const RACES: Record<OmbRace, { code: string; display: string }> = {
  white: { code: '2106-3', display: 'White' },
  blackOrAfricanAmerican: { code: '2054-5', display: 'Black or African American' },
  asian: { code: '2028-9', display: 'Asian' },
};

/** OMB ethnicity categories (US Core 6.1 us-core-ethnicity `ombCategory`). */
const ETHNICITIES: Record<OmbEthnicity, { code: string; display: string }> = {
  hispanicOrLatino: { code: '2135-2', display: 'Hispanic or Latino' },
  notHispanicOrLatino: { code: '2186-5', display: 'Not Hispanic or Latino' },
};

const MARITAL_DISPLAY = { M: 'Married', S: 'Never Married', W: 'Widowed', D: 'Divorced' } as const;

/**
 * The Patient resource: fixed id, fictional MRN, name, contact details and address, and the US Core race, ethnicity
 * and birth-sex extensions (complex extensions with `ombCategory` and the required `text` sub-extension).
 */
export function buildPatient(profile: PatientProfile, clock: ClinicalClock): Resource & { id: string } {
  const extension: unknown[] = [];
  if (profile.race) extension.push(ombExtension(US_CORE_EXTENSIONS.race, RACES[profile.race]));
  if (profile.ethnicity) extension.push(ombExtension(US_CORE_EXTENSIONS.ethnicity, ETHNICITIES[profile.ethnicity]));
  extension.push({ url: US_CORE_EXTENSIONS.birthSex, valueCode: profile.gender === 'female' ? 'F' : 'M' });
  return {
    resourceType: 'Patient',
    id: profile.id,
    meta: SYNTHETIC_META,
    extension,
    identifier: [
      {
        use: 'usual',
        type: { coding: [{ system: SYSTEMS.identifierType, code: 'MR', display: 'Medical record number' }], text: 'MRN' },
        system: DEMO_MRN_SYSTEM,
        value: profile.mrn,
      },
    ],
    active: true,
    name: [{ use: 'official', family: profile.name.family, given: [...profile.name.given], prefix: [profile.name.prefix] }],
    telecom: [
      { system: 'phone', value: profile.phone, use: 'mobile' },
      { system: 'email', value: profile.email, use: 'home' },
    ],
    gender: profile.gender,
    birthDate: clock.date(clock.offsetOf(profile.birthDate)),
    address: [{ use: 'home', type: 'physical', line: [...profile.address.line], city: profile.address.city, state: profile.address.state, postalCode: profile.address.postalCode, country: 'US' }],
    maritalStatus: { coding: [{ system: SYSTEMS.maritalStatus, code: profile.maritalStatus, display: MARITAL_DISPLAY[profile.maritalStatus] }] },
    communication: [{ language: { coding: [{ system: 'urn:ietf:bcp:47', code: 'en-US', display: 'English (United States)' }] }, preferred: true }],
  };
}

function ombExtension(url: string, category: { code: string; display: string }): unknown {
  return {
    url,
    extension: [
      { url: 'ombCategory', valueCoding: { system: SYSTEMS.cdcRace, code: category.code, display: category.display } },
      { url: 'text', valueString: category.display },
    ],
  };
}
