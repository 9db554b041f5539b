import { badRequest } from '../../common/index.js';
import { AUDIT_ACTIONS } from '../audit-entry.js';

/** Consent purposes an entry may name (ConsentRegistry purposes, design.md §2.2). */
export const AUDIT_PURPOSES = ['TREATMENT', 'DIAGNOSIS', 'RESEARCH', 'EMERGENCY'] as const;

/** What `GET /audit/entries` may filter on: copies of entry fields in indexed columns of `audit_entry`. */
export interface EntryFilter {
  /** Unix ms, inclusive. */
  readonly from?: number;
  /** Unix ms, exclusive. */
  readonly to?: number;
  readonly purpose?: string;
  readonly model?: { readonly id: string; readonly version?: string };
  readonly actor?: string;
  readonly patient?: string;
  readonly outcome?: 'allowed' | 'denied';
  readonly action?: string;
}

/** One page request of `GET /audit/entries`. */
export interface EntryPage {
  /** Leaf index the page starts after (in `order`); none: from the start. */
  readonly after?: number;
  readonly limit: number;
  readonly order: 'asc' | 'desc';
}

export const MAX_PAGE = 1000;
const DEFAULT_PAGE = 100;
/** Longest value quoted back in a diagnostic: a parameter's value is the caller's, but never echoed at length. */
const QUOTE = 40;

const quote = (raw: string): string => JSON.stringify(raw.length > QUOTE ? `${raw.slice(0, QUOTE)}…` : raw);

/** A raw query value: Fastify gives an array when a parameter repeats, which is refused. */
export type RawQuery = Readonly<Record<string, string | string[] | undefined>>;

/** The parameters of a query, refusing unknown and repeated ones (400 naming the parameter). */
export function queryOf(query: RawQuery, allowed: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined) continue;
    const shown = name.slice(0, QUOTE);
    if (!allowed.includes(name)) throw badRequest(`${shown}: not a parameter of this endpoint (expected ${allowed.join(', ')})`, shown);
    if (Array.isArray(value)) throw badRequest(`${name}: expected one value, got ${value.length}`, name);
    out[name] = value;
  }
  return out;
}

/**
 * A whole number from `min` to `max` in decimal digits.
 * @throws OperationOutcomeError 400 naming `name`, saying what was expected and what came.
 */
export function integerParam(name: string, raw: string, min: number, max: number): number {
  const value = /^\d{1,16}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw badRequest(max < min ? `${name}: expected nothing here (the log has no entries), got ${quote(raw)}` : `${name}: expected a whole number from ${min} to ${max}, got ${quote(raw)}`, name);
  }
  return value;
}

/** An ISO 8601 date-time with a time zone (or a plain date, read as UTC midnight), as unix ms. */
export function instantParam(name: string, raw: string): number {
  const ok = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/.test(raw);
  const ms = ok ? Date.parse(raw) : NaN;
  if (Number.isNaN(ms)) throw badRequest(`${name}: expected an ISO 8601 date or date-time with a time zone (e.g. 2025-01-31T12:00:00Z), got ${quote(raw)}`, name);
  return ms;
}

/** One value of a closed list. */
export function enumParam<T extends string>(name: string, raw: string, values: readonly T[]): T {
  if (!(values as readonly string[]).includes(raw)) throw badRequest(`${name}: expected one of ${values.join(', ')}, got ${quote(raw)}`, name);
  return raw as T;
}

/**
 * A lowercase hex string of `digits` digits (with the `0x` prefix when `prefixed`): a pseudonym. The value is not
 * quoted back: whoever mistyped it may have pasted a real patient or user id.
 */
export function hexParam(name: string, raw: string, digits: number, prefixed: boolean): string {
  const pattern = new RegExp(`^${prefixed ? '0x' : ''}[0-9a-f]{${digits}}$`);
  if (!pattern.test(raw)) throw badRequest(`${name}: expected a pseudonym of ${prefixed ? '0x and ' : ''}${digits} lowercase hex digits, got ${raw.length} other characters`, name);
  return raw;
}

// Model ids and versions as the catalog names them (letters, digits, dot, hyphen): none of SQL LIKE's wildcards.
const MODEL = /^([A-Za-z0-9][A-Za-z0-9.-]{0,63})(?:@([A-Za-z0-9][A-Za-z0-9.-]{0,63}))?$/;

/** `id` or `id@version`. */
export function modelParam(raw: string): { id: string; version?: string } {
  const match = MODEL.exec(raw);
  if (!match) throw badRequest(`model: expected a model id or id@version (letters, digits, "." and "-"), got ${quote(raw)}`, 'model');
  return { id: match[1]!, ...(match[2] !== undefined ? { version: match[2] } : {}) };
}

/** `from` and `to` (to after from). */
export function windowParams(q: Readonly<Record<string, string>>): { from?: number; to?: number } {
  const from = q['from'] !== undefined ? instantParam('from', q['from']) : undefined;
  const to = q['to'] !== undefined ? instantParam('to', q['to']) : undefined;
  if (from !== undefined && to !== undefined && to <= from) throw badRequest(`to: expected a time after from (${new Date(from).toISOString()}), got ${new Date(to).toISOString()}`, 'to');
  return { ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) };
}

/** The query parameters of `GET /audit/entries`. */
export const ENTRY_QUERY = ['after', 'limit', 'order', 'from', 'to', 'purpose', 'model', 'actor', 'patient', 'outcome', 'action'] as const;

/** Parses and validates `GET /audit/entries`'s query. @throws OperationOutcomeError 400 naming the parameter. */
export function entryQuery(query: RawQuery): { filter: EntryFilter; page: EntryPage } {
  const q = queryOf(query, ENTRY_QUERY);
  const filter: EntryFilter = {
    ...windowParams(q),
    ...(q['purpose'] !== undefined ? { purpose: enumParam('purpose', q['purpose'], AUDIT_PURPOSES) } : {}),
    ...(q['model'] !== undefined ? { model: modelParam(q['model']) } : {}),
    ...(q['actor'] !== undefined ? { actor: hexParam('actor', q['actor'], 64, true) } : {}),
    ...(q['patient'] !== undefined ? { patient: hexParam('patient', q['patient'], 32, false) } : {}),
    ...(q['outcome'] !== undefined ? { outcome: enumParam('outcome', q['outcome'], ['allowed', 'denied'] as const) } : {}),
    ...(q['action'] !== undefined ? { action: enumParam('action', q['action'], AUDIT_ACTIONS) } : {}),
  };
  const page: EntryPage = {
    ...(q['after'] !== undefined ? { after: integerParam('after', q['after'], 0, Number.MAX_SAFE_INTEGER) } : {}),
    limit: q['limit'] !== undefined ? integerParam('limit', q['limit'], 1, MAX_PAGE) : DEFAULT_PAGE,
    order: q['order'] !== undefined ? enumParam('order', q['order'], ['asc', 'desc'] as const) : 'asc',
  };
  return { filter, page };
}
