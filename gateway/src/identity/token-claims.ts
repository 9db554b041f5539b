import { applyMappers, type MapperInput, type TokenKind } from './protocol-mappers.js';
import type { Realm, RealmClient, RealmUser } from './realm.model.js';
import type { ClientScopeRepresentation, ProtocolMapperRepresentation } from './realm.representation.js';

/** Everything that decides a token's claims: who, for which client, with which requested scopes, in which session. */
export interface ClaimSubject {
  readonly realm: Realm;
  readonly client: RealmClient;
  readonly user: RealmUser;
  /** The `scope` request parameter, split (may hold openid and optional client scopes). */
  readonly requestedScopes: ReadonlySet<string>;
  /** Session id (`sid`) of a user session; absent for service-account tokens. */
  readonly sid?: string;
  /** When the user authenticated (seconds since the epoch). */
  readonly authTime?: number;
}

/**
 * The client scopes in effect (Keycloak: the client's default scopes always, optional scopes only when requested),
 * in the order Keycloak applies them.
 */
function effectiveClientScopes(subject: ClaimSubject): ClientScopeRepresentation[] {
  const { realm, client, requestedScopes } = subject;
  const names = [...client.defaultClientScopes, ...client.optionalClientScopes.filter((s) => requestedScopes.has(s))];
  return names.map((n) => realm.clientScope(n)).filter((s): s is ClientScopeRepresentation => !!s);
}

/** The scope values a client may request: openid, its default and optional client scopes. */
export function allowedScopes(client: RealmClient): string[] {
  return ['openid', ...client.defaultClientScopes, ...client.optionalClientScopes];
}

/**
 * The `scope` claim and token-response value: openid when requested, then every effective client scope whose
 * `include.in.token.scope` is not "false" (Keycloak `TokenManager.getScopeString`).
 */
export function scopeClaim(subject: ClaimSubject): string {
  const scopes = effectiveClientScopes(subject)
    .filter((s) => s.attributes['include.in.token.scope'] !== 'false')
    .map((s) => s.name);
  return [...(subject.requestedScopes.has('openid') ? ['openid'] : []), ...scopes].join(' ');
}

function mapped(subject: ClaimSubject, kind: TokenKind) {
  const mappers: ProtocolMapperRepresentation[] = [
    ...effectiveClientScopes(subject).flatMap((s) => s.protocolMappers),
    ...subject.client.protocolMappers,
  ];
  const input: MapperInput = {
    user: subject.user,
    client: subject.client,
    sessionNotes: {
      ...(subject.authTime !== undefined ? { AUTH_TIME: subject.authTime } : {}),
      ...(subject.user.serviceAccountClientId ? { client_id: subject.client.clientId } : {}),
    },
    // Keycloak's level of authentication: 1 after a password login; service accounts have no login.
    ...(subject.user.serviceAccountClientId ? {} : { acr: '1' }),
  };
  return applyMappers(mappers, input, kind);
}

/** Registered claims the provider fills in itself; mappers never override them. */
export interface TokenEnvelope {
  readonly iss: string;
  readonly jti: string;
  readonly iat: number;
  readonly exp: number;
}

/**
 * An access token payload shaped like Keycloak's (RFC 9068 claims plus Keycloak's `typ`, `azp`, `sid`,
 * `realm_access`, `scope`): the audience comes from the audience mappers, falling back to the client itself.
 */
export function accessTokenClaims(subject: ClaimSubject, envelope: TokenEnvelope): Record<string, unknown> {
  const { claims, audiences } = mapped(subject, 'access');
  const aud = audiences.length === 0 ? subject.client.clientId : audiences.length === 1 ? audiences[0] : [...audiences];
  return {
    exp: envelope.exp,
    iat: envelope.iat,
    jti: envelope.jti,
    iss: envelope.iss,
    aud,
    ...claims,
    sub: subject.user.id,
    typ: 'Bearer',
    azp: subject.client.clientId,
    ...(subject.sid ? { sid: subject.sid } : {}),
    scope: scopeClaim(subject),
  };
}

/**
 * The claims an ID token carries besides those oidc-provider sets itself (iss, aud = client id, exp, iat, nonce,
 * sid, auth_time, acr): Keycloak's `typ: "ID"`, `azp` and the mapped user claims (OIDC Core §2).
 */
export function idTokenClaims(subject: ClaimSubject, jti: string): Record<string, unknown> {
  const { claims } = mapped(subject, 'id');
  delete claims['acr'];
  delete claims['auth_time'];
  return { ...claims, sub: subject.user.id, typ: 'ID', azp: subject.client.clientId, jti };
}

/** The UserInfo response (OIDC Core §5.3.2): sub and the claims of mappers with their userinfo switch on. */
export function userinfoClaims(subject: ClaimSubject): Record<string, unknown> {
  const { claims } = mapped(subject, 'userinfo');
  return { ...claims, sub: subject.user.id };
}

/** Every top-level claim name the realm's mappers can emit, so oidc-provider lets them into ID tokens. */
export function mappableClaimNames(realm: Realm): string[] {
  const names = new Set(['sub', 'typ', 'azp', 'jti', 'name', 'acr', 'auth_time']);
  const mappers = [...realm.clientScopes.flatMap((s) => s.protocolMappers), ...realm.clients.flatMap((c) => c.protocolMappers)];
  for (const m of mappers) {
    const claim = m.config['claim.name'];
    if (claim) names.add(claim.split(/(?<!\\)\./)[0]!.replace(/\\\./g, '.'));
  }
  return [...names];
}
