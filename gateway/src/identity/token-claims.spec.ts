import { setClaim } from './protocol-mappers.js';
import { loadRealm, REALM_FILE } from './realm.loader.js';
import { accessTokenClaims, idTokenClaims, scopeClaim, userinfoClaims } from './token-claims.js';

const realm = loadRealm(REALM_FILE, { publicUrl: 'http://localhost:8080', excludeDemo: false });
const envelope = { iss: 'http://localhost:8080/auth/realms/fhir-gateway', jti: 'jti-1', iat: 1_000, exp: 1_300 };
const alice = realm.userByLogin('alice')!;
const portal = realm.client('patient-portal')!;

describe('Keycloak-shaped token claims from the realm mappers', () => {
  it("shapes alice's access token for the patient portal exactly like Keycloak's", () => {
    const claims = accessTokenClaims({ realm, client: portal, user: alice, requestedScopes: new Set(['openid', 'profile']), sid: 'sid-1', authTime: 990 }, envelope);
    expect(claims).toEqual({
      exp: 1_300,
      iat: 1_000,
      jti: 'jti-1',
      iss: envelope.iss,
      aud: 'fhir-gateway',
      sub: alice.id,
      typ: 'Bearer',
      azp: 'patient-portal',
      sid: 'sid-1',
      auth_time: 990,
      acr: '1',
      'allowed-origins': ['http://localhost:8080'],
      scope: 'openid profile email',
      preferred_username: 'alice',
      name: 'Alice Andersen',
      given_name: 'Alice',
      family_name: 'Andersen',
      email: 'alice@patients.example.org',
      email_verified: true,
      realm_access: { roles: ['patient'] },
      fhir_patient: 'pat-alice',
    });
  });

  it('shapes a service-account token like Keycloak: the service-account user, its roles, client_id, no sid or acr', () => {
    const hospital = realm.client('demo-hospital')!;
    const claims = accessTokenClaims({ realm, client: hospital, user: realm.serviceAccountOf('demo-hospital')!, requestedScopes: new Set() }, envelope);
    expect(claims).toEqual({
      ...envelope,
      aud: 'fhir-gateway',
      sub: realm.serviceAccountOf('demo-hospital')!.id,
      typ: 'Bearer',
      azp: 'demo-hospital',
      scope: 'profile email',
      preferred_username: 'service-account-demo-hospital',
      email_verified: false,
      realm_access: { roles: ['hospital-system'] },
      client_id: 'demo-hospital',
    });
  });

  it('lists openid only when requested, and an optional scope only when requested', () => {
    const subject = { realm, client: portal, user: alice };
    expect(scopeClaim({ ...subject, requestedScopes: new Set() })).toBe('profile email');
    expect(scopeClaim({ ...subject, requestedScopes: new Set(['openid', 'offline_access']) })).toBe('openid profile email offline_access');
  });

  it('gives the ID token typ "ID", azp and the id-token mappers only (no roles: the realm roles mapper is access-token only)', () => {
    const claims = idTokenClaims({ realm, client: portal, user: alice, requestedScopes: new Set(['openid']) }, 'id-jti');
    expect(claims).toEqual({
      sub: alice.id,
      typ: 'ID',
      azp: 'patient-portal',
      jti: 'id-jti',
      preferred_username: 'alice',
      name: 'Alice Andersen',
      given_name: 'Alice',
      family_name: 'Andersen',
      email: 'alice@patients.example.org',
      email_verified: true,
      fhir_patient: 'pat-alice',
    });
  });

  it('answers UserInfo with the userinfo mappers', () => {
    expect(userinfoClaims({ realm, client: portal, user: alice, requestedScopes: new Set(['openid']) })).toEqual({
      sub: alice.id,
      preferred_username: 'alice',
      name: 'Alice Andersen',
      given_name: 'Alice',
      family_name: 'Andersen',
      email: 'alice@patients.example.org',
      email_verified: true,
      fhir_patient: 'pat-alice',
    });
  });

  it("falls back to the client itself as audience when no audience mapper applies", () => {
    const bare = { ...portal, protocolMappers: [] };
    expect(accessTokenClaims({ realm, client: bare, user: alice, requestedScopes: new Set() }, envelope)['aud']).toBe('patient-portal');
  });
});

describe("Keycloak's claim-name paths", () => {
  it('nests on dots and keeps escaped dots in one name', () => {
    const target: Record<string, unknown> = { realm_access: { other: 1 } };
    setClaim(target, 'realm_access.roles', ['a']);
    setClaim(target, 'https://example\\.org/claim', 'x');
    expect(target).toEqual({ realm_access: { other: 1, roles: ['a'] }, 'https://example.org/claim': 'x' });
  });
});
