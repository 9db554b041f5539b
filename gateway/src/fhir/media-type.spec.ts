import { assertAcceptsJson, assertBodyMediaType, assertJsonFormat, RESOURCE_BODY_TYPES, SEARCH_FORM_TYPES } from './media-type.js';
import { outcomeOf } from './testing/outcome-of.js';

describe('media types of the FHIR API (FHIR R4 http.html#mime)', () => {
  it.each(['application/fhir+json', 'application/json', 'application/fhir+json; charset=UTF-8', 'application/json;charset=utf-8', 'Application/FHIR+JSON; fhirVersion=4.0'])(
    'accepts a resource body of type %j',
    (type) => {
      expect(outcomeOf(() => assertBodyMediaType(type, RESOURCE_BODY_TYPES))).toBe('ok');
    },
  );

  it.each([
    ['text/plain', '415 not-supported: unsupported Content-Type text/plain: expected application/fhir+json or application/json'],
    ['application/fhir+xml', '415 not-supported: unsupported Content-Type application/fhir+xml: expected application/fhir+json or application/json'],
    ['application/fhir+json; charset=iso-8859-1', '415 not-supported: unsupported charset in Content-Type application/fhir+json: expected utf-8'],
    [undefined, '415 not-supported: request body without a Content-Type: expected application/fhir+json or application/json'],
    ['json', '415 not-supported: malformed Content-Type: expected application/fhir+json or application/json'],
  ])('refuses a resource body of type %j with %s', (type, expected) => {
    expect(outcomeOf(() => assertBodyMediaType(type, RESOURCE_BODY_TYPES))).toBe(expected);
  });

  it('accepts only a form for _search', () => {
    expect(outcomeOf(() => assertBodyMediaType('application/x-www-form-urlencoded', SEARCH_FORM_TYPES))).toBe('ok');
    expect(outcomeOf(() => assertBodyMediaType('application/json', SEARCH_FORM_TYPES))).toBe('415 not-supported: unsupported Content-Type application/json: expected application/x-www-form-urlencoded');
  });

  it.each([[['json']], [['application/fhir+json']], [['application/json']], [['application/fhir+json;charset=utf-8']], [[]]])('accepts _format %j', (formats) => {
    expect(outcomeOf(() => assertJsonFormat(formats))).toBe('ok');
  });

  it.each([
    ['xml', '406 not-supported: _format: XML is not supported; this server produces only json (application/fhir+json) @ _format'],
    ['application/fhir+xml', '406 not-supported: _format: XML is not supported; this server produces only json (application/fhir+json) @ _format'],
    ['turtle', '406 not-supported: _format: unsupported _format; this server produces only json (application/fhir+json) @ _format'],
  ])('refuses _format %j with %s', (format, expected) => {
    expect(outcomeOf(() => assertJsonFormat([format]))).toBe(expected);
  });

  it.each(['application/fhir+json', 'application/json', '*/*', 'application/*', 'text/html,application/xhtml+xml,*/*;q=0.8', undefined])('accepts Accept %j', (accept) => {
    expect(outcomeOf(() => assertAcceptsJson(accept))).toBe('ok');
  });

  it.each(['application/fhir+xml', 'application/xml, text/html', 'application/fhir+json;q=0'])('refuses Accept %j with 406', (accept) => {
    expect(outcomeOf(() => assertAcceptsJson(accept))).toBe('406 not-supported: Accept: this server produces only application/fhir+json (or application/json)');
  });
});
