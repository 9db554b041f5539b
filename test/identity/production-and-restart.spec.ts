import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, importJWK } from 'jose';
import { startGateway, type StartedGateway } from '../support/gateway.js';
import { authorizationCodeLogin, clientCredentialsGrant, jwtHeader, passwordGrant, readDemoAccounts, readSigningKey } from '../support/oidc.js';

/** The realm file's fixed demo ids (the production gateway refuses them whoever issued the token). */
const ALICE_ID = 'c45a1eaf-a2fe-490d-9a7e-04dc61b80c61';
/** Demo passwords are documented; production must refuse them all the same. */
const ALICE_PASSWORD = 'alice-patient-demo';
const HOSPITAL_SECRET = 'FYBRjFWVeZkz1znZNXeQuSRE6nCSqCpy';

describe('the embedded identity provider in production mode (ALLOW_EMBEDDED_IN_PRODUCTION)', () => {
  let gateway: StartedGateway;

  beforeAll(async () => {
    gateway = await startGateway({ NODE_ENV: 'production', ALLOW_EMBEDDED_IN_PRODUCTION: 'true', STORE_MASTER_KEY: 'c'.repeat(43) });
  });

  afterAll(async () => {
    await gateway?.close();
  });

  it('loads no demo client: the password grant client and the demo hospital are unknown (401 invalid_client)', async () => {
    const password = await passwordGrant(gateway.issuer, 'alice', ALICE_PASSWORD);
    expect(password.status).toBe(401);
    expect(password.body.error).toBe('invalid_client');
    const hospital = await clientCredentialsGrant(gateway.issuer, 'demo-hospital', HOSPITAL_SECRET);
    expect(hospital.status).toBe(401);
    expect(hospital.body.error).toBe('invalid_client');
  });

  it('loads no demo user: alice cannot sign in to the patient portal with her documented password', async () => {
    await expect(
      authorizationCodeLogin(gateway.issuer, { clientId: 'patient-portal', redirectUri: `${gateway.baseUrl}/portal/callback`, username: 'alice', password: ALICE_PASSWORD }),
    ).rejects.toThrow('login: expected a redirect back to the authorization endpoint, got 200');
  });

  it('writes no demo-accounts.json', () => {
    expect(existsSync(join(gateway.dataDir, 'demo-accounts.json'))).toBe(false);
  });

  /** A token signed with the realm's real key, as a real Keycloak that imported the realm would issue it. */
  async function signed(claims: { sub: string; preferred_username: string; azp: string }): Promise<string> {
    const jwk = readSigningKey(gateway.dataDir);
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ typ: 'Bearer', azp: claims.azp, preferred_username: claims.preferred_username, realm_access: { roles: ['patient'] } })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: jwk.kid! })
      .setIssuer(gateway.issuer)
      .setAudience('fhir-gateway')
      .setSubject(claims.sub)
      .setIssuedAt(now)
      .setExpirationTime(now + 60)
      .setJti(randomUUID())
      .sign(await importJWK(jwk, 'RS256'));
  }

  const whoami = async (token: string) => {
    const response = await fetch(`${gateway.baseUrl}/api/whoami`, { headers: { authorization: `Bearer ${token}` } });
    return { status: response.status, body: (await response.json()) as unknown };
  };
  const DEMO_REFUSED = { status: 401, body: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'login', diagnostics: 'demo accounts are disabled in production' }] } };

  it.each([
    ['the fixed id of a demo user', { sub: ALICE_ID, preferred_username: 'alice', azp: 'patient-portal' }],
    ['a demo username re-created under a new id', { sub: randomUUID(), preferred_username: 'alice', azp: 'patient-portal' }],
    ['a demo username in capitals', { sub: randomUUID(), preferred_username: 'DR.CHEN', azp: 'clinician-app' }],
    ['a demo client (whoever the user)', { sub: randomUUID(), preferred_username: 'nurse.joy', azp: 'fhir-gateway-cli' }],
    ['the demo hospital client', { sub: randomUUID(), preferred_username: 'service-account-hospital', azp: 'demo-hospital' }],
  ])('rejects a validly signed token of %s with 401 "demo accounts are disabled in production"', async (_what, claims) => {
    expect(await whoami(await signed(claims))).toEqual(DEMO_REFUSED);
  });

  it('accepts a validly signed token of a user and client that are not demo accounts', async () => {
    const sub = randomUUID();
    expect(await whoami(await signed({ sub, preferred_username: 'nurse.joy', azp: 'patient-portal' }))).toEqual({
      status: 200,
      body: { subject: sub, username: 'nurse.joy', roles: ['patient'], clientId: 'patient-portal', fhirPatient: null },
    });
  });
});

describe('the identity keys across a restart', () => {
  it('reuses the persisted signing key (same kid, file mode 0600), so a token issued before the restart is still accepted', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'fhir-gateway-restart-'));
    let gateway: StartedGateway | undefined;
    try {
      gateway = await startGateway({}, { dataDir });
      const port = new URL(gateway.baseUrl).port;
      const alice = readDemoAccounts(dataDir).users.find((u) => u.username === 'alice')!;
      const before = (await passwordGrant(gateway.issuer, 'alice', alice.password)).body.access_token!;
      const kid = jwtHeader(before)['kid'];
      expect(statSync(join(dataDir, 'identity', 'signing-key.jwk.json')).mode & 0o777).toBe(0o600);
      expect(statSync(join(dataDir, 'identity', 'cookie-keys.json')).mode & 0o777).toBe(0o600);
      await gateway.close();

      gateway = await startGateway({ PORT: port }, { dataDir });
      const jwks = (await (await fetch(`${gateway.issuer}/protocol/openid-connect/certs`)).json()) as { keys: { kid: string }[] };
      expect(jwks.keys.map((k) => k.kid)).toEqual([kid]);
      const whoami = await fetch(`${gateway.baseUrl}/api/whoami`, { headers: { authorization: `Bearer ${before}` } });
      expect(whoami.status).toBe(200);
      expect(((await whoami.json()) as { username: string }).username).toBe('alice');
    } finally {
      await gateway?.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
