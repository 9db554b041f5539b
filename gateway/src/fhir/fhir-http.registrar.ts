import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { badRequest, methodNotAllowed, OperationOutcomeError, payloadTooLarge } from '../common/index.js';
import { assertAcceptsJson, assertBodyMediaType, assertJsonFormat, FHIR_JSON_UTF8, RESOURCE_BODY_TYPES, SEARCH_FORM_TYPES } from './media-type.js';

/** The route prefix of the FHIR API. */
export const FHIR_PREFIX = '/fhir';

function isFhirRoute(request: FastifyRequest): boolean {
  const route = request.routeOptions.url;
  return route !== undefined && (route === FHIR_PREFIX || route.startsWith(`${FHIR_PREFIX}/`));
}

/** True when a request carries a body (RFC 9112 §6.3: a Content-Length above 0 or a Transfer-Encoding). */
function hasBody(request: FastifyRequest): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** The `_format` values of the query string, read without parsing anything else. */
function formats(url: string): string[] {
  const query = url.indexOf('?');
  return query < 0 ? [] : new URLSearchParams(url.slice(query + 1)).getAll('_format');
}

/**
 * Checks what a `/fhir` request may send and receive before its body is read: `_format` and `Accept` must allow
 * JSON (406), a body must be `application/fhir+json` or `application/json` (`application/x-www-form-urlencoded`
 * for `_search`; 415 naming what came and what is accepted; FHIR R4 http.html#mime) and announce at most
 * `bodyLimit` bytes (413), and PATCH is 405 before its (JSON Patch) body is parsed.
 * @throws OperationOutcomeError
 */
export function checkFhirRequest(request: FastifyRequest, bodyLimit: number): void {
  if (request.method === 'PATCH') throw methodNotAllowed('patch is not supported: send the whole resource with PUT (update)');
  assertJsonFormat(formats(request.url));
  assertAcceptsJson(request.headers.accept);
  if ((request.method === 'POST' || request.method === 'PUT') && hasBody(request)) {
    assertBodyMediaType(request.headers['content-type'], request.routeOptions.url!.endsWith('/_search') ? SEARCH_FORM_TYPES : RESOURCE_BODY_TYPES);
    if (Number(request.headers['content-length'] ?? 0) > bodyLimit) throw payloadTooLarge(`request body is larger than the limit of ${bodyLimit} bytes`);
  }
}

function sendOutcome(reply: FastifyReply, error: OperationOutcomeError): FastifyReply {
  return reply.status(error.status).header('content-type', FHIR_JSON_UTF8).header('cache-control', 'no-store').send(error.outcome);
}

/**
 * Sets up Fastify for the FHIR routes (every route under `/fhir`, also operations other modules add there):
 * - parses `application/fhir+json` with Fastify's JSON parser (the configured bodyLimit; prototype poisoning
 *   refused); malformed JSON is a 400 that quotes nothing of the body; an empty body parses to nothing, so the
 *   route answers what it expected;
 * - answers {@link checkFhirRequest}'s problems before the body is read.
 * Fastify's own errors (body limit, parsing) reach the gateway's OperationOutcome filter like every other error.
 */
@Injectable()
export class FhirHttpRegistrar implements OnModuleInit {
  constructor(@Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    if (!fastify.hasContentTypeParser('application/fhir+json')) {
      const json = fastify.getDefaultJsonParser('error', 'error');
      fastify.addContentTypeParser('application/fhir+json', { parseAs: 'string' }, (request, body, done) => {
        if (body === '') return done(null, undefined);
        // The message the OperationOutcome filter gives Fastify's own JSON error, whichever handler answers it.
        json(request, body as string, (error, value) => (error ? done(badRequest('malformed JSON body')) : done(null, value)));
      });
    }
    const bodyLimit = fastify.initialConfig.bodyLimit ?? 1024 * 1024;
    fastify.addHook('onRequest', async (request, reply) => {
      if (!isFhirRoute(request)) return;
      try {
        checkFhirRequest(request, bodyLimit);
      } catch (error) {
        if (error instanceof OperationOutcomeError) return sendOutcome(reply, error);
        throw error;
      }
    });
  }
}
