import { Client } from 'fhir-kit-client';

/** A FHIR client (fhir-kit-client, as a hospital's system would use) against the gateway's `/fhir`. */
export function fhirClient(baseUrl: string, token: string): Client {
  return new Client({ baseUrl: `${baseUrl}/fhir`, bearerToken: token });
}

/** What a failed fhir-kit-client call carried: the HTTP status and the body (an OperationOutcome here). */
export interface FhirFailure {
  readonly status: number;
  readonly data: { resourceType?: string; issue?: { severity: string; code: string; diagnostics?: string; expression?: string[] }[] };
}

/** Awaits a call that must fail and returns its status and body; fails the test if the call succeeded. */
export async function failureOf(call: Promise<unknown>): Promise<FhirFailure> {
  try {
    await call;
  } catch (error) {
    const response = (error as { response?: FhirFailure }).response;
    if (response) return { status: response.status, data: response.data };
    throw error;
  }
  throw new Error('expected the FHIR call to fail');
}

/** POSTs raw bytes to a gateway path and returns status, content type and parsed body (for hostile-input tests). */
export async function rawRequest(url: string, token: string, init: { method?: string; body?: string | Uint8Array; contentType?: string; headers?: Record<string, string> } = {}): Promise<{ status: number; contentType: string | null; body: unknown }> {
  const response = await fetch(url, {
    method: init.method ?? 'POST',
    headers: { authorization: `Bearer ${token}`, ...(init.contentType ? { 'content-type': init.contentType } : {}), ...init.headers },
    ...(init.body !== undefined ? { body: init.body } : {}),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // keep the text
  }
  return { status: response.status, contentType: response.headers.get('content-type'), body };
}

/** A stored resource as the gateway returns it: server-assigned id and meta. */
export interface StoredFhirResource {
  readonly resourceType: string;
  readonly id: string;
  readonly meta: { readonly versionId: string; readonly lastUpdated: string; readonly [key: string]: unknown };
  readonly [key: string]: unknown;
}

/** One entry of a searchset, history, transaction-response or batch-response Bundle. */
export interface FhirBundleEntry {
  readonly fullUrl?: string;
  readonly resource?: StoredFhirResource;
  readonly search?: { readonly mode: string };
  readonly request?: { readonly method: string; readonly url: string };
  readonly response?: { readonly status: string; readonly location?: string; readonly etag?: string; readonly lastModified?: string; readonly outcome?: FhirFailure['data'] };
}

/** A Bundle as the gateway returns it. */
export interface FhirBundle {
  readonly resourceType: 'Bundle';
  readonly type: string;
  readonly total?: number;
  readonly link?: { relation: string; url: string }[];
  readonly entry?: FhirBundleEntry[];
}

/** The HTTP status and headers behind a fhir-kit-client result (its hidden response). */
export function httpOf(result: unknown): { status: number; headers: Headers } {
  const response = Client.httpFor(result as never).response;
  if (!response) throw new Error('expected a fhir-kit-client result that carries its HTTP response');
  return { status: response.status, headers: response.headers };
}

/**
 * POSTs a transaction or batch Bundle to the exact FHIR base `<baseUrl>/fhir` through fhir-kit-client's `request`
 * (its `transaction()`/`batch()` post to `<base>/`, with a trailing slash).
 */
export async function postBundle(client: Client, baseUrl: string, bundle: unknown): Promise<FhirBundle> {
  return (await client.request(`${baseUrl}/fhir`, { method: 'POST', options: { headers: { 'content-type': 'application/fhir+json' } }, body: bundle })) as unknown as FhirBundle;
}

/** The ids of a searchset's `match` entries, in the order returned. */
export function matchIds(bundle: FhirBundle): string[] {
  return (bundle.entry ?? []).filter((e) => e.search?.mode === 'match').map((e) => e.resource!.id);
}

/** Follows `next` links with fhir-kit-client's `nextPage` until there is none; returns every page. */
export async function allPages(client: Client, first: FhirBundle): Promise<FhirBundle[]> {
  const pages = [first];
  for (let page = first; ; ) {
    const next = client.nextPage({ bundle: page as never }) as Promise<unknown> | undefined;
    if (!next) return pages;
    page = (await next) as FhirBundle;
    pages.push(page);
    if (pages.length > 1000) throw new Error('more than 1000 pages: the next links do not end');
  }
}
