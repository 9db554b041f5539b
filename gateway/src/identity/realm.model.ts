import type { PasswordCredential } from './password-hash.js';
import type { ClientScopeRepresentation, ProtocolMapperRepresentation } from './realm.representation.js';

/** A user of the realm as the embedded identity provider serves it (roles already expanded through composites). */
export interface RealmUser {
  /** Keycloak user id: the token `sub`. */
  readonly id: string;
  readonly username: string;
  readonly email?: string;
  readonly emailVerified: boolean;
  readonly firstName?: string;
  readonly lastName?: string;
  /** Keycloak user attributes (multi-valued). */
  readonly attributes: Readonly<Record<string, readonly string[]>>;
  /** Effective realm roles (direct and composite), sorted. */
  readonly roles: readonly string[];
  /** Absent for users that cannot log in with a password (service accounts, users without a credential). */
  readonly password?: PasswordCredential;
  /** Set on a client's service-account user (Keycloak `serviceAccountClientId`). */
  readonly serviceAccountClientId?: string;
  readonly demo: boolean;
}

/** A client of the realm, with its redirect URIs resolved against the gateway's public URL. */
export interface RealmClient {
  readonly clientId: string;
  readonly name?: string;
  readonly publicClient: boolean;
  readonly secret?: string;
  readonly bearerOnly: boolean;
  readonly standardFlowEnabled: boolean;
  readonly directAccessGrantsEnabled: boolean;
  readonly serviceAccountsEnabled: boolean;
  /** Absolute redirect URIs; a trailing `*` is Keycloak's prefix wildcard. */
  readonly redirectUris: readonly string[];
  readonly postLogoutRedirectUris: readonly string[];
  /** Allowed CORS origins; `*` allows any. */
  readonly webOrigins: readonly string[];
  /** `pkce.code.challenge.method` attribute (only S256 is supported). */
  readonly pkceMethod?: string;
  /** Client override of the realm's access token lifespan (`access.token.lifespan` attribute), seconds. */
  readonly accessTokenLifespan?: number;
  /** Whether the code flow also issues a refresh token (`use.refresh.tokens` attribute, "true" unless set "false"). */
  readonly useRefreshTokens: boolean;
  readonly protocolMappers: readonly ProtocolMapperRepresentation[];
  readonly defaultClientScopes: readonly string[];
  readonly optionalClientScopes: readonly string[];
  readonly demo: boolean;
}

/** Token and session lifespans of the realm, in seconds (Keycloak's realm settings of the same names). */
export interface RealmLifespans {
  readonly accessTokenLifespan: number;
  readonly accessCodeLifespan: number;
  readonly accessCodeLifespanLogin: number;
  readonly ssoSessionIdleTimeout: number;
  readonly ssoSessionMaxLifespan: number;
}

/**
 * Keycloak's brute-force detection settings (realm `bruteForceProtected` and the fields below), as the embedded
 * provider applies them to password checks.
 */
export interface BruteForcePolicy {
  /** Failures after which a login is locked out (`failureFactor`). */
  readonly failureFactor: number;
  /** Lockout per multiple of the failure factor reached (`waitIncrementSeconds`). */
  readonly waitIncrementSeconds: number;
  /** Longest lockout (`maxFailureWaitSeconds`). */
  readonly maxFailureWaitSeconds: number;
  /** Failures are forgotten after this long without another (`maxDeltaTimeSeconds`, "failure reset time"). */
  readonly maxDeltaTimeSeconds: number;
}

/** The loaded realm: look-ups by id, username and client id. Immutable once built. */
export class Realm {
  private readonly usersById = new Map<string, RealmUser>();
  private readonly usersByLogin = new Map<string, RealmUser>();
  private readonly clientsById = new Map<string, RealmClient>();
  private readonly scopesByName = new Map<string, ClientScopeRepresentation>();

  constructor(
    readonly name: string,
    readonly displayName: string,
    readonly lifespans: RealmLifespans,
    readonly users: readonly RealmUser[],
    readonly clients: readonly RealmClient[],
    readonly clientScopes: readonly ClientScopeRepresentation[],
    loginWithEmailAllowed: boolean,
    /** Undefined when the realm has brute-force detection off. */
    readonly bruteForce?: BruteForcePolicy,
  ) {
    for (const user of users) {
      this.usersById.set(user.id, user);
      // Keycloak stores usernames lower-cased and matches them case-insensitively.
      this.usersByLogin.set(user.username.toLowerCase(), user);
    }
    if (loginWithEmailAllowed) {
      for (const user of users) {
        if (user.email && !this.usersByLogin.has(user.email.toLowerCase())) this.usersByLogin.set(user.email.toLowerCase(), user);
      }
    }
    for (const client of clients) this.clientsById.set(client.clientId, client);
    for (const scope of clientScopes) this.scopesByName.set(scope.name, scope);
  }

  userById(id: string): RealmUser | undefined {
    return this.usersById.get(id);
  }

  /** The user a login form or password grant names, by username (or email when the realm allows it). */
  userByLogin(login: string): RealmUser | undefined {
    const user = this.usersByLogin.get(login.trim().toLowerCase());
    return user && !user.serviceAccountClientId ? user : undefined;
  }

  client(clientId: string): RealmClient | undefined {
    return this.clientsById.get(clientId);
  }

  clientScope(name: string): ClientScopeRepresentation | undefined {
    return this.scopesByName.get(name);
  }

  /** The service-account user of a client (Keycloak names it `service-account-<clientId>`). */
  serviceAccountOf(clientId: string): RealmUser | undefined {
    return this.users.find((u) => u.serviceAccountClientId === clientId);
  }

  /** Clients that can obtain tokens at all (enabled, not bearer-only, at least one flow on). */
  get tokenClients(): readonly RealmClient[] {
    return this.clients.filter((c) => !c.bearerOnly && (c.standardFlowEnabled || c.directAccessGrantsEnabled || c.serviceAccountsEnabled));
  }
}
