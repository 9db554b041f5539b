import { badRequest, OperationOutcomeError } from '../common/index.js';
import type { Handling } from './prefer.js';
import { DEFAULT_COUNT, MAX_COUNT } from './search-query.parser.js';

/** The paging of an instance history (FHIR R4 http.html#history): `_count`, `_cursor`, and the `_format` already checked. */
export interface HistoryQuery {
  readonly count: number;
  readonly cursor?: string;
  readonly used: readonly (readonly [string, string])[];
}

/**
 * Parses the parameters of `GET [type]/[id]/_history`. `_since`, `_at` and `_list` are not supported: a 400
 * under `Prefer: handling=strict`, ignored otherwise (the history Bundle has no place for a warning).
 * @throws OperationOutcomeError 400 for a malformed `_count` or `_cursor`, or a repeated one.
 */
export function parseHistoryQuery(entries: readonly (readonly [string, string])[], handling: Handling): HistoryQuery {
  const of = (name: string) => entries.filter(([n]) => n === name).map(([, v]) => v);
  const [countRaw, ...moreCounts] = of('_count');
  const [cursor, ...moreCursors] = of('_cursor');
  if (moreCounts.length > 0 || moreCursors.length > 0) throw badRequest('expected at most one _count and one _cursor', moreCounts.length > 0 ? '_count' : '_cursor');
  if (countRaw !== undefined && (!/^\d{1,9}$/.test(countRaw) || Number(countRaw) < 1)) throw badRequest(`_count: expected an integer from 1 to ${MAX_COUNT}`, '_count');
  if (cursor !== undefined && (cursor === '' || cursor.length > 2048)) throw badRequest('_cursor: expected the cursor of a next link', '_cursor');
  const count = countRaw === undefined ? DEFAULT_COUNT : Math.min(Number(countRaw), MAX_COUNT);
  const unknown = [...new Set(entries.map(([name]) => name).filter((name) => name !== '' && !['_count', '_cursor', '_format'].includes(name)))];
  if (unknown.length > 0 && handling === 'strict') {
    const names = unknown.map((n) => (/^[A-Za-z0-9_.:-]{1,64}$/.test(n) ? n : '(a malformed parameter name)'));
    throw new OperationOutcomeError(400, {
      resourceType: 'OperationOutcome',
      issue: [{ severity: 'error', code: 'not-supported', diagnostics: `unsupported history parameters: ${names.join(', ')} (supported: _count, _cursor, _format)`, expression: names }],
    });
  }
  const used = entries.filter(([name]) => ['_count', '_cursor', '_format'].includes(name)).map(([name, value]) => [name, name === '_count' ? String(count) : value] as const);
  return { count, ...(cursor !== undefined ? { cursor } : {}), used };
}
