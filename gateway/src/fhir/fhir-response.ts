import { STATUS_CODES } from 'node:http';
import type { FastifyReply } from 'fastify';
import { type OperationOutcome, type OperationOutcomeError, outcome } from '../common/index.js';
import type { StoredResource } from '../store/index.js';
import { etagOf, httpDate } from './etag.js';
import type { FhirContext, InteractionResult } from './interaction.js';
import { FHIR_JSON_UTF8 } from './media-type.js';
import type { ReturnPreference } from './prefer.js';

/** An HTTP answer of the FHIR API: status, headers, and a JSON body unless there is none. */
export interface FhirHttpResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: unknown;
}

/** `<base>/<type>/<id>/_history/<vid>`: the Location of a write (FHIR R4 http.html#create, #update). */
export function versionUrl(context: FhirContext, stored: StoredResource): string {
  const { resourceType, id, meta } = stored.resource;
  return `${context.base}/${resourceType}/${id}/_history/${meta.versionId}`;
}

function information(diagnostics: string): OperationOutcome {
  return outcome('information', 'informational', diagnostics);
}

const WRITE_DONE: Readonly<Record<number, string>> = { 200: 'the resource was saved', 201: 'the resource was created' };

/**
 * Renders an interaction's result as HTTP (FHIR R4 http.html): `ETag` and `Last-Modified` on every resource,
 * `Location` on writes, and after a write the body the client prefers (`Prefer: return=minimal` none,
 * `representation` the resource, `OperationOutcome` an outcome; FHIR R4 http.html#ops). A delete answers
 * 204 No Content, or 200 with an OperationOutcome when that is preferred (FHIR R4 http.html#delete allows both).
 */
export function httpResponse(result: InteractionResult, context: FhirContext, preference: ReturnPreference): FhirHttpResponse {
  switch (result.kind) {
    case 'resource': {
      const { meta } = result.stored.resource;
      const headers = { etag: etagOf(meta.versionId), 'last-modified': httpDate(meta.lastUpdated), ...(result.write ? { location: versionUrl(context, result.stored) } : {}) };
      if (!result.write || preference === 'representation') return { status: result.status, headers, body: result.stored.resource };
      if (preference === 'minimal') return { status: result.status, headers };
      return { status: result.status, headers, body: information(WRITE_DONE[result.status]!) };
    }
    case 'unreadable':
      return { status: 200, headers: { location: versionUrl(context, result.stored) }, body: information('a matching resource already exists; nothing was created') };
    case 'deleted':
      return preference === 'OperationOutcome' ? { status: 200, headers: {}, body: information('the resource was deleted') } : { status: 204, headers: {} };
    case 'bundle':
      return { status: 200, headers: {}, body: result.bundle };
  }
}

/** `201 Created`: the status line a Bundle entry's `response.status` carries (FHIR R4 bundle.html). */
export function statusLine(status: number): string {
  return `${status} ${STATUS_CODES[status] ?? ''}`.trim();
}

/**
 * A `transaction-response` / `batch-response` entry (FHIR R4 http.html#transaction-response): the status line,
 * for a resource its `etag` and `lastModified` (and `location` after a write, relative as in FHIR's examples:
 * `Patient/123/_history/1`), and the body the HTTP answer would carry: a resource or Bundle as `resource`, an
 * OperationOutcome (no supported type is one) as `response.outcome`.
 */
export function entryResponse(result: InteractionResult, context: FhirContext, preference: ReturnPreference): Record<string, unknown> {
  const http = httpResponse(result, context, preference);
  const stored = result.kind === 'resource' || result.kind === 'unreadable' ? result.stored : undefined;
  const wrote = result.kind === 'unreadable' || (result.kind === 'resource' && result.write);
  const isOutcome = (http.body as { resourceType?: string } | undefined)?.resourceType === 'OperationOutcome';
  const response = {
    status: statusLine(http.status),
    ...(stored && wrote ? { location: versionUrl({ base: '' }, stored).slice(1) } : {}),
    ...(stored ? { etag: etagOf(stored.resource.meta.versionId), lastModified: stored.resource.meta.lastUpdated } : {}),
    ...(isOutcome ? { outcome: http.body } : {}),
  };
  return {
    ...(result.kind === 'resource' ? { fullUrl: `${context.base}/${result.stored.resource.resourceType}/${result.stored.resource.id}` } : {}),
    ...(http.body !== undefined && !isOutcome ? { resource: http.body } : {}),
    response,
  };
}

/** The entry of a batch entry that failed: its status and OperationOutcome (FHIR R4 http.html#transaction-response). */
export function errorEntry(error: OperationOutcomeError): Record<string, unknown> {
  return { response: { status: statusLine(error.status), outcome: error.outcome } };
}

/** Sends a FHIR response: `application/fhir+json; charset=utf-8`, never cached (it holds health data). */
export function sendFhir(reply: FastifyReply, response: FhirHttpResponse): void {
  void reply.status(response.status).headers(response.headers).header('cache-control', 'no-store');
  if (response.body === undefined) {
    void reply.send();
    return;
  }
  void reply.header('content-type', FHIR_JSON_UTF8).send(response.body);
}
