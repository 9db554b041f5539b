import type { AppConfig } from '../config/index.js';

/**
 * What the browser apps need to know at run time, served at `GET /app-config.json`. Derived from the gateway's
 * configuration so the same build works against the embedded issuer and a real Keycloak.
 */
export interface WebAppConfig {
  /** OpenID issuer: Keycloak's `<auth-server-url>/realms/<realm>`. */
  readonly issuer: string;
  /** Public (PKCE) client ids of the two apps, as registered in the realm. */
  readonly clients: { readonly portal: string; readonly clinician: string };
  /** Where the apps send GraphQL requests; a path on the gateway's own origin, which also serves the apps. */
  readonly graphqlUrl: string;
}

export function webAppConfig(config: AppConfig): WebAppConfig {
  // A path, not an absolute URL: the apps are served by this gateway, so the same origin is always right, also
  // when the browser reaches it under another host name than PUBLIC_URL (127.0.0.1 vs localhost).
  const basePath = new URL(config.http.publicUrl).pathname.replace(/\/+$/, '');
  return {
    issuer: `${config.identity.authServerUrl}/realms/${config.identity.realm}`,
    clients: { portal: 'patient-portal', clinician: 'clinician-app' },
    graphqlUrl: `${basePath}/graphql`,
  };
}
