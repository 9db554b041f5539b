import { Problem, type Recovery, unreachable } from './problem.js';

/** A failed call to the gateway's REST API: the {@link Problem} plus the HTTP status and the outcome's words. */
export class GatewayError extends Problem {
  constructor(
    title: string,
    message: string,
    code: string,
    recovery: Recovery,
    /** The HTTP status (0 when the gateway did not answer). */
    readonly status: number,
    /** The OperationOutcome's `diagnostics` (the gateway never puts health data or secrets there). */
    readonly diagnostics: string | undefined,
  ) {
    super(title, message, code, recovery);
    this.name = 'GatewayError';
  }
}

/** The gateway's REST API (its own paths, e.g. `api/patient-store`), called with the signed-in user's token. */
export interface GatewayApi {
  get<T>(path: string): Promise<T>;
  post<T>(path: string, body: unknown): Promise<T>;
  /**
   * The gateway's public base URL (its PUBLIC_URL, no trailing slash), which signed statements such as a store
   * claim must name. Read from the CapabilityStatement's `implementation.url` (FHIR R4 §3.1.0.5, `<PUBLIC_URL>/fhir`);
   * when that cannot be read, the origin and path the app reaches the gateway at (the same in embedded mode).
   */
  publicUrl(): Promise<string>;
}

interface OperationOutcomeBody {
  readonly resourceType?: unknown;
  readonly issue?: readonly { readonly diagnostics?: unknown; readonly code?: unknown }[];
}

function diagnosticsOf(body: unknown): string | undefined {
  const outcome = body as OperationOutcomeBody | null;
  if (outcome?.resourceType !== 'OperationOutcome' || !Array.isArray(outcome.issue)) return undefined;
  const words = outcome.issue.map((i) => (typeof i.diagnostics === 'string' ? i.diagnostics : '')).filter(Boolean);
  return words.length > 0 ? words.join('; ') : undefined;
}

function errorFor(status: number, body: unknown): GatewayError {
  const diagnostics = diagnosticsOf(body);
  if (status === 401) {
    return new GatewayError('Your sign-in was not accepted', 'The gateway rejected your access token (it may have expired or been revoked). Please sign in again.', 'UNAUTHENTICATED', 'sign-in', status, diagnostics);
  }
  const said = diagnostics ? `The gateway said: ${diagnostics}.` : `The gateway answered HTTP ${status}.`;
  return new GatewayError('The request failed', said, `HTTP_${status}`, status >= 500 ? 'retry' : 'none', status, diagnostics);
}

/**
 * A {@link GatewayApi} for the gateway at `apiBase` (an absolute URL ending in `/`). `accessToken` is read at every
 * call, so an expired session is noticed before a request goes out.
 */
export function gatewayApi(apiBase: string, accessToken: () => string | null): GatewayApi {
  async function request<T>(path: string, init: { method: 'GET' | 'POST'; body?: unknown }): Promise<T> {
    const token = accessToken();
    if (!token) throw new GatewayError('Your session expired', 'Please sign in again.', 'UNAUTHENTICATED', 'sign-in', 401, undefined);
    let response: Response;
    try {
      response = await fetch(new URL(path, apiBase), {
        method: init.method,
        headers: {
          accept: 'application/json',
          authorization: `Bearer ${token}`,
          ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
        cache: 'no-store',
      });
    } catch {
      throw unreachable('Asking the gateway');
    }
    const body: unknown = await response.json().catch(() => null);
    if (!response.ok) throw errorFor(response.status, body);
    if (body === null) throw new GatewayError('The gateway had a problem', `The gateway answered HTTP ${response.status} without a result. Try again in a moment.`, `HTTP_${response.status}`, 'retry', response.status, undefined);
    return body as T;
  }

  let publicUrl: Promise<string> | undefined;
  return {
    get: (path) => request(path, { method: 'GET' }),
    post: (path, body) => request(path, { method: 'POST', body }),
    publicUrl() {
      publicUrl ??= (async () => {
        const fallback = apiBase.replace(/\/+$/, '');
        try {
          const response = await fetch(new URL('fhir/metadata', apiBase), { headers: { accept: 'application/fhir+json' } });
          const statement = (await response.json()) as { implementation?: { url?: unknown } };
          const url = statement.implementation?.url;
          return typeof url === 'string' && url.endsWith('/fhir') ? url.slice(0, -'/fhir'.length) : fallback;
        } catch {
          return fallback;
        }
      })();
      return publicUrl;
    },
  };
}
