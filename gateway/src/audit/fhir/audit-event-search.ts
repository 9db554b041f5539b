import { badRequest } from '../../common/index.js';
import type { EntryFilter } from '../api/audit-params.js';

/** Search parameters of `GET /fhir/AuditEvent` (FHIR R4 AuditEvent search parameters of the same names). */
export const AUDIT_EVENT_SEARCH_PARAMS = ['_count', 'date', 'outcome', 'agent', 'patient'] as const;
const PAGE_DEFAULT = 50;
const PAGE_MAX = 200;
const OUTCOME_SYSTEM = 'http://hl7.org/fhir/audit-event-outcome';

/** A parsed AuditEvent search: the log filter, the page size, the cursor, and the parameters used (for links). */
export interface AuditEventSearch {
  readonly filter: EntryFilter;
  readonly count: number;
  /** Leaf index to continue below (results are newest first). */
  readonly cursor?: number;
  /** The parameters that were applied, in order, without `_cursor`. */
  readonly used: readonly (readonly [string, string])[];
}

const shown = (value: string): string => JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);

/**
 * A FHIR `date` value (FHIR R4 search.html#date) as the half-open range of instants its precision covers: a day,
 * a minute, a second or a millisecond (a time needs a zone: FHIR's instants in the log are UTC).
 */
function dateRange(raw: string): [number, number] {
  const match = /^(\d{4}-\d{2}-\d{2})(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/.exec(raw);
  const start = match ? Date.parse(match[2] ? raw : `${raw}T00:00:00Z`) : NaN;
  if (!match || Number.isNaN(start)) throw badRequest(`date: expected [ge|gt|le|lt|eq] and a FHIR date or dateTime with a zone (e.g. ge2025-01-31 or le2025-01-31T12:00:00Z), got ${shown(raw)}`, 'date');
  const span = !match[2] ? 86_400_000 : !match[3] ? 60_000 : !match[4] ? 1_000 : 1;
  return [start, start + span];
}

/** Narrows `[from, to)` by one `date` parameter. */
function narrow(window: { from?: number; to?: number }, value: string): void {
  const prefix = /^(ge|gt|le|lt|eq)/.exec(value)?.[1] ?? 'eq';
  const [start, end] = dateRange(value.slice(/^(ge|gt|le|lt|eq)/.test(value) ? 2 : 0));
  const lower = prefix === 'ge' || prefix === 'eq' ? start : prefix === 'gt' ? end : undefined;
  const upper = prefix === 'le' || prefix === 'eq' ? end : prefix === 'lt' ? start : undefined;
  if (lower !== undefined) window.from = Math.max(window.from ?? lower, lower);
  if (upper !== undefined) window.to = Math.min(window.to ?? upper, upper);
}

/**
 * Parses an AuditEvent search. `agent` is the actor pseudonym (`0x` and 64 hex digits), `patient` the patient
 * pseudonym (32 hex digits), `outcome` 0 or 4 (optionally `http://hl7.org/fhir/audit-event-outcome|`), `date` one
 * or more prefixed dates, `_count` 1 to 200. Unknown parameters are ignored (and left out of the links) unless `strict`
 * (Prefer: handling=strict, FHIR R4 search.html#errors), where they are a 400.
 * @throws OperationOutcomeError 400 naming the parameter.
 */
export function parseAuditEventSearch(entries: readonly (readonly [string, string])[], strict: boolean): AuditEventSearch {
  const window: { from?: number; to?: number } = {};
  const filter: { actor?: string; patient?: string; outcome?: 'allowed' | 'denied' } = {};
  const used: [string, string][] = [];
  let count = PAGE_DEFAULT;
  let cursor: number | undefined;
  for (const [name, value] of entries) {
    if (name === '_cursor') {
      if (!/^\d{1,16}$/.test(value)) throw badRequest(`_cursor: expected the cursor of a next link, got ${shown(value)}`, '_cursor');
      cursor = Number(value);
      continue;
    }
    if (name === '_format') continue;
    if (name === '_count') {
      count = /^\d{1,3}$/.test(value) ? Number(value) : NaN;
      if (!(count >= 1 && count <= PAGE_MAX)) throw badRequest(`_count: expected a whole number from 1 to ${PAGE_MAX}, got ${shown(value)}`, '_count');
    } else if (name === 'date') narrow(window, value);
    else if (name === 'outcome') {
      const code = value.startsWith(`${OUTCOME_SYSTEM}|`) ? value.slice(OUTCOME_SYSTEM.length + 1) : value;
      if (code !== '0' && code !== '4') throw badRequest(`outcome: expected 0 (allowed) or 4 (denied), got ${shown(value)}`, 'outcome');
      filter.outcome = code === '0' ? 'allowed' : 'denied';
    } else if (name === 'agent') {
      if (!/^0x[0-9a-f]{64}$/.test(value)) throw badRequest(`agent: expected an actor pseudonym (0x and 64 lowercase hex digits), got ${value.length} other characters`, 'agent');
      filter.actor = value;
    } else if (name === 'patient') {
      if (!/^[0-9a-f]{32}$/.test(value)) throw badRequest(`patient: expected a patient pseudonym (32 lowercase hex digits), got ${value.length} other characters`, 'patient');
      filter.patient = value;
    } else if (strict) {
      const param = name.slice(0, 40);
      throw badRequest(`${param}: not a supported search parameter of AuditEvent (supported: ${AUDIT_EVENT_SEARCH_PARAMS.join(', ')})`, param);
    } else continue;
    used.push([name, value]);
  }
  return { filter: { ...window, ...filter }, count, ...(cursor !== undefined ? { cursor } : {}), used };
}
