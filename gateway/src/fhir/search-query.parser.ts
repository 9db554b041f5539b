import { badRequest, OperationOutcomeError, type OperationOutcomeIssue } from '../common/index.js';
import type { SearchParam, SearchQuery } from '../store/index.js';
import type { Handling } from './prefer.js';
import { searchParamInfo, SUPPORTED_SEARCH_PARAMS, supportedIncludes } from './search-params.js';
import { normaliseValue, splitValues } from './search-values.js';
import type { SupportedResourceType } from './supported-types.js';

/** Page size when the client sends no `_count` (FHIR R4 search.html#count). */
export const DEFAULT_COUNT = 20;
/** The most one page holds: a larger `_count` is capped (servers may return fewer than asked, FHIR R4 search.html#count). */
export const MAX_COUNT = 200;
/** Values of one parameter (ORed with commas) and search parameters per search: beyond these, 400. */
export const MAX_VALUES = 100;
export const MAX_PARAMS = 30;

/** `_sort` keys the store orders by (FHIR R4 search.html#sort); `date` only where the type has that parameter. */
const SORT_KEYS = ['date', '-date', '_lastUpdated', '-_lastUpdated'];

/** A parameter name as it may appear in a message (names only, never values; odd names are described). */
const NAME = /^[A-Za-z0-9_.:-]{1,64}$/;
const nameOf = (name: string): string => (NAME.test(name) ? name : '(a malformed parameter name)');

/** A search as parsed from a query string or form body. */
export interface ParsedSearch {
  readonly query: SearchQuery;
  /** Warnings for the searchset's outcome entry (FHIR R4 search.html#errors: lenient handling). */
  readonly warnings: readonly OperationOutcomeIssue[];
  /** The parameters actually used, in the order received, for the Bundle's self and next links. */
  readonly used: readonly (readonly [string, string])[];
}

/** What the caller controls besides the parameters. */
export interface SearchOptions {
  readonly handling: Handling;
  /** This server's FHIR base URL (`<PUBLIC_URL>/fhir`): references to it are made relative. */
  readonly base: string;
}

class Refusals {
  readonly names: string[] = [];
  readonly notes: string[] = [];
}

function single(name: string, values: readonly string[]): string {
  if (values.length !== 1) throw badRequest(`${name}: expected at most one ${name} parameter`, name);
  return values[0]!;
}

/** `_count`: an integer from 1; above {@link MAX_COUNT} the page is capped with a warning. */
function parseCount(raw: string, warnings: OperationOutcomeIssue[]): number {
  if (!/^\d{1,9}$/.test(raw) || Number(raw) < 1) throw badRequest(`_count: expected an integer from 1 to ${MAX_COUNT}`, '_count');
  if (Number(raw) <= MAX_COUNT) return Number(raw);
  warnings.push({ severity: 'warning', code: 'value', diagnostics: `_count: above the maximum of ${MAX_COUNT}; pages hold at most ${MAX_COUNT}`, expression: ['_count'] });
  return MAX_COUNT;
}

/**
 * Parses search parameters (FHIR R4 search.html) into the repository's {@link SearchQuery}. Supported are the
 * parameters of {@link SUPPORTED_SEARCH_PARAMS} without modifiers, and `_count`, `_sort`, `_include`, `_cursor`,
 * `_format`. Anything else (unknown names, modifiers such as `:missing` or `:text`, `_summary`, `_elements`,
 * unsupported `_sort` keys or `_include` targets) is, under `Prefer: handling=strict`, a 400 naming it; under
 * lenient handling (the default) it is ignored and named in a warning (FHIR R4 search.html#errors).
 * @throws OperationOutcomeError 400 for malformed values of supported parameters (whatever the handling).
 */
export function parseSearch(type: SupportedResourceType, entries: readonly (readonly [string, string])[], options: SearchOptions): ParsedSearch {
  const warnings: OperationOutcomeIssue[] = [];
  const refused = new Refusals();
  const params: SearchParam[] = [];
  const used: [string, string][] = [];
  const control = (name: string) => entries.filter(([n]) => n === name).map(([, v]) => v);

  const countRaw = control('_count');
  const count = countRaw.length === 0 ? DEFAULT_COUNT : parseCount(single('_count', countRaw), warnings);
  const cursors = control('_cursor');
  const cursor = cursors.length === 0 ? undefined : single('_cursor', cursors);
  if (cursor !== undefined && (cursor === '' || cursor.length > 2048)) throw badRequest('_cursor: expected the cursor of a next link', '_cursor');
  const sorts = control('_sort');
  const sortKeys = SORT_KEYS.filter((key) => key.endsWith('_lastUpdated') || SUPPORTED_SEARCH_PARAMS[type].includes('date'));
  let sort: string | undefined;
  if (sorts.length > 0) {
    const key = single('_sort', sorts);
    if (sortKeys.includes(key)) sort = key;
    else {
      refused.names.push('_sort');
      refused.notes.push(`_sort supports ${sortKeys.join(', ')} for ${type}`);
    }
  }
  const includes: string[] = [];
  const allowedIncludes = supportedIncludes(type);
  for (const value of control('_include')) {
    if (allowedIncludes.includes(value)) includes.push(value);
    else {
      refused.names.push('_include');
      refused.notes.push(`_include supports ${allowedIncludes.length > 0 ? allowedIncludes.join(', ') : 'nothing'} for ${type}`);
    }
  }

  for (const [name, raw] of entries) {
    if (name === '') continue;
    if (name === '_count') used.push([name, String(count)]);
    else if (name === '_cursor' || name === '_format') used.push([name, raw]);
    else if (name === '_sort') {
      if (sort === raw) used.push([name, raw]);
    } else if (name === '_include') {
      if (includes.includes(raw)) used.push([name, raw]);
    } else {
      const info = name.includes(':') ? undefined : searchParamInfo(type, name);
      if (!info) {
        refused.names.push(name);
        continue;
      }
      const values = splitValues(raw);
      if (values.length > MAX_VALUES) throw badRequest(`${name}: expected at most ${MAX_VALUES} values (ORed with commas), got ${values.length}`, name);
      params.push({ name, values: values.map((value) => normaliseValue(info, value, options.base)) });
      used.push([name, raw]);
    }
  }

  if (params.length > MAX_PARAMS) throw badRequest(`expected at most ${MAX_PARAMS} search parameters, got ${params.length}`);
  const names = [...new Set(refused.names.map(nameOf))];
  if (names.length > 0) {
    const notes = [...new Set(refused.notes)].map((n) => `; ${n}`).join('');
    const supported = `supported for ${type}: ${SUPPORTED_SEARCH_PARAMS[type].join(', ')}, _count, _sort, _include, _cursor, _format`;
    if (options.handling === 'strict') {
      throw new OperationOutcomeError(400, {
        resourceType: 'OperationOutcome',
        issue: [{ severity: 'error', code: 'not-supported', diagnostics: `unknown or unsupported search parameters: ${names.join(', ')} (${supported}${notes})`, expression: names }],
      });
    }
    warnings.push({ severity: 'warning', code: 'not-supported', diagnostics: `ignored unknown or unsupported search parameters: ${names.join(', ')} (${supported}${notes})`, expression: names });
  }
  const query: SearchQuery = { resourceType: type, params, count, include: includes, ...(cursor !== undefined ? { cursor } : {}), ...(sort !== undefined ? { sort } : {}) };
  return { query, warnings, used };
}

/**
 * Parses the criteria of a conditional create (`If-None-Exist` header or `Bundle.entry.request.ifNoneExist`;
 * FHIR R4 http.html#ccreate): a query string of supported search parameters only, handled strictly, since
 * ignoring a criterion would match the wrong resource.
 * @param where the header or element, used as the expression of every error.
 * @throws OperationOutcomeError 400.
 */
export function parseCriteria(type: SupportedResourceType, queryString: string, base: string, where: string): SearchParam[] {
  const entries = [...new URLSearchParams(queryString.replace(/^\?/, ''))].filter(([name]) => name !== '');
  if (entries.length === 0) throw badRequest(`${where}: expected search criteria such as identifier=<system>|<value>`, where);
  const control = entries.find(([name]) => name.startsWith('_') && name !== '_id' && name !== '_lastUpdated');
  if (control) throw badRequest(`${where}: ${nameOf(control[0])} is not a search criterion`, where);
  try {
    return [...parseSearch(type, entries, { handling: 'strict', base }).query.params];
  } catch (error) {
    if (!(error instanceof OperationOutcomeError)) throw error;
    throw new OperationOutcomeError(error.status, {
      resourceType: 'OperationOutcome',
      issue: error.outcome.issue.map((issue) => ({ ...issue, diagnostics: `${where}: ${issue.diagnostics ?? issue.code}`, expression: [where] })),
    });
  }
}
