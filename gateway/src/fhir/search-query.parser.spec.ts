import { parseCriteria, parseSearch } from './search-query.parser.js';
import { outcomeOf } from './testing/outcome-of.js';

const base = 'https://fhir.example.org/fhir';
const lenient = { handling: 'lenient' as const, base };
const strict = { handling: 'strict' as const, base };
const entries = (query: string) => [...new URLSearchParams(query)];

describe('parsing search parameters into a SearchQuery (FHIR R4 search.html)', () => {
  it.each([
    ['_id=a1,b-2', { name: '_id', values: ['a1', 'b-2'] }],
    ['_lastUpdated=ge2024-01-01', { name: '_lastUpdated', values: ['ge2024-01-01'] }],
    ['patient=123', { name: 'patient', values: ['Patient/123'] }],
    ['patient=Patient/123', { name: 'patient', values: ['Patient/123'] }],
    ['patient=https://fhir.example.org/fhir/Patient/123', { name: 'patient', values: ['Patient/123'] }],
    ['subject=Patient/p1', { name: 'subject', values: ['Patient/p1'] }],
    ['subject=p1', { name: 'subject', values: ['p1'] }],
    ['code=http://loinc.org|4548-4', { name: 'code', values: ['http://loinc.org|4548-4'] }],
    ['code=|4548-4', { name: 'code', values: ['|4548-4'] }],
    ['code=4548-4', { name: 'code', values: ['4548-4'] }],
    ['code=http://loinc.org|', { name: 'code', values: ['http://loinc.org|'] }],
    ['code=http://loinc.org|4548-4,http://loinc.org|17856-6', { name: 'code', values: ['http://loinc.org|4548-4', 'http://loinc.org|17856-6'] }],
    ['code=a\\,b', { name: 'code', values: ['a\\,b'] }],
    ['date=2024', { name: 'date', values: ['2024'] }],
    ['date=eq2024-03', { name: 'date', values: ['eq2024-03'] }],
    ['date=ne2024-03-01', { name: 'date', values: ['ne2024-03-01'] }],
    ['date=lt2024-03-01T10:00', { name: 'date', values: ['lt2024-03-01T10:00'] }],
    ['date=le2024-03-01T10:00:00Z', { name: 'date', values: ['le2024-03-01T10:00:00Z'] }],
    ['date=gt2024-03-01T10:00:00.123%2B01:00', { name: 'date', values: ['gt2024-03-01T10:00:00.123+01:00'] }],
    ['date=ge2024-03-01T10:00:00+01:00', { name: 'date', values: ['ge2024-03-01T10:00:00+01:00'] }],
    ['category=http://terminology.hl7.org/CodeSystem/observation-category|laboratory', { name: 'category', values: ['http://terminology.hl7.org/CodeSystem/observation-category|laboratory'] }],
    ['status=final,amended', { name: 'status', values: ['final', 'amended'] }],
    ['identifier=urn:oid:1.2.3|A-77', { name: 'identifier', values: ['urn:oid:1.2.3|A-77'] }],
  ])('reads %s', (query, param) => {
    expect(parseSearch('Observation', entries(query), strict).query.params).toEqual([param]);
  });

  it('ANDs repeated names and keeps the paging, sort, include and cursor controls apart', () => {
    const { query, used, warnings } = parseSearch('Observation', entries('date=ge2024-01-01&date=lt2025-01-01&_count=50&_sort=-date&_include=Observation:subject&_cursor=c2&_format=json'), strict);
    expect(query).toEqual({
      resourceType: 'Observation',
      params: [
        { name: 'date', values: ['ge2024-01-01'] },
        { name: 'date', values: ['lt2025-01-01'] },
      ],
      count: 50,
      sort: '-date',
      include: ['Observation:subject'],
      cursor: 'c2',
    });
    expect(used).toEqual([
      ['date', 'ge2024-01-01'],
      ['date', 'lt2025-01-01'],
      ['_count', '50'],
      ['_sort', '-date'],
      ['_include', 'Observation:subject'],
      ['_cursor', 'c2'],
      ['_format', 'json'],
    ]);
    expect(warnings).toEqual([]);
  });

  it('pages 20 by default and caps _count at 200 with a warning', () => {
    expect(parseSearch('Observation', [], lenient).query).toEqual({ resourceType: 'Observation', params: [], count: 20, include: [] });
    const capped = parseSearch('Observation', entries('_count=1000'), strict);
    expect(capped.query.count).toBe(200);
    expect(capped.used).toEqual([['_count', '200']]);
    expect(capped.warnings).toEqual([{ severity: 'warning', code: 'value', diagnostics: '_count: above the maximum of 200; pages hold at most 200', expression: ['_count'] }]);
  });

  it.each([
    ['_count=0', '400 invalid: _count: expected an integer from 1 to 200 @ _count'],
    ['_count=ten', '400 invalid: _count: expected an integer from 1 to 200 @ _count'],
    ['_count=-1', '400 invalid: _count: expected an integer from 1 to 200 @ _count'],
    ['_count=5&_count=6', '400 invalid: _count: expected at most one _count parameter @ _count'],
    ['_cursor=', '400 invalid: _cursor: expected the cursor of a next link @ _cursor'],
    ['date=sa2024', '400 invalid: date: the prefix sa is not supported; supported are eq, ne, lt, le, gt, ge @ date'],
    ['date=eb2024', '400 invalid: date: the prefix eb is not supported; supported are eq, ne, lt, le, gt, ge @ date'],
    ['date=ap2024', '400 invalid: date: the prefix ap is not supported; supported are eq, ne, lt, le, gt, ge @ date'],
    ['date=xy2024', '400 invalid: date: unknown prefix; supported are eq, ne, lt, le, gt, ge @ date'],
    ['date=2024-13-01', '400 invalid: date: expected [prefix]YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDThh:mm[:ss[.fff]][Z|±hh:mm] @ date'],
    ['_lastUpdated=ge01/02/2024', '400 invalid: _lastUpdated: expected [prefix]YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDThh:mm[:ss[.fff]][Z|±hh:mm] @ _lastUpdated'],
    ['date=', '400 invalid: date: expected a value @ date'],
    ['code=', '400 invalid: code: expected a value @ code'],
    ['code=|', '400 invalid: code: expected [system]|code, |code, system| or code @ code'],
    ['code=a,,b', '400 invalid: code: expected a value @ code'],
    ['_id=has space', '400 invalid: _id: expected ids of 1 to 64 of A-Z a-z 0-9 - . @ _id'],
    ['patient=Practitioner/1', '400 invalid: patient: the reference type is not one of Patient @ patient'],
    ['subject=http://other.example.org/fhir/Patient/1', '400 invalid: subject: expected <type>/<id> or <id> of a resource on this server (type one of Group, Device, Patient, Location) @ subject'],
    ['patient=Patient/1/_history/2', '400 invalid: patient: expected <type>/<id> or <id> of a resource on this server (type one of Patient) @ patient'],
  ])('answers %s with %s', (query, expected) => {
    expect(outcomeOf(() => parseSearch('Observation', entries(query), lenient))).toBe(expected);
  });

  it('never repeats a value in an error, only the parameter name', () => {
    for (const query of ['date=ge1970-SECRET', 'code=SECRET|', 'patient=Patient/SECRET!', '_id=SECRET!']) {
      expect(outcomeOf(() => parseSearch('Observation', entries(query), lenient))).not.toContain('SECRET');
    }
  });

  describe('unknown and unsupported parameters', () => {
    const query = 'code=x&value-quantity=5&code:text=diabetes&_summary=count&_elements=id&status:missing=true';

    it('ignores them under lenient handling and names them, names only, in one warning', () => {
      const parsed = parseSearch('Observation', entries(query), lenient);
      expect(parsed.query.params).toEqual([{ name: 'code', values: ['x'] }]);
      expect(parsed.used).toEqual([['code', 'x']]);
      expect(parsed.warnings).toEqual([
        {
          severity: 'warning',
          code: 'not-supported',
          diagnostics:
            'ignored unknown or unsupported search parameters: value-quantity, code:text, _summary, _elements, status:missing (supported for Observation: _id, _lastUpdated, patient, subject, code, date, category, status, identifier, _count, _sort, _include, _cursor, _format)',
          expression: ['value-quantity', 'code:text', '_summary', '_elements', 'status:missing'],
        },
      ]);
      expect(JSON.stringify(parsed.warnings)).not.toContain('diabetes');
    });

    it('refuses them with 400 under Prefer: handling=strict', () => {
      expect(outcomeOf(() => parseSearch('Observation', entries(query), strict))).toBe(
        '400 not-supported: unknown or unsupported search parameters: value-quantity, code:text, _summary, _elements, status:missing (supported for Observation: _id, _lastUpdated, patient, subject, code, date, category, status, identifier, _count, _sort, _include, _cursor, _format) @ value-quantity, code:text, _summary, _elements, status:missing',
      );
    });

    it('describes a parameter name that is not name-shaped instead of repeating it', () => {
      expect(outcomeOf(() => parseSearch('Patient', entries('Jane%20Doe%20born%201970=1'), strict))).toMatch(/^400 not-supported: unknown or unsupported search parameters: \(a malformed parameter name\) /);
    });

    it('treats parameters of other types as unknown: Patient has no code, date, status or subject', () => {
      const parsed = parseSearch('Patient', entries('code=x&date=2024&identifier=sys|1&birthdate=1970'), lenient);
      expect(parsed.query.params).toEqual([{ name: 'identifier', values: ['sys|1'] }]);
      expect(parsed.warnings[0]!.expression).toEqual(['code', 'date', 'birthdate']);
    });

    it.each([
      ['Observation', '_sort=code', '_sort supports date, -date, _lastUpdated, -_lastUpdated for Observation'],
      ['Patient', '_sort=-date', '_sort supports _lastUpdated, -_lastUpdated for Patient'],
      ['Observation', '_sort=date,-_lastUpdated', '_sort supports date, -date, _lastUpdated, -_lastUpdated for Observation'],
      ['Observation', '_include=Observation:performer', '_include supports Observation:patient, Observation:subject for Observation'],
      ['Patient', '_include=Patient:organization', '_include supports nothing for Patient'],
    ] as const)('on %s, treats %s as unsupported: a warning when lenient, a 400 when strict', (type, query, note) => {
      const parsed = parseSearch(type, entries(query), lenient);
      expect(parsed.query.sort).toBeUndefined();
      expect(parsed.query.include).toEqual([]);
      expect(parsed.used).toEqual([]);
      expect(parsed.warnings[0]!.diagnostics).toContain(`; ${note}`);
      expect(outcomeOf(() => parseSearch(type, entries(query), strict))).toContain(`; ${note})`);
    });
  });
});

describe('parsing conditional create criteria (If-None-Exist, FHIR R4 http.html#ccreate)', () => {
  it('reads supported parameters as SearchParams', () => {
    expect(parseCriteria('Patient', 'identifier=http://hospital.example.org/mrn|123', base, 'If-None-Exist')).toEqual([{ name: 'identifier', values: ['http://hospital.example.org/mrn|123'] }]);
    expect(parseCriteria('Observation', '?identifier=a|1&patient=Patient/9', base, 'If-None-Exist')).toEqual([
      { name: 'identifier', values: ['a|1'] },
      { name: 'patient', values: ['Patient/9'] },
    ]);
  });

  it.each([
    ['', '400 invalid: If-None-Exist: expected search criteria such as identifier=<system>|<value> @ If-None-Exist'],
    ['_count=1', '400 invalid: If-None-Exist: _count is not a search criterion @ If-None-Exist'],
    ['identifier=a|1&_sort=date', '400 invalid: If-None-Exist: _sort is not a search criterion @ If-None-Exist'],
    ['name=Jane', '400 not-supported: If-None-Exist: unknown or unsupported search parameters: name (supported for Patient: _id, _lastUpdated, identifier, _count, _sort, _include, _cursor, _format) @ If-None-Exist'],
    ['identifier=', '400 invalid: If-None-Exist: identifier: expected a value @ If-None-Exist'],
  ])('answers %j with %s, strictly', (criteria, expected) => {
    expect(outcomeOf(() => parseCriteria('Patient', criteria, base, 'If-None-Exist'))).toBe(expected);
  });
});
