import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import Provider, { type ClientMetadata, type Configuration, errors, type KoaContextWithOIDC, type ResourceServer } from 'oidc-provider';
import type { DatabaseSchema } from '../store/index.js';
import type { IdentityKeys } from './identity-keys.js';
import { LOGIN_ACTIONS_PATH } from './login.interaction.js';
import { logoutSource, postLogoutSuccessSource } from './logout.js';
import { messagePage, pageHeaders } from './pages.js';
import type { PasswordAuthenticator } from './password-authenticator.js';
import { registerPasswordGrant } from './password.grant.js';
import type { Realm, RealmClient } from './realm.model.js';
import { allowKeycloakRedirects } from './redirect-uris.js';
import { kyselyOidcAdapterFactory } from './kysely-oidc.adapter.js';
import { accessTokenClaims, allowedScopes, idTokenClaims, mappableClaimNames } from './token-claims.js';

/** Everything the provider is built from. */
export interface OidcProviderDeps {
  /** `<auth-server-url>/realms/<realm>`: Keycloak's issuer; its path is the provider's mount path. */
  readonly issuer: string;
  readonly realm: Realm;
  readonly keys: IdentityKeys;
  readonly db: Kysely<DatabaseSchema>;
  readonly authenticator: PasswordAuthenticator;
  /** The audience every token is meant for unless a mapper says otherwise (the gateway's client id). */
  readonly gatewayClientId: string;
  /** Trust X-Forwarded-Proto/Host from a TLS-terminating proxy (production). */
  readonly trustProxy: boolean;
}

/** Keycloak's endpoint paths under `/realms/<realm>` (discovery stays at oidc-provider's `/.well-known/...`). */
const KEYCLOAK_ROUTES = {
  authorization: '/protocol/openid-connect/auth',
  token: '/protocol/openid-connect/token',
  jwks: '/protocol/openid-connect/certs',
  userinfo: '/protocol/openid-connect/userinfo',
  end_session: '/protocol/openid-connect/logout',
  revocation: '/protocol/openid-connect/revoke',
  introspection: '/protocol/openid-connect/token/introspect',
  pushed_authorization_request: '/protocol/openid-connect/ext/par/request',
} as const;

/** The fields of an AccessToken or ClientCredentials model the access token shape depends on. */
interface IssuedToken {
  readonly kind: string;
  readonly clientId: string;
  readonly accountId?: string;
  readonly scope?: string;
  readonly sid?: string;
  readonly gty?: string;
}

/** Session cookie options (also used to clear the cookie on logout). */
const LONG_COOKIE = { httpOnly: true, sameSite: 'lax', signed: true } as const;

/**
 * Builds the embedded Keycloak-compatible OpenID provider on oidc-provider, driven by the realm: its clients,
 * users (through {@link PasswordAuthenticator} and `findAccount`), scopes and protocol mappers (through the JWT
 * customizer and the ID token claims), and lifespans. Access tokens are RS256 JWTs shaped like Keycloak's.
 */
export function createOidcProvider(deps: OidcProviderDeps): Provider {
  const { realm, issuer } = deps;
  const issuerPath = new URL(issuer).pathname;
  // One internal resource indicator (RFC 8707) so oidc-provider issues JWT access tokens; clients never see it.
  const resource = `urn:fhir-gateway:realm:${realm.name}`;
  const lifespan = (clientId: string) => realm.client(clientId)?.accessTokenLifespan ?? realm.lifespans.accessTokenLifespan;
  const resourceServer = (clientId: string): ResourceServer => ({
    scope: allowedScopes(realm.client(clientId)!).join(' '),
    audience: deps.gatewayClientId,
    accessTokenTTL: lifespan(clientId),
    accessTokenFormat: 'jwt',
    jwt: { sign: { alg: 'RS256' } },
  });
  const realmClientOf = (clientId: string): RealmClient => {
    const client = realm.client(clientId);
    if (!client) throw new errors.InvalidClient('client not found');
    return client;
  };

  const configuration: Configuration = {
    adapter: kyselyOidcAdapterFactory({ db: deps.db }),
    clients: realm.tokenClients.map(clientMetadata),
    jwks: { keys: [deps.keys.signingKey as never] },
    cookies: {
      keys: [...deps.keys.cookieKeys],
      names: { session: 'KC_SESSION', interaction: 'KC_INTERACTION', resume: 'KC_RESUME' },
      long: { ...LONG_COOKIE },
      short: { httpOnly: true, sameSite: 'lax', signed: true },
    },
    routes: KEYCLOAK_ROUTES,
    scopes: ['openid', 'offline_access', ...realm.clientScopes.map((s) => s.name)],
    claims: { openid: mappableClaimNames(realm), acr: null, auth_time: null, sid: null, iss: null },
    conformIdTokenClaims: false,
    allowOmittingSingleRegisteredRedirectUri: false,
    responseTypes: ['code'],
    pkce: {
      // RFC 7636 S256 (the only method oidc-provider implements) for public clients and wherever the client's
      // `pkce.code.challenge.method` attribute asks for it.
      required: (_ctx, client) => client.clientAuthMethod === 'none' || realm.client(client.clientId)?.pkceMethod === 'S256',
    },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: true },
      revocation: { enabled: true },
      userinfo: { enabled: true },
      dPoP: { enabled: false },
      rpInitiatedLogout: { enabled: true, logoutSource: logoutSource({ realmName: realm.displayName, sessionCookie: LONG_COOKIE }), postLogoutSuccessSource },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => resource,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, indicator, client) => {
          if (indicator !== resource) throw new errors.InvalidTarget();
          return resourceServer(client.clientId);
        },
      },
    },
    formats: { customizers: { jwt: (ctx, token, jwt) => shapeAccessToken(ctx, token as unknown as IssuedToken, jwt) } },
    findAccount: (ctx, sub) => {
      const user = realm.userById(sub);
      if (!user || user.serviceAccountClientId) return undefined;
      return {
        accountId: sub,
        claims: (_use, scope) => {
          const client = realmClientOf(ctx.oidc.client!.clientId);
          return idTokenClaims({ realm, client, user, requestedScopes: new Set(scope.split(' ')) }, randomUUID()) as { sub: string };
        },
      };
    },
    // Keycloak clients with consentRequired=false are first-party: grant what they may ask for, no consent page.
    loadExistingGrant: async (ctx) => {
      const { client, session } = ctx.oidc;
      if (!client || !session?.accountId) return undefined;
      const grantId = ctx.oidc.result?.consent?.grantId ?? session.grantIdFor(client.clientId);
      let grant = grantId ? await ctx.oidc.provider.Grant.find(grantId) : undefined;
      if (grant && grant.accountId !== session.accountId) grant = undefined;
      grant ??= new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId });
      const allowed = new Set(allowedScopes(realmClientOf(client.clientId)));
      const requested = [...ctx.oidc.requestParamScopes].filter((s) => allowed.has(s));
      // Every client scope is an OIDC scope to oidc-provider (see `scopes`) and a scope of the one resource server.
      if (requested.length) {
        grant.addOIDCScope(requested.join(' '));
        grant.addResourceScope(resource, requested.join(' '));
      }
      await grant.save();
      return grant;
    },
    issueRefreshToken: (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    clientBasedCORS: (_ctx, origin, client) => {
      const origins = realm.client(client.clientId)?.webOrigins ?? [];
      return origins.includes('*') || origins.includes(origin);
    },
    // Path-absolute, so the browser stays on the host it used (the interaction cookie is host-bound).
    interactions: { url: (_ctx, interaction) => `${issuerPath}${LOGIN_ACTIONS_PATH}/${interaction.uid}` },
    ttl: {
      AccessToken: (_ctx, _token, client) => lifespan(client.clientId),
      ClientCredentials: (_ctx, _token, client) => lifespan(client.clientId),
      IdToken: (_ctx, _token, client) => lifespan(client.clientId),
      AuthorizationCode: realm.lifespans.accessCodeLifespan,
      Interaction: realm.lifespans.accessCodeLifespanLogin,
      RefreshToken: realm.lifespans.ssoSessionIdleTimeout,
      Session: realm.lifespans.ssoSessionMaxLifespan,
      Grant: realm.lifespans.ssoSessionMaxLifespan,
    },
    renderError: (ctx, out) => {
      ctx.set(pageHeaders());
      ctx.body = messagePage('We are sorry…', out.error_description ?? out.error);
    },
  };

  /** Keycloak's access token shape (header typ "JWT"), from the realm's mappers for the token's client and user. */
  function shapeAccessToken(ctx: KoaContextWithOIDC, token: IssuedToken, jwt: { header?: Record<string, unknown>; payload: Record<string, unknown> }): void {
    const client = realmClientOf(token.clientId);
    const user = token.kind === 'ClientCredentials' ? realm.serviceAccountOf(token.clientId) : token.accountId ? realm.userById(token.accountId) : undefined;
    if (!user) throw new Error(`no realm user for a ${token.kind} of client ${token.clientId}`);
    const iat = jwt.payload['iat'] as number;
    const source = ctx?.oidc?.entities.AuthorizationCode ?? ctx?.oidc?.entities.RefreshToken;
    const authTime = token.gty === 'password' ? iat : source?.authTime;
    jwt.header = { typ: 'JWT' };
    jwt.payload = accessTokenClaims(
      { realm, client, user, requestedScopes: new Set((token.scope ?? '').split(' ').filter(Boolean)), ...(token.sid ? { sid: token.sid } : {}), ...(authTime ? { authTime } : {}) },
      { iss: issuer, jti: jwt.payload['jti'] as string, iat, exp: jwt.payload['exp'] as number },
    );
  }

  const provider = new Provider(issuer, configuration);
  provider.proxy = deps.trustProxy;
  allowKeycloakRedirects(provider);
  // Keycloak puts the session id (`sid`) into every token of a browser session; oidc-provider only does so for
  // clients registered for front/back-channel logout.
  (provider.Client.prototype as unknown as { includeSid(): boolean }).includeSid = () => true;
  registerPasswordGrant(provider, { realm, authenticator: deps.authenticator, resource, resourceServer, trustProxy: deps.trustProxy });
  return provider;
}

/**
 * A realm client as oidc-provider client metadata (RFC 7591 names). `refresh_token` only when the client's
 * `use.refresh.tokens` is on (Keycloak's default); `password` for every client, because the grant handler, not
 * oidc-provider, refuses clients without direct access grants, with Keycloak's error.
 */
function clientMetadata(client: RealmClient): ClientMetadata {
  const grantTypes = [
    ...(client.standardFlowEnabled ? ['authorization_code', ...(client.useRefreshTokens ? ['refresh_token'] : [])] : []),
    'password',
    ...(client.serviceAccountsEnabled ? ['client_credentials'] : []),
  ];
  return {
    client_id: client.clientId,
    ...(client.name ? { client_name: client.name } : {}),
    ...(client.publicClient ? { token_endpoint_auth_method: 'none' } : { client_secret: client.secret ?? '', token_endpoint_auth_method: 'client_secret_basic' }),
    grant_types: grantTypes,
    response_types: client.standardFlowEnabled ? ['code'] : [],
    redirect_uris: client.standardFlowEnabled ? [...client.redirectUris] : [],
    post_logout_redirect_uris: [...client.postLogoutRedirectUris],
    scope: allowedScopes(client).join(' '),
  };
}
