import { etagOf, httpDate, parseIfMatch } from './etag.js';
import { outcomeOf } from './testing/outcome-of.js';

describe('versions in HTTP headers (FHIR R4 http.html#versioning, #concurrency)', () => {
  it('writes the weak ETag W/"<versionId>" and Last-Modified as an HTTP date', () => {
    expect(etagOf('3')).toBe('W/"3"');
    expect(httpDate('2024-03-01T10:20:30.456Z')).toBe('Fri, 01 Mar 2024 10:20:30 GMT');
  });

  it.each([
    ['W/"3"', '3'],
    ['"3"', '3'],
    [' W/"v-1.2" ', 'v-1.2'],
    ['*', undefined],
    [undefined, undefined],
    [['W/"7"'], '7'],
  ])('reads If-Match %j as version %j', (header, version) => {
    expect(parseIfMatch(header)).toBe(version);
  });

  it.each(['W/3', '3', 'W/""', 'W/"a b"', 'W/"1", W/"2"', '', 'W/"' + 'x'.repeat(65) + '"'])('refuses If-Match %j with 400 naming the expected form', (header) => {
    expect(outcomeOf(() => parseIfMatch(header))).toBe('400 invalid: If-Match: expected one version as W/"<versionId>" (versionId: 1 to 64 of A-Z a-z 0-9 - .) @ If-Match');
  });

  it('refuses two If-Match headers', () => {
    expect(outcomeOf(() => parseIfMatch(['W/"1"', 'W/"2"']))).toMatch(/^400 invalid: If-Match: expected one version/);
  });
});
