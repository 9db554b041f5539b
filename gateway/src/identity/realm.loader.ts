import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isSupportedPasswordAlgorithm, type PasswordCredential } from './password-hash.js';
import { Realm, type RealmClient, type RealmUser } from './realm.model.js';
import { type ClientRepresentation, isDemo, type RealmRepresentation, realmSchema, type UserRepresentation } from './realm.representation.js';

/** The committed realm export (the same file imports into a real Keycloak); resolves from src/ and dist/ alike. */
export const REALM_FILE = fileURLToPath(new URL('../../realm/fhir-gateway-realm.json', import.meta.url));

/** The realm file is unusable: names the file and what is wrong with it. */
export class RealmError extends Error {
  override readonly name = 'RealmError';
}

/** How the realm is loaded: demo accounts are dropped in production. */
export interface RealmLoadOptions {
  /** The gateway's public URL: relative redirect URIs (e.g. `/portal/*`) resolve against it. */
  readonly publicUrl: string;
  /** Drop users and clients marked `demo` (and the service accounts of dropped clients). */
  readonly excludeDemo: boolean;
  /**
   * Further roots relative URIs also resolve against: in development the other loopback names of a loopback
   * public URL, so an app opened at 127.0.0.1 works as well as at localhost.
   */
  readonly alternateRoots?: readonly string[];
}

/** The same URL on the other loopback host names (localhost, 127.0.0.1, [::1]); empty for other hosts. */
export function loopbackAlternates(publicUrl: string): string[] {
  const url = new URL(publicUrl);
  const loopbacks = ['localhost', '127.0.0.1', '[::1]'];
  if (!loopbacks.includes(url.hostname)) return [];
  return loopbacks
    .filter((h) => h !== url.hostname)
    .map((host) => {
      const alt = new URL(publicUrl);
      alt.hostname = host;
      return alt.href.replace(/\/+$/, '');
    });
}

/** Reads, validates and resolves a Keycloak realm export. @throws RealmError naming the problem. */
export function loadRealm(file: string, options: RealmLoadOptions): Realm {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new RealmError(`cannot read realm file ${file}: ${(error as Error).message}`);
  }
  const parsed = realmSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new RealmError(`realm file ${file} is not a Keycloak realm export: ${issue.path.join('.')}: ${issue.message}`);
  }
  return buildRealm(parsed.data, options, file);
}

/** Builds the in-memory {@link Realm} from a parsed representation. Exported for unit tests. */
export function buildRealm(rep: RealmRepresentation, options: RealmLoadOptions, source = 'realm'): Realm {
  if (!rep.enabled) throw new RealmError(`realm "${rep.realm}" in ${source} is disabled`);
  const clients = rep.clients
    .filter((c) => c.enabled && c.protocol === 'openid-connect' && !(options.excludeDemo && isDemo(c)))
    .map((c) => resolveClient(c, rep, [options.publicUrl, ...(options.alternateRoots ?? [])]));
  const kept = new Set(clients.map((c) => c.clientId));
  const composites = compositeRoles(rep);
  const users = rep.users
    .filter((u) => u.enabled && !(options.excludeDemo && isDemo(u)))
    .filter((u) => !u.serviceAccountClientId || kept.has(u.serviceAccountClientId))
    .map((u) => resolveUser(u, composites, source));
  for (const client of clients.filter((c) => c.serviceAccountsEnabled)) {
    // Keycloak creates the service-account user with the client; an export may lack it if it has no roles.
    if (!users.some((u) => u.serviceAccountClientId === client.clientId)) {
      users.push({ id: `service-account-${client.clientId}`, username: `service-account-${client.clientId}`, emailVerified: false, attributes: {}, roles: [], serviceAccountClientId: client.clientId, demo: client.demo });
    }
  }
  for (const client of clients) {
    if (!client.publicClient && !client.bearerOnly && !client.secret && (client.standardFlowEnabled || client.directAccessGrantsEnabled || client.serviceAccountsEnabled)) {
      throw new RealmError(`confidential client "${client.clientId}" in ${source} has no secret`);
    }
  }
  const realm = new Realm(
    rep.realm,
    rep.displayName || rep.realm,
    {
      accessTokenLifespan: rep.accessTokenLifespan,
      accessCodeLifespan: rep.accessCodeLifespan,
      accessCodeLifespanLogin: rep.accessCodeLifespanLogin,
      ssoSessionIdleTimeout: rep.ssoSessionIdleTimeout,
      ssoSessionMaxLifespan: rep.ssoSessionMaxLifespan,
    },
    users,
    clients,
    rep.clientScopes.filter((s) => s.protocol === 'openid-connect'),
    rep.loginWithEmailAllowed,
    rep.bruteForceProtected
      ? { failureFactor: rep.failureFactor, waitIncrementSeconds: rep.waitIncrementSeconds, maxFailureWaitSeconds: rep.maxFailureWaitSeconds, maxDeltaTimeSeconds: rep.maxDeltaTimeSeconds }
      : undefined,
  );
  if (realm.tokenClients.length === 0) {
    throw new RealmError(
      options.excludeDemo
        ? `realm "${rep.realm}" has no usable client once the demo clients are removed (production mode refuses demo accounts): add a non-demo client to ${source}`
        : `realm "${rep.realm}" in ${source} has no client that can obtain tokens`,
    );
  }
  return realm;
}

/** Role name → every role it grants (itself and its realm composites, transitively). */
function compositeRoles(rep: RealmRepresentation): Map<string, Set<string>> {
  const direct = new Map((rep.roles.realm ?? []).map((r) => [r.name, r.composite ? (r.composites?.realm ?? []) : []]));
  const expanded = new Map<string, Set<string>>();
  for (const name of direct.keys()) {
    const seen = new Set<string>();
    const stack = [name];
    while (stack.length) {
      const role = stack.pop()!;
      if (seen.has(role)) continue;
      seen.add(role);
      stack.push(...(direct.get(role) ?? []));
    }
    expanded.set(name, seen);
  }
  return expanded;
}

function resolveUser(u: UserRepresentation, composites: Map<string, Set<string>>, source: string): RealmUser {
  const roles = new Set<string>();
  for (const role of u.realmRoles) {
    const granted = composites.get(role);
    if (!granted) throw new RealmError(`user "${u.username}" in ${source} has realm role "${role}", which the realm does not define`);
    granted.forEach((r) => roles.add(r));
  }
  const password = passwordCredential(u);
  return {
    id: u.id,
    username: u.username.toLowerCase(),
    ...(u.email ? { email: u.email } : {}),
    emailVerified: u.emailVerified,
    ...(u.firstName ? { firstName: u.firstName } : {}),
    ...(u.lastName ? { lastName: u.lastName } : {}),
    attributes: u.attributes,
    roles: [...roles].sort(),
    ...(password ? { password } : {}),
    ...(u.serviceAccountClientId ? { serviceAccountClientId: u.serviceAccountClientId } : {}),
    demo: isDemo(u),
  };
}

/** Keycloak exports `secretData` {value, salt} and `credentialData` {hashIterations, algorithm} as JSON strings. */
function passwordCredential(u: UserRepresentation): PasswordCredential | undefined {
  const credential = u.credentials.find((c) => c.type === 'password');
  if (!credential?.secretData || !credential.credentialData) return undefined;
  try {
    const secret = JSON.parse(credential.secretData) as { value?: unknown; salt?: unknown };
    const data = JSON.parse(credential.credentialData) as { hashIterations?: unknown; algorithm?: unknown };
    if (typeof secret.value !== 'string' || typeof secret.salt !== 'string' || typeof data.hashIterations !== 'number' || typeof data.algorithm !== 'string') return undefined;
    if (!isSupportedPasswordAlgorithm(data.algorithm)) return undefined;
    return { algorithm: data.algorithm, hashIterations: data.hashIterations, salt: secret.salt, value: secret.value };
  } catch {
    return undefined;
  }
}

function resolveClient(c: ClientRepresentation, rep: RealmRepresentation, roots: readonly string[]): RealmClient {
  // Keycloak resolves relative redirect URIs against the client's root URL. The embedded provider *is* the
  // gateway that serves the apps, so the gateway's public URL is the root here, whatever the file says.
  const resolve = (uri: string) => (uri.startsWith('/') ? roots.map((root) => `${root}${uri}`) : [uri]);
  const redirectUris = [...new Set(c.redirectUris.flatMap(resolve))];
  const postLogoutAttr = c.attributes['post.logout.redirect.uris'];
  const postLogout = postLogoutAttr === undefined || postLogoutAttr === '' ? [] : postLogoutAttr.split('##').flatMap((u) => (u === '+' ? redirectUris : resolve(u)));
  const webOrigins = c.webOrigins.flatMap((o) => (o === '+' ? redirectUris.map(originOf).filter((x): x is string => !!x) : [o]));
  const lifespan = Number(c.attributes['access.token.lifespan']);
  return {
    clientId: c.clientId,
    ...(c.name ? { name: c.name } : {}),
    publicClient: c.publicClient,
    ...(c.secret && !c.publicClient ? { secret: c.secret } : {}),
    bearerOnly: c.bearerOnly,
    standardFlowEnabled: c.standardFlowEnabled && !c.bearerOnly,
    directAccessGrantsEnabled: c.directAccessGrantsEnabled && !c.bearerOnly,
    serviceAccountsEnabled: c.serviceAccountsEnabled && !c.publicClient && !c.bearerOnly,
    redirectUris,
    postLogoutRedirectUris: [...new Set(postLogout)],
    webOrigins: [...new Set(webOrigins)],
    ...(c.attributes['pkce.code.challenge.method'] ? { pkceMethod: c.attributes['pkce.code.challenge.method'] } : {}),
    ...(Number.isInteger(lifespan) && lifespan > 0 ? { accessTokenLifespan: lifespan } : {}),
    useRefreshTokens: c.attributes['use.refresh.tokens'] !== 'false',
    protocolMappers: c.protocolMappers.filter((m) => m.protocol === 'openid-connect'),
    defaultClientScopes: c.defaultClientScopes ?? rep.defaultDefaultClientScopes,
    optionalClientScopes: c.optionalClientScopes ?? rep.defaultOptionalClientScopes,
    demo: isDemo(c),
  };
}

function originOf(uri: string): string | undefined {
  const url = URL.parse(uri.replace(/\*$/, ''));
  return url && url.origin !== 'null' ? url.origin : undefined;
}
