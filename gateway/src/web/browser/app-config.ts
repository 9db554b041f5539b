import { Problem, unreachable } from './problem.js';

/** The gateway's `GET /app-config.json`: where the issuer and GraphQL are, and the apps' client ids. */
export interface WebAppConfig {
  readonly issuer: string;
  readonly clients: { readonly portal: string; readonly clinician: string };
  readonly graphqlUrl: string;
}

function isWebAppConfig(value: unknown): value is WebAppConfig {
  const v = value as Partial<WebAppConfig> | null;
  return (
    typeof v?.issuer === 'string' &&
    typeof v.graphqlUrl === 'string' &&
    typeof v.clients?.portal === 'string' &&
    typeof v.clients.clinician === 'string'
  );
}

/**
 * Fetches the run-time configuration from the origin that served the app, so one build works with the embedded
 * issuer and with a real Keycloak.
 * @throws Problem when the gateway is unreachable or answers something other than the expected JSON.
 */
export async function loadAppConfig(origin: string = window.location.origin): Promise<WebAppConfig> {
  let response: Response;
  try {
    response = await fetch(new URL('/app-config.json', origin), { headers: { accept: 'application/json' }, cache: 'no-cache' });
  } catch {
    throw unreachable('Loading the app settings');
  }
  const body: unknown = response.ok ? await response.json().catch(() => null) : null;
  if (!isWebAppConfig(body)) {
    throw new Problem('The app settings could not be loaded', `The gateway answered HTTP ${response.status} instead of the app settings. Try again in a moment.`, 'BAD_CONFIG');
  }
  return body;
}
