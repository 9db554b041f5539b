import { loadFhirDefinitions } from '../../common/index.js';
import { dateBuckets, dateRange, indexEntries, patientReferenceOf } from './search-index.js';

beforeAll(() => loadFhirDefinitions());

describe('blind-index entries', () => {
  it('indexes codes with and without their system, category, status and every date bucket of an Observation', () => {
    const entries = indexEntries({
      resourceType: 'Observation',
      status: 'final',
      category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] }],
      code: { coding: [{ system: 'http://loinc.org', code: '2093-3' }, { code: 'local-7' }] },
      subject: { reference: 'Patient/p1' },
      effectiveDateTime: '2025-03-01T08:00:00Z',
    });
    expect(entries.map((e) => `${e.name}=${e.value}`).sort()).toEqual(
      [
        'category=http://terminology.hl7.org/CodeSystem/observation-category|',
        'category=http://terminology.hl7.org/CodeSystem/observation-category|laboratory',
        'category=laboratory',
        'code=2093-3',
        'code=http://loinc.org|',
        'code=http://loinc.org|2093-3',
        'code=local-7',
        'code=|local-7',
        'date=d:2025-03-01',
        'status=final',
      ].sort(),
    );
  });

  it('indexes a Patient by identifier, and a period by the days, months or years it covers depending on its span', () => {
    expect(indexEntries({ resourceType: 'Patient', identifier: [{ system: 'urn:mrn', value: 'A1' }] }).map((e) => `${e.name}=${e.value}`).sort()).toEqual(['identifier=A1', 'identifier=urn:mrn|', 'identifier=urn:mrn|A1']);
    const dates = (period: Record<string, string>) =>
      indexEntries({ resourceType: 'Encounter', status: 'finished', class: { code: 'AMB' }, period })
        .filter((e) => e.name === 'date')
        .map((e) => e.value)
        .sort();
    expect(dates({ start: '2024-12-31T22:00:00Z', end: '2025-01-01T02:00:00Z' })).toEqual(['d:2024-12-31', 'd:2025-01-01']);
    expect(dates({ start: '2025-01-10', end: '2025-04-02' })).toEqual(['m:2025-01', 'm:2025-02', 'm:2025-03', 'm:2025-04']);
    expect(dates({ start: '2001-06-01', end: '2014-02-01' })).toEqual(Array.from({ length: 14 }, (_, i) => `y:${2001 + i}`));
    expect(dates({ start: '2025-01-10' })).toEqual(['open']);
  });

  it('reads a date value as the range it denotes (FHIR R4 search: a date is a range)', () => {
    expect(dateRange('2025')).toEqual([Date.UTC(2025, 0, 1), Date.UTC(2026, 0, 1) - 1]);
    expect(dateRange('2025-02')).toEqual([Date.UTC(2025, 1, 1), Date.UTC(2025, 2, 1) - 1]);
    expect(dateRange('2025-02-03')).toEqual([Date.UTC(2025, 1, 3), Date.UTC(2025, 1, 4) - 1]);
    expect(dateRange('2025-02-03T04:05:06+02:00')).toEqual([Date.UTC(2025, 1, 3, 2, 5, 6), Date.UTC(2025, 1, 3, 2, 5, 6)]);
    expect(dateRange('soon')).toBeUndefined();
  });

  it('looks up every day, month and year a search window touches (one-day margin) plus open periods, or nothing for a window over ~4 years', () => {
    expect(dateBuckets(Date.UTC(2025, 1, 3), Date.UTC(2025, 1, 4) - 1)).toEqual(['d:2025-02-02', 'd:2025-02-03', 'd:2025-02-04', 'm:2025-02', 'y:2025', 'open']);
    expect(dateBuckets(Date.UTC(2025, 0, 1), Date.UTC(2025, 0, 2) - 1)).toEqual(['d:2024-12-31', 'd:2025-01-01', 'd:2025-01-02', 'm:2024-12', 'm:2025-01', 'y:2024', 'y:2025', 'open']);
    expect(dateBuckets(Date.UTC(2020, 0, 1), Date.UTC(2023, 0, 1))!.length).toBe(1_099 + 38 + 5 + 1);
    expect(dateBuckets(Date.UTC(2020, 0, 1), Date.UTC(2025, 0, 1))).toBeUndefined();
  });

  it('finds the patient of a record from its own id, subject or patient reference, and only relative Patient references', () => {
    expect(patientReferenceOf({ resourceType: 'Patient', id: 'p1' })).toEqual({ id: 'p1', expression: 'Patient.id' });
    expect(patientReferenceOf({ resourceType: 'Observation', subject: { reference: 'Patient/p1' } })).toEqual({ id: 'p1', expression: 'Observation.subject' });
    expect(patientReferenceOf({ resourceType: 'Immunization', patient: { reference: 'Patient/p2' } })).toEqual({ id: 'p2', expression: 'Immunization.patient' });
    expect(patientReferenceOf({ resourceType: 'Observation', subject: { reference: 'https://elsewhere/fhir/Patient/p1' } })).toEqual({ expression: 'Observation.subject' });
    expect(patientReferenceOf({ resourceType: 'Observation', subject: { reference: 'Group/g1' } })).toEqual({ expression: 'Observation.subject' });
  });
});
