import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { issueTypeForStatus, noRouteOutcome, type OperationOutcome, OperationOutcomeError, outcome } from './operation-outcome.js';

/** The HTTP status and OperationOutcome for any thrown value; unknown errors become a generic 500. */
export function toOperationOutcome(error: unknown): { status: number; body: OperationOutcome; internal: boolean } {
  if (error instanceof OperationOutcomeError) return { status: error.status, body: error.outcome, internal: error.status >= 500 };
  // Nest 12 wraps Fastify's own errors (body parser, content type) in an HttpException: map the original.
  const cause = (error as { cause?: { statusCode?: unknown; code?: unknown } } | undefined)?.cause;
  if (error instanceof HttpException && typeof cause?.statusCode === 'number' && typeof cause.code === 'string' && cause.code.startsWith('FST_')) return toOperationOutcome(cause);
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const response = error.getResponse();
    const message =
      typeof response === 'string'
        ? response
        : typeof (response as { message?: unknown }).message === 'string'
          ? (response as { message: string }).message
          : error.message;
    return { status, body: outcome('error', issueTypeForStatus(status), status >= 500 ? 'internal error' : message), internal: status >= 500 };
  }
  // Fastify's own errors (body too large, malformed JSON, unsupported media type) carry a 4xx statusCode and a code.
  const e = error as { statusCode?: unknown; code?: unknown; message?: unknown };
  if (typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500 && typeof e.message === 'string') {
    return { status: e.statusCode, body: outcome('error', issueTypeForStatus(e.statusCode), describeFastifyError(e.statusCode, String(e.code ?? ''), e.message)), internal: false };
  }
  return { status: 500, body: outcome('error', 'exception', 'internal error'), internal: true };
}

function describeFastifyError(status: number, code: string, message: string): string {
  switch (code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 'request body is larger than the configured limit';
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'unsupported content type';
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return 'expected a JSON body, got an empty body';
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return 'malformed JSON body';
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return 'request body length does not match Content-Length';
    default:
      // JSON.parse messages quote a fragment of the body, which may hold health data: never echo them.
      return status === 400 && /JSON/i.test(message) ? 'malformed JSON body' : message;
  }
}

/** Maps every error on an HTTP route to an OperationOutcome with the right status. */
@Catch()
export class OperationOutcomeFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(error: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw error;
    const ctx = host.switchToHttp();
    const reply = ctx.getResponse<FastifyReply>();
    const request = ctx.getRequest<FastifyRequest>();
    const { status, body: mapped, internal } = toOperationOutcome(error);
    // The router's default 404 message ("Cannot GET /path?query") echoes the query string: name the path only.
    const routerMiss = status === 404 && error instanceof HttpException && /^Cannot [A-Z]+ /.test(error.message);
    const body = routerMiss ? noRouteOutcome(request.method, request.url) : mapped;
    if (internal) {
      this.logger.error({ reqId: request.id, err: error instanceof Error ? { name: error.name, message: error.message, stack: error.stack } : String(error) }, 'request failed');
    }
    if (status === 401) {
      void reply.header('WWW-Authenticate', 'Bearer realm="fhir-gateway"');
    }
    void reply.status(status).header('content-type', 'application/fhir+json; charset=utf-8').send(body);
  }
}
