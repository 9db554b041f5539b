import { notAcceptable, unsupportedMediaType } from '../common/index.js';

/** The Content-Type of every FHIR response (FHIR R4 http.html#mime). */
export const FHIR_JSON_UTF8 = 'application/fhir+json; charset=utf-8';

/** Body types accepted for resources and Bundles (FHIR R4 http.html#mime: the FHIR type, and plain JSON). */
export const RESOURCE_BODY_TYPES: readonly string[] = ['application/fhir+json', 'application/json'];

/** Body type of `POST [type]/_search` (FHIR R4 http.html#search: "application/x-www-form-urlencoded"). */
export const SEARCH_FORM_TYPES: readonly string[] = ['application/x-www-form-urlencoded'];

/** RFC 9110 §8.3.1 media type: `type/subtype` of tchar, then parameters. */
const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
const ESSENCE = new RegExp(`^${TOKEN}/${TOKEN}$`);

/** A parsed media type: lower-cased `type/subtype` and its parameters (names lower-cased). */
export interface MediaType {
  readonly essence: string;
  readonly params: ReadonlyMap<string, string>;
}

/** Parses `type/subtype; name=value; …` (RFC 9110 §8.3.1); undefined when malformed. */
export function parseMediaType(header: string): MediaType | undefined {
  const [head = '', ...rest] = header.split(';');
  const essence = head.trim().toLowerCase();
  if (!ESSENCE.test(essence)) return undefined;
  const params = new Map<string, string>();
  for (const part of rest) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    params.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1'));
  }
  return { essence, params };
}

/**
 * Checks the Content-Type of a request body against the types a route accepts (with or without charset; FHIR
 * R4 http.html#mime: the character encoding is always UTF-8).
 * @throws OperationOutcomeError 415 naming the type received and the types accepted.
 */
export function assertBodyMediaType(header: string | undefined, accepted: readonly string[]): void {
  const expected = `expected ${accepted.join(' or ')}`;
  if (header === undefined || header.trim() === '') throw unsupportedMediaType(`request body without a Content-Type: ${expected}`);
  const type = parseMediaType(header);
  if (!type) throw unsupportedMediaType(`malformed Content-Type: ${expected}`);
  if (!accepted.includes(type.essence)) throw unsupportedMediaType(`unsupported Content-Type ${type.essence}: ${expected}`);
  const charset = type.params.get('charset')?.toLowerCase();
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    throw unsupportedMediaType(`unsupported charset in Content-Type ${type.essence}: expected utf-8`);
  }
}

const JSON_FORMATS: ReadonlySet<string> = new Set(['json', 'application/json', 'application/fhir+json']);
const XML_FORMATS: ReadonlySet<string> = new Set(['xml', 'text/xml', 'application/xml', 'application/fhir+xml']);

/**
 * Checks the `_format` parameter (FHIR R4 http.html#mime: it overrides Accept): JSON passes; XML and every other
 * format the gateway cannot produce are 406.
 * @throws OperationOutcomeError 406 naming the accepted formats.
 */
export function assertJsonFormat(formats: readonly string[]): void {
  for (const format of formats) {
    const essence = parseMediaType(format)?.essence ?? format.trim().toLowerCase();
    if (JSON_FORMATS.has(essence)) continue;
    const what = XML_FORMATS.has(essence) ? 'XML is not supported' : 'unsupported _format';
    throw notAcceptable(`_format: ${what}; this server produces only json (application/fhir+json)`, '_format');
  }
}

/**
 * Checks an Accept header (RFC 9110 §12.5.1) can be met with JSON: some range with q > 0 must cover
 * application/fhir+json or application/json. A missing header accepts anything.
 * @throws OperationOutcomeError 406.
 */
export function assertAcceptsJson(header: string | undefined): void {
  if (header === undefined || header.trim() === '') return;
  for (const range of header.split(',')) {
    const type = parseMediaType(range);
    if (!type) continue;
    const q = Number(type.params.get('q') ?? '1');
    if (!(q > 0)) continue;
    const [main, sub] = type.essence.split('/') as [string, string];
    if (main === '*' || (main === 'application' && (sub === '*' || sub === 'json' || sub === 'fhir+json'))) return;
  }
  throw notAcceptable('Accept: this server produces only application/fhir+json (or application/json)');
}
