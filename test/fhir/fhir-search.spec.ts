import type { Client } from 'fhir-kit-client';
import { startGateway, type StartedGateway } from '../support/gateway.js';
import { hospitalAccessToken } from '../support/oidc.js';
import { allPages, failureOf, fhirClient, matchIds, type FhirBundle, type StoredFhirResource } from '../support/fhir.js';

const CATEGORY = 'http://terminology.hl7.org/CodeSystem/observation-category';
const UNKNOWN_NAMES = 'supported for Observation: _id, _lastUpdated, patient, subject, code, date, category, status, identifier, _count, _sort, _include, _cursor, _format';

/** Three Observations of Patient/search-1 on three days, each different in code, category, status and identifier. */
const FIXTURES = [
  { day: '2025-03-01T10:00:00Z', code: '8867-4', category: 'vital-signs', status: 'final' },
  { day: '2025-03-02T10:00:00Z', code: '2093-3', category: 'laboratory', status: 'final' },
  { day: '2025-03-03T10:00:00Z', code: '8867-4', category: 'laboratory', status: 'amended' },
];
const CREATION_ORDER = [1, 0, 2];
/** Writes a few milliseconds apart get distinct meta.lastUpdated values (the default order and _lastUpdated rely on them). */
const tick = () => new Promise((resolve) => setTimeout(resolve, 3));

const observation = (subject: string, i: number, day: string, code: string, category: string, status: string) => ({
  resourceType: 'Observation',
  status,
  identifier: [{ system: 'urn:search', value: `${subject}-${i}` }],
  category: [{ coding: [{ system: CATEGORY, code: category }] }],
  code: { coding: [{ system: 'http://loinc.org', code }] },
  subject: { reference: `Patient/${subject}` },
  effectiveDateTime: day,
});

describe('search (hospital system through fhir-kit-client)', () => {
  let gateway: StartedGateway;
  let fhir: Client;
  /** The ids of FIXTURES, in order. */
  const ids: string[] = [];
  let other: StoredFhirResource;
  let patient: StoredFhirResource;

  const search = async (searchParams: Record<string, string | string[]>, headers: Record<string, string> = {}) =>
    (await fhir.search({ resourceType: 'Observation', searchParams, options: { headers } })) as unknown as FhirBundle;
  /** Which FIXTURES a search of Patient/search-1 matched, by index, in the order returned. */
  const inOrder = async (searchParams: Record<string, string | string[]>) => matchIds(await search({ patient: 'search-1', ...searchParams })).map((id) => ids.indexOf(id));
  /** Which FIXTURES a search of Patient/search-1 matched, by index, ascending. */
  const which = async (searchParams: Record<string, string | string[]>) => (await inOrder(searchParams)).sort((a, b) => a - b);

  beforeAll(async () => {
    gateway = await startGateway();
    fhir = fhirClient(gateway.baseUrl, await hospitalAccessToken(gateway));
    patient = (await fhir.update({ resourceType: 'Patient', id: 'search-1', body: { resourceType: 'Patient', id: 'search-1', gender: 'other' } })) as unknown as StoredFhirResource;
    await fhir.update({ resourceType: 'Patient', id: 'search-2', body: { resourceType: 'Patient', id: 'search-2' } });
    // Written out of date order, so that sorting by date differs from the default order (oldest write first).
    for (const i of CREATION_ORDER) {
      const f = FIXTURES[i]!;
      ids[i] = ((await fhir.create({ resourceType: 'Observation', body: observation('search-1', i, f.day, f.code, f.category, f.status) })) as unknown as StoredFhirResource).id;
      await tick();
    }
    other = (await fhir.create({ resourceType: 'Observation', body: observation('search-2', 0, '2025-03-02T10:00:00Z', '2093-3', 'laboratory', 'final') })) as unknown as StoredFhirResource;
  });
  afterAll(async () => gateway.close());

  it('finds by _id', async () => {
    const bundle = await search({ _id: ids[1]! });
    expect([bundle.type, bundle.total, matchIds(bundle)]).toEqual(['searchset', 1, [ids[1]]]);
    expect(matchIds(await search({ _id: `${ids[0]},${other.id}` }))).toEqual([ids[0], other.id]);
  });

  it('finds by _lastUpdated with a prefix', async () => {
    // FIXTURES[0] was the second write (CREATION_ORDER).
    const second = (await fhir.read({ resourceType: 'Observation', id: ids[0]! })) as unknown as StoredFhirResource;
    expect(await which({ _lastUpdated: `ge${second.meta.lastUpdated}` })).toEqual([0, 2]);
    expect(await which({ _lastUpdated: `gt${second.meta.lastUpdated}` })).toEqual([2]);
    expect(await which({ _lastUpdated: `lt${second.meta.lastUpdated}` })).toEqual([1]);
    expect(await which({ _lastUpdated: `le${second.meta.lastUpdated}` })).toEqual([0, 1]);
  });

  it('finds by patient and by subject, as an id or as Patient/<id>, and only that patient', async () => {
    for (const params of [{ patient: 'search-1' }, { patient: 'Patient/search-1' }, { subject: 'Patient/search-1' }, { subject: `${gateway.baseUrl}/fhir/Patient/search-1` }] as Record<string, string>[]) {
      expect({ params, ids: matchIds(await search(params)) }).toEqual({ params, ids: CREATION_ORDER.map((i) => ids[i]) });
    }
    expect(matchIds(await search({ subject: 'Patient/search-2' }))).toEqual([other.id]);
  });

  it('finds by code as system|code and as code alone', async () => {
    expect(await which({ code: 'http://loinc.org|8867-4' })).toEqual([0, 2]);
    expect(await which({ code: '2093-3' })).toEqual([1]);
    expect(await which({ code: 'http://snomed.info/sct|8867-4' })).toEqual([]);
    expect(await which({ code: '8867-4,2093-3' })).toEqual([0, 1, 2]);
  });

  it.each([
    ['eq', [1]],
    ['ne', [0, 2]],
    ['lt', [0]],
    ['le', [0, 1]],
    ['gt', [2]],
    ['ge', [1, 2]],
  ])('finds by date with the prefix %s', async (prefix, expected) => {
    expect(await which({ date: `${prefix}2025-03-02` })).toEqual(expected);
  });

  it('finds by a date range of two prefixed values, by category, by status and by identifier', async () => {
    expect(await which({ date: ['ge2025-03-02', 'lt2025-03-03'] })).toEqual([1]);
    expect(await which({ category: `${CATEGORY}|laboratory` })).toEqual([1, 2]);
    expect(await which({ category: 'vital-signs' })).toEqual([0]);
    expect(await which({ status: 'amended' })).toEqual([2]);
    expect(await which({ identifier: 'urn:search|search-1-1' })).toEqual([1]);
    expect(matchIds(await search({ identifier: 'urn:search|search-2-0' }))).toEqual([other.id]);
  });

  it('sorts by date ascending and descending', async () => {
    expect(await inOrder({})).toEqual(CREATION_ORDER);
    expect(await inOrder({ _sort: 'date' })).toEqual([0, 1, 2]);
    expect(await inOrder({ _sort: '-date' })).toEqual([2, 1, 0]);
  });

  it('includes the subject Patient with _include=Observation:subject', async () => {
    const bundle = await search({ _id: ids[0]!, _include: 'Observation:subject' });
    expect(bundle.total).toBe(1);
    expect(bundle.entry!.map((e) => [e.search!.mode, e.resource!.resourceType, e.resource!.id])).toEqual([
      ['match', 'Observation', ids[0]],
      ['include', 'Patient', 'search-1'],
    ]);
    expect(bundle.entry![1]!.resource).toEqual(patient);
  });

  it('pages with _count through next links that fhir-kit-client follows to the end', async () => {
    await fhir.update({ resourceType: 'Patient', id: 'search-paged', body: { resourceType: 'Patient', id: 'search-paged' } });
    const created: string[] = [];
    for (let i = 0; i < 7; i += 1) {
      created.push(((await fhir.create({ resourceType: 'Observation', body: observation('search-paged', i, `2025-04-0${i + 1}`, '8867-4', 'vital-signs', 'final') })) as unknown as StoredFhirResource).id);
      await tick();
    }
    const pages = await allPages(fhir, await search({ patient: 'search-paged', _count: '3' }));
    expect(pages.map((p) => [p.total, matchIds(p).length, p.link!.some((l) => l.relation === 'next')])).toEqual([
      [7, 3, true],
      [7, 3, true],
      [7, 1, false],
    ]);
    expect(pages.flatMap(matchIds)).toEqual(created);
  });

  it('ignores an unknown parameter with a warning entry under lenient handling', async () => {
    const bundle = await search({ _id: ids[0]!, colour: 'red' });
    expect(matchIds(bundle)).toEqual([ids[0]]);
    expect(bundle.entry!.filter((e) => e.search!.mode === 'outcome')).toEqual([
      {
        resource: { resourceType: 'OperationOutcome', issue: [{ severity: 'warning', code: 'not-supported', diagnostics: `ignored unknown or unsupported search parameters: colour (${UNKNOWN_NAMES})`, expression: ['colour'] }] },
        search: { mode: 'outcome' },
      },
    ]);
    expect(bundle.link!.find((l) => l.relation === 'self')!.url).toBe(`${gateway.baseUrl}/fhir/Observation?_id=${ids[0]}`);
  });

  it('answers an unknown parameter with 400 under Prefer: handling=strict', async () => {
    expect(await failureOf(search({ _id: ids[0]!, colour: 'red' }, { prefer: 'handling=strict' }))).toEqual({
      status: 400,
      data: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-supported', diagnostics: `unknown or unsupported search parameters: colour (${UNKNOWN_NAMES})`, expression: ['colour'] }] },
    });
  });
});
