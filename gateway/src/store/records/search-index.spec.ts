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
        'category=http://terminology.hl7.org/CodeSystem/observation-category|laboratory',
        'category=laboratory',
        'code=2093-3',
        'code=http://loinc.org|2093-3',
        'code=local-7',
        'code=|local-7',
        'date=d:2025-03-01',
        'date=m:2025-03',
        'date=y:2025',
        'status=final',
      ].sort(),
    );
  });

  it('indexes a Patient by identifier and an Encounter period by every day, month and year it covers', () => {
    expect(indexEntries({ resourceType: 'Patient', identifier: [{ system: 'urn:mrn', value: 'A1' }] }).map((e) => `${e.name}=${e.value}`).sort()).toEqual(['identifier=A1', 'identifier=urn:mrn|A1']);
    const encounter = indexEntries({ resourceType: 'Encounter', status: 'finished', class: { code: 'AMB' }, period: { start: '2024-12-31T22:00:00Z', end: '2025-01-01T02:00:00Z' } });
    expect(encounter.filter((e) => e.name === 'date').map((e) => e.value).sort()).toEqual(['d:2024-12-31', 'd:2025-01-01', 'm:2024-12', 'm:2025-01', 'y:2024', 'y:2025']);
  });

  it('reads a date value as the range it denotes (FHIR R4 search: a date is a range)', () => {
    expect(dateRange('2025')).toEqual([Date.UTC(2025, 0, 1), Date.UTC(2026, 0, 1) - 1]);
    expect(dateRange('2025-02')).toEqual([Date.UTC(2025, 1, 1), Date.UTC(2025, 2, 1) - 1]);
    expect(dateRange('2025-02-03')).toEqual([Date.UTC(2025, 1, 3), Date.UTC(2025, 1, 4) - 1]);
    expect(dateRange('2025-02-03T04:05:06+02:00')).toEqual([Date.UTC(2025, 1, 3, 2, 5, 6), Date.UTC(2025, 1, 3, 2, 5, 6)]);
    expect(dateRange('soon')).toBeUndefined();
  });

  it('chooses day, month or year buckets with a one-day margin, or none for a range too wide to narrow', () => {
    expect(dateBuckets(Date.UTC(2025, 1, 3), Date.UTC(2025, 1, 4) - 1)).toEqual(['d:2025-02-02', 'd:2025-02-03', 'd:2025-02-04']);
    expect(dateBuckets(Date.UTC(2025, 0, 1), Date.UTC(2025, 2, 1) - 1)).toEqual(['m:2024-12', 'm:2025-01', 'm:2025-02', 'm:2025-03']);
    expect(dateBuckets(Date.UTC(2020, 0, 1), Date.UTC(2025, 0, 1))).toEqual(['y:2019', 'y:2020', 'y:2021', 'y:2022', 'y:2023', 'y:2024', 'y:2025']);
    expect(dateBuckets(Date.UTC(1700, 0, 1), Date.UTC(2025, 0, 1))).toBeUndefined();
  });

  it('finds the patient of a record from its own id, subject or patient reference, and only relative Patient references', () => {
    expect(patientReferenceOf({ resourceType: 'Patient', id: 'p1' })).toEqual({ id: 'p1', expression: 'Patient.id' });
    expect(patientReferenceOf({ resourceType: 'Observation', subject: { reference: 'Patient/p1' } })).toEqual({ id: 'p1', expression: 'Observation.subject' });
    expect(patientReferenceOf({ resourceType: 'Immunization', patient: { reference: 'Patient/p2' } })).toEqual({ id: 'p2', expression: 'Immunization.patient' });
    expect(patientReferenceOf({ resourceType: 'Observation', subject: { reference: 'https://elsewhere/fhir/Patient/p1' } })).toEqual({ expression: 'Observation.subject' });
    expect(patientReferenceOf({ resourceType: 'Observation', subject: { reference: 'Group/g1' } })).toEqual({ expression: 'Observation.subject' });
  });
});
