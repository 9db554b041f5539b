import { Inject, Injectable } from '@nestjs/common';
import KeycloakConnect from 'keycloak-connect';
import { OperationOutcomeError, unauthorized } from '../common/index.js';
import { APP_CONFIG, type AppConfig } from '../config/index.js';
import { type DemoPrincipals, demoPrincipals, IdentityService, loadRealm, REALM_FILE } from '../identity/index.js';
import { decodeJwt } from './bearer-token.js';
import { guardKeyRotation, type RealmKeys } from './key-rotation.js';
import type { Principal } from './principal.js';
import { TOKEN_PROBLEMS, tokenRejection } from './token-diagnostics.js';
import { TokenVerifier, type VerifierReadiness } from './token-verifier.js';
import { VerifiedTokenCache } from './verified-token-cache.js';

/** keycloak-connect's grant as far as we read it. */
interface ValidatedGrant {
  access_token?: { content: Record<string, unknown> };
}

/**
 * Validates access tokens with keycloak-connect exactly as against a real Keycloak: a bearer-only adapter for the
 * gateway's client (`resource`) with audience verification on, calling `grantManager.createGrant` (the Express
 * middleware does not fit Nest on Fastify); the issuer must be `<auth-server-url>/realms/<realm>` in both modes.
 * The realm's public keys come from an external Keycloak's certs endpoint
 * (`<auth-server-url>/realms/<realm>/protocol/openid-connect/certs`, fetched by keycloak-connect), or in embedded
 * mode in-process from the embedded provider, never through PUBLIC_URL and back; an unknown `kid` rereads them at
 * most every 10 s (see {@link guardKeyRotation}). In production, tokens of the realm file's demo users (by id or
 * username) and demo clients are refused.
 */
@Injectable()
export class KeycloakConnectTokenVerifier extends TokenVerifier {
  private readonly keycloak: KeycloakConnect.Keycloak;
  private readonly keys: RealmKeys;
  private readonly realmUrl: string;
  private readonly clientId: string;
  private readonly keySource: string;
  private readonly demo: DemoPrincipals | undefined;
  private readonly verified = new VerifiedTokenCache();

  constructor(@Inject(APP_CONFIG) config: AppConfig, @Inject(IdentityService) identity: IdentityService) {
    super();
    const { authServerUrl, realm, clientId } = config.identity;
    this.realmUrl = `${authServerUrl}/realms/${realm}`;
    this.clientId = clientId;
    const adapterConfig = {
      realm,
      'auth-server-url': authServerUrl,
      resource: clientId,
      'bearer-only': true,
      'verify-token-audience': true,
      // The embedded issuer speaks plain HTTP on loopback; a real Keycloak sits behind TLS ("external").
      'ssl-required': authServerUrl.startsWith('https:') ? 'external' : 'none',
      'confidential-port': 0,
    };
    this.keycloak = new KeycloakConnect({}, adapterConfig as KeycloakConnect.KeycloakConfig);
    const embedded = config.identity.mode === 'embedded';
    this.keys = guardKeyRotation(this.keycloak.grantManager, embedded ? { retrieve: () => identity.publicJwks() } : {});
    this.keySource = embedded ? 'the embedded identity provider' : this.realmUrl;
    this.demo = config.production ? demoPrincipals(loadRealm(REALM_FILE, { publicUrl: config.http.publicUrl, excludeDemo: false })) : undefined;
  }

  async verify(token: string): Promise<Principal> {
    const known = this.verified.get(token, (kid) => this.keys.has(kid));
    if (known) return known;
    // keycloak-connect reads any unparseable token as expired and never looks at `alg` or a missing `exp`: check
    // the JOSE structure first so the caller hears what is actually wrong (RFC 7515 §5.2, RFC 7519 §7.2).
    const decoded = decodeJwt(token);
    if (!decoded) throw unauthorized(TOKEN_PROBLEMS.malformedToken);
    if (decoded.header['alg'] !== 'RS256') throw unauthorized(TOKEN_PROBLEMS.algorithm);
    const { payload } = decoded;
    if (typeof payload['exp'] !== 'number' || typeof payload['iat'] !== 'number' || typeof payload['sub'] !== 'string' || typeof payload['azp'] !== 'string') {
      throw unauthorized(TOKEN_PROBLEMS.missingClaims);
    }

    let grant: ValidatedGrant;
    try {
      grant = (await this.keycloak.grantManager.createGrant({ access_token: token } as never)) as unknown as ValidatedGrant;
    } catch (error) {
      throw tokenRejection(error instanceof Error ? error.message : String(error), { realmUrl: this.realmUrl, clientId: this.clientId });
    }
    const content = grant.access_token?.content;
    if (!content) throw unauthorized(TOKEN_PROBLEMS.invalid);
    const principal = toPrincipal(content);
    if (this.demo && isDemoPrincipal(principal, this.demo)) throw unauthorized(TOKEN_PROBLEMS.demo);
    this.verified.set(token, principal, String(decoded.header['kid']));
    return principal;
  }

  async checkReady(): Promise<VerifierReadiness> {
    try {
      const count = await this.keys.refresh();
      return count > 0 ? { up: true, detail: `${count} signing key(s) from ${this.keySource}` } : { up: false, detail: `no signing keys from ${this.keySource}` };
    } catch (error) {
      const message = error instanceof OperationOutcomeError ? error.message : (error as Error).message;
      return { up: false, detail: `cannot read the realm keys from ${this.keySource}: ${message}` };
    }
  }
}

/**
 * Whether a validated token belongs to a demo account: the demo user's fixed id, a demo username
 * (`preferred_username`, compared as Keycloak stores it, lower-cased) or a demo client (`azp`).
 */
function isDemoPrincipal(principal: Principal, demo: DemoPrincipals): boolean {
  return demo.userIds.has(principal.subject) || demo.usernames.has(principal.username.toLowerCase()) || demo.clientIds.has(principal.clientId);
}

/** The principal from validated claims (Keycloak's names: sub, preferred_username, realm_access.roles, azp). */
export function toPrincipal(claims: Record<string, unknown>): Principal {
  const realmAccess = claims['realm_access'] as { roles?: unknown } | undefined;
  const roles = Array.isArray(realmAccess?.roles) ? realmAccess.roles.filter((r): r is string => typeof r === 'string') : [];
  const username = typeof claims['preferred_username'] === 'string' ? claims['preferred_username'] : String(claims['sub']);
  const fhirPatient = claims['fhir_patient'];
  return {
    subject: String(claims['sub']),
    username,
    roles,
    clientId: String(claims['azp']),
    ...(typeof fhirPatient === 'string' && fhirPatient ? { fhirPatient } : {}),
    issuer: String(claims['iss']),
    tokenId: typeof claims['jti'] === 'string' ? claims['jti'] : '',
    expiresAt: new Date(Number(claims['exp']) * 1000),
  };
}
