import { Problem, unreachable } from './problem.js';

/** One entry of a GraphQL response's `errors` (GraphQL over HTTP). */
interface GraphqlErrorEntry {
  readonly message?: unknown;
  readonly extensions?: { readonly code?: unknown };
}

interface GraphqlResponse<T> {
  readonly data?: T | null;
  readonly errors?: readonly GraphqlErrorEntry[];
}

const FRIENDLY: Readonly<Record<string, Pick<Problem, 'title' | 'message' | 'recovery'>>> = {
  UNAUTHENTICATED: {
    title: 'Your sign-in was not accepted',
    message: 'The gateway rejected your access token (it may have expired or been revoked). Please sign in again.',
    recovery: 'sign-in',
  },
  FORBIDDEN: { title: 'Not allowed', message: 'Your account is not allowed to do this.', recovery: 'none' },
};

function problemFromErrors(errors: readonly GraphqlErrorEntry[], status: number): Problem {
  const code = String(errors[0]?.extensions?.code ?? (status === 401 ? 'UNAUTHENTICATED' : 'GRAPHQL_ERROR'));
  const friendly = FRIENDLY[code];
  if (friendly) return new Problem(friendly.title, friendly.message, code, friendly.recovery);
  const messages = errors.map((e) => (typeof e.message === 'string' ? e.message : '')).filter(Boolean);
  const text = messages.length > 0 ? `The gateway said: ${messages.join('; ')}.` : `The gateway answered HTTP ${status}.`;
  return new Problem('The request failed', text, code, code === 'INTERNAL_SERVER_ERROR' ? 'retry' : 'none');
}

/**
 * Sends one GraphQL request with the bearer token and returns `data`, or throws a readable {@link Problem}
 * built from the GraphQL errors (their `extensions.code`) or from the HTTP status.
 */
export async function graphqlRequest<T>(url: string, query: string, accessToken: string): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', authorization: `Bearer ${accessToken}` },
      body: JSON.stringify({ query }),
    });
  } catch {
    throw unreachable('Asking the gateway');
  }
  const body = (await response.json().catch(() => null)) as GraphqlResponse<T> | null;
  if (body?.errors && body.errors.length > 0) throw problemFromErrors(body.errors, response.status);
  if (!response.ok || body?.data === undefined || body.data === null) {
    if (response.status === 401) throw problemFromErrors([], 401);
    throw new Problem('The gateway had a problem', `The gateway answered HTTP ${response.status} without a result. Try again in a moment.`, `HTTP_${response.status}`);
  }
  return body.data;
}
