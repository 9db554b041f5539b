import { GraphQLError, type ExecutionResult } from 'graphql';
import { toOperationOutcome } from '../common/index.js';

/** GraphQL error codes (the conventions GraphQL clients already know) for our HTTP statuses. */
function graphqlCode(status: number): string {
  if (status === 401) return 'UNAUTHENTICATED';
  if (status === 403) return 'FORBIDDEN';
  if (status === 404) return 'NOT_FOUND';
  if (status === 409 || status === 412) return 'CONFLICT';
  if (status === 503) return 'SERVICE_UNAVAILABLE';
  if (status >= 400 && status < 500) return 'BAD_USER_INPUT';
  return 'INTERNAL_SERVER_ERROR';
}

const VALIDATION = 'GRAPHQL_VALIDATION_FAILED';

/**
 * Shapes one GraphQL error through the gateway's single error vocabulary: the message is the OperationOutcome's
 * diagnostics and `extensions` carries the code, the HTTP status and the outcome; anything unexpected is reduced
 * to "internal error" so no internals or data leak to the client.
 */
function formatGraphqlError(error: GraphQLError): GraphQLError {
  const original = error.originalError;
  const where = { nodes: error.nodes, positions: error.positions, path: error.path };
  if (!original || original instanceof GraphQLError) {
    // Syntax and validation errors: about the query text, not about data.
    return new GraphQLError(error.message, { ...where, extensions: { code: VALIDATION, ...error.extensions } });
  }
  const { status, body } = toOperationOutcome(original);
  // 503 says what is unavailable and when to retry (e.g. a stale consent view); other 5xx reveal nothing.
  if (status >= 500 && status !== 503) return new GraphQLError('internal error', { ...where, extensions: { code: graphqlCode(status), status } });
  return new GraphQLError(body.issue.map((i) => i.diagnostics ?? i.code).join('; '), { ...where, extensions: { code: graphqlCode(status), status, outcome: body } });
}

/**
 * Mercurius error formatter. Per GraphQL over HTTP (application/json), an executed request answers 200 even with
 * field errors; one refused before execution answers 400 (syntax, validation) or its own 4xx (a body over the
 * size limit, malformed JSON).
 */
export function formatGraphqlResult(execution: ExecutionResult & { statusCode?: number }): { statusCode: number; response: ExecutionResult } {
  const errors = (execution.errors ?? []).flatMap((e) => {
    const nested = (e.originalError as { errors?: unknown } | undefined)?.errors;
    return Array.isArray(nested) ? (nested as GraphQLError[]) : [e];
  });
  const formatted = errors.map((e) => formatGraphqlError(e instanceof GraphQLError ? e : new GraphQLError(String((e as Error).message ?? e))));
  const executed = execution.data !== undefined && execution.data !== null;
  // Errors with a path happened while resolving fields, i.e. the request was executed.
  const refused = !executed && formatted.every((e) => e.path === undefined);
  const statuses = formatted.map((e) => (e.extensions['code'] === VALIDATION ? 400 : Number(e.extensions['status'] ?? 500)));
  return {
    statusCode: refused && statuses.length > 0 ? Math.max(...statuses) : 200,
    response: { data: execution.data ?? null, errors: formatted },
  };
}
