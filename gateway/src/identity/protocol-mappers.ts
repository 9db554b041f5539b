import type { RealmClient, RealmUser } from './realm.model.js';
import type { ProtocolMapperRepresentation } from './realm.representation.js';

/** Where a mapper's output goes: Keycloak's `*.token.claim` switches of each protocol mapper. */
export type TokenKind = 'access' | 'id' | 'userinfo' | 'introspection';

const SWITCH: Readonly<Record<TokenKind, string>> = {
  access: 'access.token.claim',
  id: 'id.token.claim',
  userinfo: 'userinfo.token.claim',
  introspection: 'introspection.token.claim',
};

/** The mapper types the embedded provider implements (Keycloak `ProtocolMapper` provider ids). */
export const SUPPORTED_MAPPERS: ReadonlySet<string> = new Set([
  'oidc-usermodel-attribute-mapper',
  'oidc-usermodel-property-mapper',
  'oidc-full-name-mapper',
  'oidc-usermodel-realm-role-mapper',
  'oidc-audience-mapper',
  'oidc-sub-mapper',
  'oidc-usersessionmodel-note-mapper',
  'oidc-acr-mapper',
  'oidc-allowed-origins-mapper',
  'oidc-hardcoded-claim-mapper',
]);

/** What mappers may read besides the user and client: the user session's notes (Keycloak `UserSessionModel`). */
export interface MapperInput {
  readonly user: RealmUser;
  readonly client: RealmClient;
  /** e.g. AUTH_TIME (seconds) and, for service accounts, client_id. */
  readonly sessionNotes: Readonly<Record<string, string | number>>;
  /** Authentication context class: "1" after a password login in this session (Keycloak's LoA). */
  readonly acr?: string;
}

/** The claims and audiences a set of mappers produce for one token kind. */
export interface MappedClaims {
  readonly claims: Record<string, unknown>;
  readonly audiences: readonly string[];
}

/**
 * Applies protocol mappers in order (Keycloak's `TokenManager` applies client mappers and client-scope mappers
 * alike). A mapper whose switch for this token kind is not "true" is skipped; the sub and audience mappers have
 * no userinfo switch, as in Keycloak. Unsupported mapper types are skipped (the loader warns about them).
 */
export function applyMappers(mappers: readonly ProtocolMapperRepresentation[], input: MapperInput, kind: TokenKind): MappedClaims {
  const claims: Record<string, unknown> = {};
  const audiences: string[] = [];
  for (const mapper of mappers) {
    const config = mapper.config;
    if (config[SWITCH[kind]] !== 'true') continue;
    switch (mapper.protocolMapper) {
      case 'oidc-audience-mapper': {
        const audience = config['included.client.audience'] || config['included.custom.audience'];
        if (audience && !audiences.includes(audience)) audiences.push(audience);
        break;
      }
      case 'oidc-sub-mapper':
        claims['sub'] = input.user.id;
        break;
      case 'oidc-full-name-mapper': {
        const name = [input.user.firstName, input.user.lastName].filter(Boolean).join(' ');
        if (name) claims['name'] = name;
        break;
      }
      case 'oidc-usermodel-realm-role-mapper': {
        const prefix = config['usermodel.realmRoleMapping.rolePrefix'] ?? '';
        setClaim(claims, config['claim.name'] || 'realm_access.roles', input.user.roles.map((r) => prefix + r));
        break;
      }
      case 'oidc-acr-mapper':
        if (input.acr) claims['acr'] = input.acr;
        break;
      case 'oidc-allowed-origins-mapper':
        if (input.client.webOrigins.length) claims['allowed-origins'] = [...input.client.webOrigins];
        break;
      default: {
        const values = sourceValues(mapper, input);
        if (values === undefined || !config['claim.name']) break;
        const typed = values.map((v) => convert(v, config['jsonType.label']));
        setClaim(claims, config['claim.name'], config['multivalued'] === 'true' ? typed : typed[0]);
      }
    }
  }
  return { claims, audiences };
}

/** The raw values of the single-source mappers (attribute, property, session note, hard-coded). */
function sourceValues(mapper: ProtocolMapperRepresentation, { user, sessionNotes }: MapperInput): (string | number | boolean)[] | undefined {
  const config = mapper.config;
  switch (mapper.protocolMapper) {
    case 'oidc-usermodel-attribute-mapper':
    case 'oidc-usermodel-property-mapper': {
      const name = config['user.attribute'] ?? '';
      // Keycloak 24+ exposes the built-in user fields as attributes of the same names.
      const builtIn: Record<string, string | boolean | undefined> = {
        username: user.username,
        email: user.email,
        firstName: user.firstName,
        lastName: user.lastName,
        emailVerified: user.emailVerified,
      };
      if (name in builtIn) return builtIn[name] === undefined ? undefined : [builtIn[name]!];
      const values = user.attributes[name];
      return values && values.length ? [...values] : undefined;
    }
    case 'oidc-usersessionmodel-note-mapper': {
      const note = sessionNotes[config['user.session.note'] ?? ''];
      return note === undefined ? undefined : [note];
    }
    case 'oidc-hardcoded-claim-mapper':
      return config['claim.value'] === undefined ? undefined : [config['claim.value']];
    default:
      return undefined;
  }
}

/** Keycloak's `jsonType.label` conversion (`OIDCAttributeMapperHelper.mapAttributeValue`). */
function convert(value: string | number | boolean, type: string | undefined): unknown {
  switch (type) {
    case 'long':
    case 'int': {
      const n = Number(value);
      return Number.isFinite(n) ? Math.trunc(n) : value;
    }
    case 'boolean':
      return value === true || value === 'true';
    case 'JSON':
      try {
        return typeof value === 'string' ? JSON.parse(value) : value;
      } catch {
        return value;
      }
    default:
      return String(value);
  }
}

/**
 * Sets a claim by Keycloak's claim-name syntax: dots nest (`realm_access.roles`), a backslash-escaped dot does
 * not (`a\.b` is the single name `a.b`).
 */
export function setClaim(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split(/(?<!\\)\./).map((p) => p.replace(/\\\./g, '.'));
  let node = target;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts.at(-1)!] = value;
}
