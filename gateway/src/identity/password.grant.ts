import { randomUUID } from 'node:crypto';
import { errors, type Provider, type ResourceServer, type TokenEndpointGrantContext } from 'oidc-provider';
import { clientAddress } from './client-address.js';
import type { PasswordAuthenticator } from './password-authenticator.js';
import type { Realm } from './realm.model.js';
import { allowedScopes, idTokenClaims, scopeClaim } from './token-claims.js';

/** What the password grant needs from the provider configuration. */
export interface PasswordGrantDeps {
  readonly realm: Realm;
  readonly authenticator: PasswordAuthenticator;
  /** The resource indicator every access token is issued for, and its resource server settings. */
  readonly resource: string;
  readonly resourceServer: (clientId: string) => ResourceServer;
  /** Trust X-Forwarded-For from the TLS-terminating proxy (production) for the client address. */
  readonly trustProxy: boolean;
}

type PasswordParams = { username?: string; password?: string };

/**
 * Registers the Resource Owner Password Credentials grant (RFC 6749 §4.3) the way Keycloak serves it as "direct
 * access grants". Every client's metadata lists the `password` grant type, so oidc-provider lets the request
 * through (it would answer `invalid_request` itself) and this handler refuses clients without
 * `directAccessGrantsEnabled` with Keycloak's 400 `unauthorized_client` "Client not allowed for direct access
 * grants". Bad credentials, and a brute-force lockout, answer 401 `invalid_grant` "Invalid user credentials",
 * whatever was wrong, as Keycloak does. For demo scripts and tests; browser apps use the authorization code flow
 * with PKCE.
 */
export function registerPasswordGrant(provider: Provider, deps: PasswordGrantDeps): void {
  provider.registerGrantType<PasswordParams>('password', (ctx) => passwordGrant(provider, deps, ctx), ['username', 'password', 'scope']);
}

async function passwordGrant(provider: Provider, deps: PasswordGrantDeps, ctx: TokenEndpointGrantContext<PasswordParams>): Promise<void> {
  const { client, params } = ctx.oidc;
  const realmClient = deps.realm.client(client.clientId);
  if (!realmClient?.directAccessGrantsEnabled) throw new errors.CustomOIDCProviderError('unauthorized_client', 'Client not allowed for direct access grants');
  if (!params.username) throw new errors.InvalidRequest('missing parameter: username');
  if (params.password === undefined) throw new errors.InvalidRequest('missing parameter: password');

  const { user } = await deps.authenticator.authenticate(params.username, params.password, clientAddress(ctx.req, deps.trustProxy));
  if (!user) {
    const error = new errors.InvalidGrant('invalid user credentials');
    Object.assign(error, { status: 401, statusCode: 401, error_description: 'Invalid user credentials' });
    throw error;
  }

  const requested = new Set((params.scope ?? 'openid').split(' ').filter(Boolean));
  const allowed = new Set(allowedScopes(realmClient));
  const invalid = [...requested].filter((s) => !allowed.has(s));
  if (invalid.length) throw new errors.InvalidScope(`Invalid scopes: ${invalid.join(' ')}`, invalid.join(' '));
  const scope = [...requested].join(' ');

  const grant = new provider.Grant({ accountId: user.id, clientId: client.clientId });
  grant.addOIDCScope(scope);
  grant.addResourceScope(deps.resource, scope);
  const grantId = await grant.save();

  // A direct grant is a fresh authentication: it gets its own session id, as Keycloak creates a user session.
  const sid = randomUUID();
  const authTime = Math.floor(Date.now() / 1000);
  const accessToken = new provider.AccessToken({ accountId: user.id, client, grantId, gty: 'password', scope, sid, expiresWithSession: false });
  accessToken.resourceServer = new provider.ResourceServer(deps.resource, deps.resourceServer(client.clientId));
  ctx.oidc.entity('AccessToken', accessToken);
  const value = await accessToken.save();

  const subject = { realm: deps.realm, client: realmClient, user, requestedScopes: requested, sid };
  let idToken: string | undefined;
  if (requested.has('openid')) {
    const token = new provider.IdToken(idTokenClaims(subject, randomUUID()), { ctx });
    // oidc-provider filters ID token claims by the token's scope (the claims config lists ours under openid).
    (token as unknown as { scope: string }).scope = 'openid';
    token.set('sid', sid);
    token.set('auth_time', authTime);
    token.set('acr', '1');
    idToken = await token.issue({ use: 'idtoken' });
  }

  ctx.body = {
    access_token: value,
    expires_in: accessToken.expiration,
    refresh_expires_in: 0,
    token_type: 'Bearer',
    ...(idToken ? { id_token: idToken } : {}),
    'not-before-policy': 0,
    session_state: sid,
    scope: scopeClaim(subject),
  };
}
