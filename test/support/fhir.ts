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
