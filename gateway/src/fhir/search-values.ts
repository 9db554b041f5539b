import { badRequest } from '../common/index.js';
import { FHIR_ID } from './etag.js';
import type { SearchParamInfo } from './search-params.js';

/** The date prefixes the store answers (FHIR R4 search.html#prefix). */
export const DATE_PREFIXES: readonly string[] = ['eq', 'ne', 'lt', 'le', 'gt', 'ge'];

/** Prefixes FHIR defines that the gateway does not answer: named in the error, unlike unknown letters. */
const UNSUPPORTED_PREFIXES: ReadonlySet<string> = new Set(['sa', 'eb', 'ap']);

/** FHIR R4 date, dateTime or instant, the time's seconds and zone optional (FHIR R4 search.html#date). */
const DATE =
  /^\d{4}(?:-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12]\d|3[01])(?:T(?:[01]\d|2[0-3]):[0-5]\d(?::(?:[0-5]\d|60)(?:\.\d{1,9})?)?(?:Z|[+-](?:0\d|1[0-4]):[0-5]\d)?)?)?)?$/;

/** `<Type>/<id>` or `<id>` (FHIR R4 search.html#reference). */
const REFERENCE = /^(?:([A-Z][A-Za-z]{0,63})\/)?([^/]+)$/;

/**
 * Splits a parameter value at the commas that separate alternatives (FHIR R4 search.html#escaping: `\,` is a
 * literal comma and stays escaped in the value).
 */
export function splitValues(raw: string): string[] {
  return raw.split(/(?<!\\),/);
}

/** Index of the first `|` not escaped as `\|`, or -1. */
function unescapedBar(value: string): number {
  const match = /(?<!\\)\|/.exec(value);
  return match ? match.index : -1;
}

function token(info: SearchParamInfo, value: string): string {
  if (info.name === '_id') {
    if (!FHIR_ID.test(value)) throw badRequest('_id: expected ids of 1 to 64 of A-Z a-z 0-9 - .', '_id');
    return value;
  }
  const bar = unescapedBar(value);
  const system = bar < 0 ? '' : value.slice(0, bar);
  const code = bar < 0 ? value : value.slice(bar + 1);
  if ((bar < 0 && code === '') || (bar >= 0 && system === '' && code === '') || /\s/.test(system)) {
    throw badRequest(`${info.name}: expected [system]|code, |code, system| or code`, info.name);
  }
  return value;
}

function date(info: SearchParamInfo, value: string): string {
  const prefixed = /^([a-z]{2})(.*)$/.exec(value);
  const prefix = prefixed?.[1];
  // A "+" of a time zone arrives as a space when the client did not percent-encode it (RFC 3986 form decoding).
  const rest = (prefixed ? prefixed[2]! : value).replace(/(T[\d:.]+) (\d{2}:\d{2})$/, '$1+$2');
  if (prefix !== undefined && !DATE_PREFIXES.includes(prefix)) {
    const which = UNSUPPORTED_PREFIXES.has(prefix) ? `the prefix ${prefix} is not supported` : 'unknown prefix';
    throw badRequest(`${info.name}: ${which}; supported are ${DATE_PREFIXES.join(', ')}`, info.name);
  }
  if (!DATE.test(rest)) {
    throw badRequest(`${info.name}: expected [prefix]YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDThh:mm[:ss[.fff]][Z|±hh:mm]`, info.name);
  }
  return `${prefix ?? ''}${rest}`;
}

function reference(info: SearchParamInfo, value: string, base: string): string {
  const local = value.startsWith(`${base}/`) ? value.slice(base.length + 1) : value;
  const match = REFERENCE.exec(local);
  const targets = info.targets.join(', ');
  if (!match || !FHIR_ID.test(match[2]!)) {
    throw badRequest(`${info.name}: expected <type>/<id> or <id> of a resource on this server (type one of ${targets})`, info.name);
  }
  const [, type, id] = match;
  if (type !== undefined && info.targets.length > 0 && !info.targets.includes(type)) {
    throw badRequest(`${info.name}: the reference type is not one of ${targets}`, info.name);
  }
  // A bare id of a parameter with one target type means that type (FHIR R4 search.html#reference).
  if (type === undefined && info.targets.length === 1) return `${info.targets[0]}/${id}`;
  return type === undefined ? id! : `${type}/${id}`;
}

/**
 * Checks one value (one alternative) of a supported search parameter and returns it as the repository receives
 * it: tokens and dates as sent (a date with its prefix); references relative (`Patient/123`), with this server's
 * base removed and the type added when the parameter has only one target type.
 * @param base this server's FHIR base URL (`<PUBLIC_URL>/fhir`).
 * @throws OperationOutcomeError 400 naming the parameter and the expected form, never the value.
 */
export function normaliseValue(info: SearchParamInfo, value: string, base: string): string {
  if (value === '') throw badRequest(`${info.name}: expected a value`, info.name);
  switch (info.type) {
    case 'token':
      return token(info, value);
    case 'date':
      return date(info, value);
    case 'reference':
      return reference(info, value, base);
  }
}
