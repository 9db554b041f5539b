import type { JSONWebKeySet } from 'jose';
import type { AppConfig } from '../config/index.js';
import type { DemoAccounts } from './demo-accounts.js';

/**
 * The identity side of the gateway as other modules see it (the issuer, the realm's public keys in embedded mode,
 * the demo accounts for the startup banner). Also the injection token: {@link IdentityModule.forRoot} binds it to
 * the embedded provider or to {@link ExternalKeycloakIdentityService}. Readiness is the token verifier's
 * (`TokenVerifier.checkReady`): it reads the same keys every request is checked with.
 */
export abstract class IdentityService {
  constructor(protected readonly config: AppConfig) {}

  /** `<auth-server-url>/realms/<realm>`: the issuer of every token the gateway accepts. */
  get issuer(): string {
    return `${this.config.identity.authServerUrl}/realms/${this.config.identity.realm}`;
  }

  /** Whether this gateway serves the identity provider itself. */
  get embedded(): boolean {
    return this.config.identity.mode === 'embedded';
  }

  /**
   * The realm's public signing keys, exactly as its certs endpoint publishes them (RFC 7517 §5), read in-process
   * so the token verifier never calls its own host through PUBLIC_URL.
   * @throws Error with an external Keycloak (the verifier fetches its certs endpoint) or before the embedded
   * provider has started.
   */
  abstract publicJwks(): Promise<JSONWebKeySet>;

  /**
   * The demo accounts (usernames, passwords, roles, patient ids; demo clients and secrets) to print at startup.
   * Undefined in production and with an external Keycloak: there are none to show.
   */
  abstract demoAccounts(): DemoAccounts | undefined;
}

/** With an external Keycloak the gateway serves no identity endpoints; the token verifier talks to Keycloak. */
export class ExternalKeycloakIdentityService extends IdentityService {
  async publicJwks(): Promise<JSONWebKeySet> {
    throw new Error(`the keys of an external Keycloak are published at ${this.issuer}/protocol/openid-connect/certs, not in this process`);
  }

  demoAccounts(): DemoAccounts | undefined {
    return undefined;
  }
}
