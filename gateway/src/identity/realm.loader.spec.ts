import { readFileSync } from 'node:fs';
import { buildRealm, loadRealm, loopbackAlternates, REALM_FILE, RealmError } from './realm.loader.js';
import { realmSchema } from './realm.representation.js';

const PUBLIC_URL = 'https://gateway.example.org';
const fileJson = () => JSON.parse(readFileSync(REALM_FILE, 'utf8')) as Record<string, unknown> & { clients: Record<string, unknown>[] };

describe('loading the Keycloak realm export', () => {
  const realm = loadRealm(REALM_FILE, { publicUrl: PUBLIC_URL, excludeDemo: false });

  it('reads realm fhir-gateway with its lifespans', () => {
    expect(realm.name).toBe('fhir-gateway');
    expect(realm.displayName).toBe('FHIR Gateway');
    expect(realm.lifespans).toEqual({ accessTokenLifespan: 300, accessCodeLifespan: 60, accessCodeLifespanLogin: 1800, ssoSessionIdleTimeout: 1800, ssoSessionMaxLifespan: 36000 });
  });

  it('reads brute-force detection as the embedded provider applies it: 5 failures, 60 s per lockout step, at most 15 min, reset after 15 min', () => {
    expect(realm.bruteForce).toEqual({ failureFactor: 5, waitIncrementSeconds: 60, maxFailureWaitSeconds: 900, maxDeltaTimeSeconds: 900 });
    const json = fileJson();
    json['bruteForceProtected'] = false;
    expect(buildRealm(realmSchema.parse(json), { publicUrl: PUBLIC_URL, excludeDemo: false }).bruteForce).toBeUndefined();
  });

  it('turns refresh tokens off for the two web apps only (use.refresh.tokens "false")', () => {
    expect(realm.clients.map((c) => [c.clientId, c.useRefreshTokens])).toEqual([
      ['patient-portal', false],
      ['clinician-app', false],
      ['fhir-gateway-cli', true],
      ['demo-hospital', true],
      ['fhir-gateway', true],
    ]);
  });

  it('reads every user with exactly their realm roles, patient ids and password credentials', () => {
    const summary = realm.users.map((u) => [u.username, u.roles.join(','), u.attributes['fhir_patient']?.[0] ?? '-', u.password ? 'pwd' : '-', u.demo]);
    expect(summary).toEqual([
      ['alice', 'patient', 'pat-alice', 'pwd', true],
      ['bob', 'patient', 'pat-bob', 'pwd', true],
      ['dr.chen', 'clinician', '-', 'pwd', true],
      ['dr.patel', 'clinician', '-', 'pwd', true],
      ['audrey', 'auditor', '-', 'pwd', true],
      ['sam', 'steward', '-', 'pwd', true],
      ['service-account-demo-hospital', 'hospital-system', '-', '-', true],
    ]);
    expect(realm.serviceAccountOf('demo-hospital')?.username).toBe('service-account-demo-hospital');
  });

  it('finds users by username or email, case-insensitively, but never a service account', () => {
    expect(realm.userByLogin('ALICE')?.username).toBe('alice');
    expect(realm.userByLogin('alice@patients.example.org')?.username).toBe('alice');
    expect(realm.userByLogin('service-account-demo-hospital')).toBeUndefined();
  });

  it('resolves the apps\' relative redirect URIs against the public URL and keeps PKCE S256', () => {
    const portal = realm.client('patient-portal')!;
    expect(portal).toMatchObject({
      publicClient: true,
      standardFlowEnabled: true,
      directAccessGrantsEnabled: false,
      pkceMethod: 'S256',
      redirectUris: [`${PUBLIC_URL}/portal/*`],
      postLogoutRedirectUris: [`${PUBLIC_URL}/portal/*`],
      webOrigins: [PUBLIC_URL],
      defaultClientScopes: ['web-origins', 'acr', 'profile', 'basic', 'email'],
    });
    expect(realm.client('clinician-app')!.redirectUris).toEqual([`${PUBLIC_URL}/clinician/*`]);
  });

  it('adds the other loopback names of a loopback public URL when asked (development)', () => {
    expect(loopbackAlternates('http://localhost:8080')).toEqual(['http://127.0.0.1:8080', 'http://[::1]:8080']);
    expect(loopbackAlternates('https://gateway.example.org')).toEqual([]);
    const dev = loadRealm(REALM_FILE, { publicUrl: 'http://localhost:8080', excludeDemo: false, alternateRoots: loopbackAlternates('http://localhost:8080') });
    expect(dev.client('patient-portal')!.redirectUris).toEqual(['http://localhost:8080/portal/*', 'http://127.0.0.1:8080/portal/*', 'http://[::1]:8080/portal/*']);
  });

  it('reads the CLI as a demo public client with direct access grants, the hospital as a demo confidential client with a service account, and the gateway as bearer-only', () => {
    expect(realm.client('fhir-gateway-cli')).toMatchObject({ publicClient: true, directAccessGrantsEnabled: true, standardFlowEnabled: false, demo: true });
    expect(realm.client('demo-hospital')).toMatchObject({ publicClient: false, serviceAccountsEnabled: true, secret: expect.any(String), demo: true });
    expect(realm.client('fhir-gateway')).toMatchObject({ bearerOnly: true, standardFlowEnabled: false });
    expect(realm.tokenClients.map((c) => c.clientId)).toEqual(['patient-portal', 'clinician-app', 'fhir-gateway-cli', 'demo-hospital']);
  });

  it('drops every demo user and demo client in production, keeping the two apps', () => {
    const production = loadRealm(REALM_FILE, { publicUrl: PUBLIC_URL, excludeDemo: true });
    expect(production.users).toEqual([]);
    expect(production.tokenClients.map((c) => c.clientId)).toEqual(['patient-portal', 'clinician-app']);
    expect(production.client('demo-hospital')).toBeUndefined();
  });

  it('refuses to boot in production when no usable client would be left', () => {
    const json = fileJson();
    json.clients = json.clients.map((c) => ({ ...c, attributes: { ...(c['attributes'] as object), demo: 'true' } }));
    expect(() => buildRealm(realmSchema.parse(json), { publicUrl: PUBLIC_URL, excludeDemo: true }, 'test.json')).toThrow(
      new RealmError('realm "fhir-gateway" has no usable client once the demo clients are removed (production mode refuses demo accounts): add a non-demo client to test.json'),
    );
  });

  it('refuses a user with a realm role the realm does not define', () => {
    const json = fileJson();
    (json['users'] as { realmRoles: string[] }[])[0]!.realmRoles = ['superuser'];
    expect(() => buildRealm(realmSchema.parse(json), { publicUrl: PUBLIC_URL, excludeDemo: false }, 'test.json')).toThrow('user "alice" in test.json has realm role "superuser", which the realm does not define');
  });

  it('expands composite realm roles', () => {
    const json = fileJson() as unknown as Record<string, unknown> & { roles: { realm: Record<string, unknown>[] } };
    json.roles.realm.push({ name: 'care-team', composite: true, composites: { realm: ['clinician', 'auditor'] } });
    (json['users'] as { username: string; realmRoles: string[] }[]).find((u) => u.username === 'dr.chen')!.realmRoles = ['care-team'];
    const realmWithComposite = buildRealm(realmSchema.parse(json), { publicUrl: PUBLIC_URL, excludeDemo: false });
    expect(realmWithComposite.userByLogin('dr.chen')!.roles).toEqual(['auditor', 'care-team', 'clinician']);
  });

  it('names the file and the first problem when the file is not a realm export', () => {
    expect(() => buildRealm(realmSchema.parse({ realm: 'x', enabled: false }), { publicUrl: PUBLIC_URL, excludeDemo: false }, 'x.json')).toThrow('realm "x" in x.json is disabled');
    expect(() => loadRealm('/nonexistent/realm.json', { publicUrl: PUBLIC_URL, excludeDemo: false })).toThrow(/^cannot read realm file \/nonexistent\/realm.json/);
  });
});
