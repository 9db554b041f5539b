import { badRequest, OperationOutcomeError, payloadTooLarge } from '../common/index.js';
import { FHIR_ID, parseIfMatch } from './etag.js';
import { parseHistoryQuery } from './history-query.parser.js';
import type { FhirContext, FhirInteraction } from './interaction.js';
import { assertJsonShape, MAX_NESTING_DEPTH } from './json-shape.js';
import { assertJsonFormat } from './media-type.js';
import type { Handling } from './prefer.js';
import { assertId, forCreate, forUpdate, readResourceBody } from './resource-body.js';
import { parseCriteria, parseSearch } from './search-query.parser.js';
import { type SupportedResourceType, supportedType } from './supported-types.js';

/** Most entries one transaction or batch may hold; more is refused with 413 before any work. */
export const MAX_BUNDLE_ENTRIES = 1000;

/** The HTTP verbs a Bundle entry may use here (no PATCH, no HEAD). */
export type EntryMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** One entry of a transaction or batch, parsed and validated. */
export interface ParsedEntry {
  readonly index: number;
  readonly method: EntryMethod;
  readonly fullUrl?: string;
  readonly interaction: FhirInteraction;
}

/** A transaction or batch Bundle: per entry, the parsed entry or why it is invalid (kept in the original order). */
export interface ParsedBundle {
  readonly type: 'transaction' | 'batch';
  readonly entries: readonly (ParsedEntry | OperationOutcomeError)[];
}

const METHODS: ReadonlySet<string> = new Set(['GET', 'POST', 'PUT', 'DELETE']);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Moves every issue of a parse error to `expression` (e.g. a search parameter's error to its entry's url). */
function rescope(error: unknown, expression: string): never {
  if (!(error instanceof OperationOutcomeError)) throw error;
  throw new OperationOutcomeError(error.status, { resourceType: 'OperationOutcome', issue: error.outcome.issue.map((issue) => ({ ...issue, expression: [expression] })) });
}

/** The supported type named by a url's first segment; a 404 there names `expression`. */
function typeAt(segment: string, expression: string): SupportedResourceType {
  try {
    return supportedType(segment);
  } catch (error) {
    return rescope(error, expression);
  }
}

/** An optional string element of the entry's request. */
function stringOrRefuse(value: unknown, expression: string): string | undefined {
  if (value === undefined || typeof value === 'string') return value;
  throw badRequest(`${expression.replace(/^.*\.request\./, 'request.')}: expected a string`, expression);
}

/** Parses `request.url` (relative to the base, or absolute under it) of a GET entry into read, vread, history or search. */
function parseGet(url: string, where: string, context: FhirContext, handling: Handling): FhirInteraction {
  const [path = '', query = ''] = url.split(/\?(.*)/s);
  const segments = path.split('/');
  const entries = [...new URLSearchParams(query)];
  try {
    assertJsonFormat(entries.filter(([name]) => name === '_format').map(([, v]) => v));
    const type = supportedType(segments[0]!);
    const id = segments[1] === undefined ? undefined : assertId(segments[1]);
    if (segments.length === 1) return { kind: 'search', type, search: parseSearch(type, entries, { handling, base: context.base }) };
    if (segments.length === 2 && query === '') return { kind: 'read', type, id: id! };
    if (segments.length === 3 && segments[2] === '_history') return { kind: 'history', type, id: id!, ...parseHistoryQuery(entries, handling) };
    if (segments.length === 4 && segments[2] === '_history' && query === '') return { kind: 'vread', type, id: id!, versionId: assertId(segments[3]!, 'versionId') };
  } catch (error) {
    rescope(error, where);
  }
  throw badRequest('request.url: expected <type>/<id>, <type>/<id>/_history[/<vid>] or <type>?<search>', where);
}

/** Parses one entry (FHIR R4 bundle.html#Bundle.entry.request). Every error names `Bundle.entry[i]…`. */
function parseEntry(entry: unknown, index: number, context: FhirContext, handling: Handling): ParsedEntry {
  const at = `Bundle.entry[${index}]`;
  if (!isObject(entry) || !isObject(entry['request'])) throw badRequest('request: required in every entry of a transaction or batch', `${at}.request`);
  const request = entry['request'];
  const method = request['method'];
  if (typeof method !== 'string' || !METHODS.has(method)) throw badRequest('request.method: expected GET, POST, PUT or DELETE', `${at}.request.method`);
  if (typeof request['url'] !== 'string' || request['url'] === '') throw badRequest('request.url: required', `${at}.request.url`);
  if (request['ifNoneMatch'] !== undefined || request['ifModifiedSince'] !== undefined) {
    throw badRequest('request.ifNoneMatch and request.ifModifiedSince are not supported', `${at}.request`);
  }
  if (request['ifMatch'] !== undefined && method !== 'PUT') throw badRequest('request.ifMatch: supported on PUT only', `${at}.request.ifMatch`);
  if (request['ifNoneExist'] !== undefined && method !== 'POST') throw badRequest('request.ifNoneExist: supported on POST only', `${at}.request.ifNoneExist`);
  const fullUrl = entry['fullUrl'];
  if (fullUrl !== undefined && (typeof fullUrl !== 'string' || fullUrl === '')) throw badRequest('fullUrl: expected a URI', `${at}.fullUrl`);
  const url = request['url'].startsWith(`${context.base}/`) ? request['url'].slice(context.base.length + 1) : request['url'];
  const base = { index, method: method as EntryMethod, ...(fullUrl !== undefined ? { fullUrl } : {}) };
  if (method === 'GET') return { ...base, interaction: parseGet(url, `${at}.request.url`, context, handling) };
  if (url.includes('?')) {
    throw badRequest(`request.url: conditional ${method === 'DELETE' ? 'delete' : method === 'PUT' ? 'update' : 'create with a query'} is not supported`, `${at}.request.url`);
  }
  const [typeSegment = '', id, ...rest] = url.split('/');
  const type = typeAt(typeSegment, `${at}.request.url`);
  const expectsId = method !== 'POST';
  if (rest.length > 0 || (id !== undefined) !== expectsId || (id !== undefined && !FHIR_ID.test(id))) {
    throw badRequest(`request.url: expected ${expectsId ? '<type>/<id>' : '<type>'} for ${method}`, `${at}.request.url`);
  }
  if (method === 'DELETE') {
    if (entry['resource'] !== undefined) throw badRequest('resource: not expected in a DELETE entry', `${at}.resource`);
    return { ...base, interaction: { kind: 'delete', type, id: id! } };
  }
  if (entry['resource'] === undefined) throw badRequest(`resource: required in a ${method} entry`, `${at}.resource`);
  const resource = readResourceBody(entry['resource'], type, `${at}.resource`);
  if (method === 'PUT') {
    const ifMatch = parseIfMatch(stringOrRefuse(request['ifMatch'], `${at}.request.ifMatch`), `${at}.request.ifMatch`);
    return { ...base, interaction: { kind: 'update', type, resource: forUpdate(resource, id!, `${at}.resource`), ...(ifMatch !== undefined ? { ifMatch } : {}) } };
  }
  const ifNoneExist = stringOrRefuse(request['ifNoneExist'], `${at}.request.ifNoneExist`);
  const criteria = ifNoneExist === undefined ? undefined : parseCriteria(type, ifNoneExist, context.base, `${at}.request.ifNoneExist`);
  return { ...base, interaction: { kind: 'create', type, resource: forCreate(resource), ...(criteria ? { ifNoneExist: criteria } : {}) } };
}

/**
 * Parses a `POST [base]` body: a Bundle of type transaction or batch (FHIR R4 http.html#transaction). Problems of
 * the Bundle itself throw; problems of one entry are returned in its place (a batch answers them per entry, a
 * transaction fails with the first).
 * @throws OperationOutcomeError 400 for anything but a transaction or batch Bundle, 413 above {@link MAX_BUNDLE_ENTRIES}.
 */
export function parseBundle(body: unknown, context: FhirContext, handling: Handling): ParsedBundle {
  if (!isObject(body) || body['resourceType'] !== 'Bundle') throw badRequest('expected a Bundle of type transaction or batch', 'Bundle');
  if (body['type'] !== 'transaction' && body['type'] !== 'batch') throw badRequest('Bundle.type: expected transaction or batch', 'Bundle.type');
  const entries = body['entry'] ?? [];
  if (!Array.isArray(entries)) throw badRequest('Bundle.entry: expected an array', 'Bundle.entry');
  if (entries.length > MAX_BUNDLE_ENTRIES) {
    throw payloadTooLarge(`Bundle.entry: at most ${MAX_BUNDLE_ENTRIES} entries per ${body['type']}, got ${entries.length}; split it`, 'Bundle.entry');
  }
  // Bundle → entry[] → entry → resource: three levels above each resource's own limit.
  assertJsonShape(body, 'Bundle', MAX_NESTING_DEPTH + 3);
  const parsed = entries.map((entry: unknown, index) => {
    try {
      return parseEntry(entry, index, context, handling);
    } catch (error) {
      if (error instanceof OperationOutcomeError) return error;
      throw error;
    }
  });
  // bdl-7: fullUrl must be unique in a Bundle.
  const seen = new Map<string, number>();
  entries.forEach((entry: unknown, index) => {
    const fullUrl = isObject(entry) ? entry['fullUrl'] : undefined;
    if (typeof fullUrl !== 'string') return;
    const first = seen.get(fullUrl);
    if (first !== undefined) throw badRequest(`fullUrl: the same fullUrl as Bundle.entry[${first}] (bdl-7: fullUrl must be unique)`, `Bundle.entry[${index}].fullUrl`);
    seen.set(fullUrl, index);
  });
  return { type: body['type'], entries: parsed };
}

/**
 * A repository error while processing entry `entry`, with every issue's expression moved under
 * `Bundle.entry[i]` (an expression rooted at the resource type moves under `Bundle.entry[i].resource`).
 */
export function atEntry(error: unknown, entry: ParsedEntry): unknown {
  if (!(error instanceof OperationOutcomeError)) return error;
  const at = `Bundle.entry[${entry.index}]`;
  const type = entry.interaction.type;
  const move = (expression: string) =>
    expression === type || expression.startsWith(`${type}.`) || expression.startsWith(`${type}[`) ? `${at}.resource${expression.slice(type.length)}` : `${at}.${expression}`;
  return new OperationOutcomeError(error.status, {
    resourceType: 'OperationOutcome',
    issue: error.outcome.issue.map((issue) => ({ ...issue, expression: issue.expression?.length ? issue.expression.map(move) : [at] })),
  });
}
