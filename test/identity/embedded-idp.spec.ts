import { IdentityService } from '../../gateway/src/identity/index.js';
import { startGateway, type StartedGateway } from '../support/gateway.js';
import {
  authorizationCodeLogin,
  browse,
  clientCredentialsGrant,
  CookieJar,
  exchangeCode,
  jwtHeader,
  jwtPayload,
  openLoginForm,
  passwordGrant,
  pkcePair,
  readDemoAccounts,
  startAuthorization,
  submitLogin,
  type DemoAccountsFile,
} from '../support/oidc.js';

const ROLE_OF: Readonly<Record<string, readonly string[]>> = {
  alice: ['patient'],
  bob: ['patient'],
  'dr.chen': ['clinician'],
  'dr.patel': ['clinician'],
  audrey: ['auditor'],
  sam: ['steward'],
};

describe('the embedded Keycloak-compatible identity provider', () => {
  let gateway: StartedGateway;
  let accounts: DemoAccountsFile;

  beforeAll(async () => {
    gateway = await startGateway();
    accounts = readDemoAccounts(gateway.dataDir);
  });

  afterAll(async () => {
    await gateway?.close();
  });

  it("serves Keycloak's discovery document with Keycloak's endpoint paths", async () => {
    const response = await fetch(`${gateway.issuer}/.well-known/openid-configuration`);
    expect(response.status).toBe(200);
    const discovery = (await response.json()) as Record<string, unknown>;
    const base = `${gateway.baseUrl}/auth/realms/fhir-gateway/protocol/openid-connect`;
    expect(discovery).toMatchObject({
      issuer: `${gateway.baseUrl}/auth/realms/fhir-gateway`,
      authorization_endpoint: `${base}/auth`,
      token_endpoint: `${base}/token`,
      jwks_uri: `${base}/certs`,
      userinfo_endpoint: `${base}/userinfo`,
      end_session_endpoint: `${base}/logout`,
      code_challenge_methods_supported: ['S256'],
    });
    expect(discovery['grant_types_supported']).toEqual(expect.arrayContaining(['authorization_code', 'password', 'client_credentials', 'refresh_token']));
  });

  it('publishes one RS256 signing key with a kid at the certs endpoint', async () => {
    const jwks = (await (await fetch(`${gateway.issuer}/protocol/openid-connect/certs`)).json()) as { keys: Record<string, unknown>[] };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', kid: expect.any(String) });
    expect(jwks.keys[0]).not.toHaveProperty('d');
  });

  it('hands the token verifier exactly the keys the certs endpoint publishes, in-process', async () => {
    const published = await (await fetch(`${gateway.issuer}/protocol/openid-connect/certs`)).json();
    await expect(gateway.app.get(IdentityService).publicJwks()).resolves.toEqual(published);
  });

  it('writes every demo user and the demo hospital client to demo-accounts.json', () => {
    expect(accounts.users.map((u) => u.username).sort()).toEqual(Object.keys(ROLE_OF).sort());
    expect(accounts.passwordGrantClientId).toBe('fhir-gateway-cli');
    expect(accounts.tokenEndpoint).toBe(`${gateway.issuer}/protocol/openid-connect/token`);
    expect(accounts.clients).toEqual([{ clientId: 'demo-hospital', secret: expect.any(String), roles: ['hospital-system'] }]);
    expect(accounts.users.find((u) => u.username === 'alice')?.fhirPatient).toBe('pat-alice');
    expect(accounts.users.find((u) => u.username === 'bob')?.fhirPatient).toBe('pat-bob');
  });

  it.each(Object.entries(ROLE_OF))('issues a Keycloak-shaped access token to %s through the password grant, with exactly the realm roles %j', async (username, roles) => {
    const user = accounts.users.find((u) => u.username === username)!;
    const answer = await passwordGrant(gateway.issuer, username, user.password);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ token_type: 'Bearer', expires_in: 300, scope: 'openid profile email' });
    const token = answer.body.access_token!;
    expect(jwtHeader(token)).toMatchObject({ alg: 'RS256', typ: 'JWT', kid: expect.any(String) });
    const claims = jwtPayload(token);
    expect(claims).toMatchObject({
      iss: gateway.issuer,
      aud: 'fhir-gateway',
      azp: 'fhir-gateway-cli',
      sub: user.id,
      typ: 'Bearer',
      preferred_username: username,
      scope: 'openid profile email',
      sid: expect.any(String),
      jti: expect.any(String),
    });
    expect((claims['realm_access'] as { roles: string[] }).roles).toEqual(roles);
    expect(claims['exp']).toBe((claims['iat'] as number) + 300);
    if (user.fhirPatient) expect(claims['fhir_patient']).toBe(user.fhirPatient);
    else expect(claims).not.toHaveProperty('fhir_patient');
    const id = jwtPayload(answer.body.id_token!);
    expect(id).toMatchObject({ iss: gateway.issuer, aud: 'fhir-gateway-cli', azp: 'fhir-gateway-cli', sub: user.id, typ: 'ID', preferred_username: username });
  });

  it.each(['basic', 'post'] as const)('issues a service-account token to demo-hospital through client_credentials (client_secret_%s)', async (method) => {
    const hospital = accounts.clients[0]!;
    const answer = await clientCredentialsGrant(gateway.issuer, hospital.clientId, hospital.secret, method);
    expect(answer.status).toBe(200);
    const claims = jwtPayload(answer.body.access_token!);
    expect(claims).toMatchObject({
      iss: gateway.issuer,
      aud: 'fhir-gateway',
      azp: 'demo-hospital',
      client_id: 'demo-hospital',
      typ: 'Bearer',
      preferred_username: 'service-account-demo-hospital',
      realm_access: { roles: ['hospital-system'] },
    });
    expect(claims).not.toHaveProperty('sid');
    expect(answer.body).not.toHaveProperty('id_token');
  });

  it('answers UserInfo only for tokens with the openid scope, and lets the apps\' origin call it (CORS)', async () => {
    const hospital = accounts.clients[0]!;
    const serviceToken = (await clientCredentialsGrant(gateway.issuer, hospital.clientId, hospital.secret)).body.access_token!;
    const userinfo = `${gateway.issuer}/protocol/openid-connect/userinfo`;
    const refused = await fetch(userinfo, { headers: { authorization: `Bearer ${serviceToken}` } });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({ error: 'insufficient_scope', error_description: 'access token missing openid scope' });
    expect((await fetch(userinfo)).status).toBe(401);
    const preflight = await fetch(userinfo, { method: 'OPTIONS', headers: { origin: gateway.baseUrl, 'access-control-request-method': 'GET' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(gateway.baseUrl);
    const foreign = await fetch(userinfo, { method: 'OPTIONS', headers: { origin: 'https://evil.example' } });
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses client_credentials with a wrong secret (401 invalid_client)', async () => {
    const answer = await clientCredentialsGrant(gateway.issuer, 'demo-hospital', 'not-the-secret');
    expect(answer.status).toBe(401);
    expect(answer.body.error).toBe('invalid_client');
  });

  it('answers a wrong password and an unknown user identically: 401 invalid_grant "Invalid user credentials"', async () => {
    const wrongPassword = await passwordGrant(gateway.issuer, 'alice', 'not-alices-password');
    const unknownUser = await passwordGrant(gateway.issuer, 'mallory', 'not-alices-password');
    expect(wrongPassword).toEqual({ status: 401, body: { error: 'invalid_grant', error_description: 'Invalid user credentials' } });
    expect(unknownUser).toEqual(wrongPassword);
  });

  it('refuses the password grant to a client without direct access grants like Keycloak: 400 unauthorized_client', async () => {
    const alice = accounts.users.find((u) => u.username === 'alice')!;
    const answer = await passwordGrant(gateway.issuer, 'alice', alice.password, 'patient-portal');
    expect(answer).toEqual({ status: 400, body: { error: 'unauthorized_client', error_description: 'Client not allowed for direct access grants' } });
  });

  describe('authorization code flow with PKCE (driven with plain fetch)', () => {
    const redirectUri = () => `${gateway.baseUrl}/portal/callback`;

    it('logs alice in through the login form and exchanges the code for tokens the gateway accepts', async () => {
      const alice = accounts.users.find((u) => u.username === 'alice')!;
      const flow = await authorizationCodeLogin(gateway.issuer, { clientId: 'patient-portal', redirectUri: redirectUri(), username: 'alice', password: alice.password });
      const answer = await exchangeCode(gateway.issuer, 'patient-portal', flow, flow.verifier);
      expect(answer.status).toBe(200);
      const claims = jwtPayload(answer.body.access_token!);
      expect(claims).toMatchObject({ azp: 'patient-portal', aud: 'fhir-gateway', sub: alice.id, fhir_patient: 'pat-alice', realm_access: { roles: ['patient'] }, scope: 'openid profile email', sid: expect.any(String) });
      expect(jwtPayload(answer.body.id_token!)).toMatchObject({ typ: 'ID', aud: 'patient-portal', sid: claims['sid'], auth_time: expect.any(Number) });
      // use.refresh.tokens is "false" for the web apps: a browser holds no long-lived credential.
      expect(answer.body).not.toHaveProperty('refresh_token');

      const whoami = await fetch(`${gateway.baseUrl}/api/whoami`, { headers: { authorization: `Bearer ${answer.body.access_token}` } });
      expect(whoami.status).toBe(200);
      expect(await whoami.json()).toEqual({ subject: alice.id, username: 'alice', roles: ['patient'], clientId: 'patient-portal', fhirPatient: 'pat-alice' });

      const userinfo = await fetch(`${gateway.issuer}/protocol/openid-connect/userinfo`, { headers: { authorization: `Bearer ${answer.body.access_token}` } });
      expect(userinfo.status).toBe(200);
      expect(await userinfo.json()).toMatchObject({ sub: alice.id, preferred_username: 'alice', fhir_patient: 'pat-alice', email: 'alice@patients.example.org' });
    });

    it('issues no refresh token to either web app, even for offline_access, and refuses them the refresh_token grant', async () => {
      const bob = accounts.users.find((u) => u.username === 'bob')!;
      const chen = accounts.users.find((u) => u.username === 'dr.chen')!;
      const portal = await authorizationCodeLogin(gateway.issuer, { clientId: 'patient-portal', redirectUri: redirectUri(), username: 'bob', password: bob.password, scope: 'openid offline_access' });
      const clinician = await authorizationCodeLogin(gateway.issuer, { clientId: 'clinician-app', redirectUri: `${gateway.baseUrl}/clinician/callback`, username: 'dr.chen', password: chen.password });
      for (const [clientId, flow] of [['patient-portal', portal], ['clinician-app', clinician]] as const) {
        const answer = await exchangeCode(gateway.issuer, clientId, flow, flow.verifier);
        expect(answer.status).toBe(200);
        expect(Object.keys(answer.body).sort()).toEqual(['access_token', 'expires_in', 'id_token', 'scope', 'token_type']);
      }
      const response = await fetch(`${gateway.issuer}/protocol/openid-connect/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'refresh_token', client_id: 'patient-portal', refresh_token: 'any' }),
      });
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({ error: 'invalid_request', error_description: 'requested grant type is not allowed for this client' });
    });

    it('refuses the code exchange with a wrong code_verifier (400 invalid_grant)', async () => {
      const alice = accounts.users.find((u) => u.username === 'alice')!;
      const flow = await authorizationCodeLogin(gateway.issuer, { clientId: 'patient-portal', redirectUri: redirectUri(), username: 'alice', password: alice.password });
      const answer = await exchangeCode(gateway.issuer, 'patient-portal', flow, pkcePair().verifier);
      expect(answer.status).toBe(400);
      expect(answer.body.error).toBe('invalid_grant');
    });

    it('requires PKCE from the public app clients', async () => {
      const query = new URLSearchParams({ client_id: 'clinician-app', redirect_uri: `${gateway.baseUrl}/clinician/callback`, response_type: 'code', scope: 'openid', state: 's1' });
      const response = await fetch(`${gateway.issuer}/protocol/openid-connect/auth?${query}`, { redirect: 'manual' });
      const location = new URL(response.headers.get('location')!);
      expect(location.pathname).toBe('/clinician/callback');
      expect(location.searchParams.get('error')).toBe('invalid_request');
      expect(location.searchParams.get('error_description')).toBe('Authorization Server policy requires PKCE to be used for this request');
      expect(location.searchParams.get('state')).toBe('s1');
    });

    it('never redirects to a redirect_uri outside the registered /portal/* pattern', async () => {
      const { challenge } = pkcePair();
      for (const uri of ['http://evil.example/portal/callback', `${gateway.baseUrl}/clinician/callback`, `${gateway.baseUrl}/portal/../admin`]) {
        const query = new URLSearchParams({ client_id: 'patient-portal', redirect_uri: uri, response_type: 'code', scope: 'openid', code_challenge: challenge, code_challenge_method: 'S256' });
        const response = await fetch(`${gateway.issuer}/protocol/openid-connect/auth?${query}`, { redirect: 'manual', headers: { accept: 'text/html' } });
        expect(response.status).toBe(400);
        expect(response.headers.get('location')).toBeNull();
      }
    });

    it('shows the same error on the login page for a wrong password and an unknown user, with Keycloak element ids', async () => {
      const bodies: string[] = [];
      for (const username of ['alice', 'mallory']) {
        const jar = new CookieJar();
        const { page, html, action } = await openLoginForm(jar, gateway.issuer, { clientId: 'patient-portal', redirectUri: redirectUri() });
        for (const id of ['kc-form-login', 'username', 'password', 'kc-login']) expect(html).toContain(`id="${id}"`);
        expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
        const failed = await submitLogin(jar, gateway.issuer, action, username, 'wrong-password-123');
        expect(failed.status).toBe(200);
        const text = await failed.text();
        expect(text).toContain('<span id="input-error" aria-live="polite">Invalid username or password.</span>');
        bodies.push(text.replace(/authenticate\/[A-Za-z0-9_-]+/g, 'authenticate/UID').replace(/value="[^"]*" aria-invalid/, 'value="" aria-invalid'));
      }
      expect(bodies[0]).toBe(bodies[1]);
    });

    it('ends the session at the logout endpoint with id_token_hint and redirects straight to post_logout_redirect_uri', async () => {
      const alice = accounts.users.find((u) => u.username === 'alice')!;
      const flow = await authorizationCodeLogin(gateway.issuer, { clientId: 'patient-portal', redirectUri: redirectUri(), username: 'alice', password: alice.password });
      const tokens = await exchangeCode(gateway.issuer, 'patient-portal', flow, flow.verifier);
      const target = `${gateway.baseUrl}/portal/`;
      const query = new URLSearchParams({ id_token_hint: tokens.body.id_token!, post_logout_redirect_uri: target, state: 'bye' });
      const logout = await browse(flow.jar, gateway.issuer, `${gateway.issuer}/protocol/openid-connect/logout?${query}`);
      expect(logout.status).toBe(302);
      expect(logout.headers.get('location')).toBe(`${target}?state=bye`);

      // The session is gone: the next authorization request asks for the password again.
      const { response: next } = await startAuthorization(flow.jar, gateway.issuer, { clientId: 'patient-portal', redirectUri: redirectUri() });
      expect(next.headers.get('location')).toContain('/login-actions/authenticate/');
    });

    it.each([
      ['an id_token_hint', (idToken: string) => ({ id_token_hint: idToken })],
      ['a client_id', () => ({ client_id: 'patient-portal' })],
    ])('refuses a logout with %s and a foreign post_logout_redirect_uri: 400, no redirect, the session kept', async (_what, identify) => {
      const audrey = accounts.users.find((u) => u.username === 'audrey')!;
      const flow = await authorizationCodeLogin(gateway.issuer, { clientId: 'patient-portal', redirectUri: redirectUri(), username: 'audrey', password: audrey.password });
      const tokens = await exchangeCode(gateway.issuer, 'patient-portal', flow, flow.verifier);
      for (const foreign of ['https://evil.example/portal/', `${gateway.baseUrl}/clinician/`]) {
        const query = new URLSearchParams({ ...identify(tokens.body.id_token!), post_logout_redirect_uri: foreign, state: 'bye' });
        const url = `${gateway.issuer}/protocol/openid-connect/logout?${query}`;
        const page = await browse(flow.jar, gateway.issuer, url, { headers: { accept: 'text/html' } });
        expect(page.status).toBe(400);
        expect(page.headers.get('location')).toBeNull();
        expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
        expect(await page.text()).toContain('<h1 id="kc-page-title">We are sorry…</h1>\n<p id="kc-info-message">post_logout_redirect_uri not registered</p>');
        const api = await browse(flow.jar, gateway.issuer, url, { headers: { accept: 'application/json' } });
        expect(api.status).toBe(400);
        expect(api.headers.get('location')).toBeNull();
        expect(await api.json()).toEqual({ error: 'invalid_request', error_description: 'post_logout_redirect_uri not registered' });
      }
      // Still signed in: the next authorization request comes straight back with a code.
      const { response: next } = await startAuthorization(flow.jar, gateway.issuer, { clientId: 'patient-portal', redirectUri: redirectUri() });
      expect(next.status).toBe(303);
      expect(next.headers.get('location')).toMatch(new RegExp(`^${gateway.baseUrl}/portal/callback\\?code=`));
    });

    it('skips the login form while the session lasts (single sign-on across the two apps)', async () => {
      const chen = accounts.users.find((u) => u.username === 'dr.chen')!;
      const flow = await authorizationCodeLogin(gateway.issuer, { clientId: 'clinician-app', redirectUri: `${gateway.baseUrl}/clinician/callback`, username: 'dr.chen', password: chen.password });
      const { response } = await startAuthorization(flow.jar, gateway.issuer, { clientId: 'patient-portal', redirectUri: redirectUri() });
      expect(response.status).toBe(303);
      expect(response.headers.get('location')).toMatch(new RegExp(`^${gateway.baseUrl}/portal/callback\\?code=`));
    });
  });
});
