import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type JSONWebKeySet, SignJWT } from 'jose';
import { OperationOutcomeError } from '../common/index.js';
import { loadConfig } from '../config/index.js';
import { ExternalKeycloakIdentityService, IdentityService } from '../identity/index.js';
import { KeycloakConnectTokenVerifier, toPrincipal } from './keycloak-connect.token-verifier.js';

describe('the principal from validated Keycloak claims', () => {
  it('maps sub, preferred_username, realm_access.roles, azp, fhir_patient, iss, jti and exp', () => {
    expect(
      toPrincipal({
        sub: 'c45a1eaf',
        preferred_username: 'alice',
        realm_access: { roles: ['patient', 'offline_access'] },
        azp: 'patient-portal',
        fhir_patient: 'pat-alice',
        iss: 'http://localhost:8080/auth/realms/fhir-gateway',
        jti: 'j1',
        exp: 2_000_000_000,
      }),
    ).toEqual({
      subject: 'c45a1eaf',
      username: 'alice',
      roles: ['patient', 'offline_access'],
      clientId: 'patient-portal',
      fhirPatient: 'pat-alice',
      issuer: 'http://localhost:8080/auth/realms/fhir-gateway',
      tokenId: 'j1',
      expiresAt: new Date(2_000_000_000_000),
    });
  });

  it('falls back to sub for the username, to no roles, and leaves out an empty patient id', () => {
    const principal = toPrincipal({ sub: 'svc', azp: 'demo-hospital', realm_access: { roles: 'not-a-list' }, fhir_patient: '', iss: 'i', exp: 1 });
    expect(principal).toMatchObject({ subject: 'svc', username: 'svc', roles: [], clientId: 'demo-hospital', tokenId: '' });
    expect(principal).not.toHaveProperty('fhirPatient');
  });
});

describe('where the verifier gets the realm keys, and which tokens it refuses', () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwks = { keys: [{ ...publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'RS256', use: 'sig' }] };

  /** A Keycloak-shaped access token signed with the test realm key. */
  function accessToken(issuer: string, claims: Record<string, unknown> = {}): Promise<string> {
    return new SignJWT({ typ: 'Bearer', azp: 'clinician-app', preferred_username: 'nurse.joy', realm_access: { roles: ['clinician'] }, ...claims })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: 'k1' })
      .setIssuer(issuer)
      .setAudience('fhir-gateway')
      .setSubject(typeof claims['sub'] === 'string' ? claims['sub'] : randomUUID())
      .setIssuedAt()
      .setExpirationTime('1m')
      .setJti(randomUUID())
      .sign(privateKey);
  }

  /** The embedded provider as the verifier sees it: its public keys, read in-process. */
  class InProcessKeys extends IdentityService {
    reads = 0;
    async publicJwks(): Promise<JSONWebKeySet> {
      this.reads += 1;
      return jwks as JSONWebKeySet;
    }
    demoAccounts(): undefined {
      return undefined;
    }
  }

  async function rejection(promise: Promise<unknown>): Promise<string> {
    try {
      await promise;
      return 'accepted';
    } catch (error) {
      return error instanceof OperationOutcomeError ? `${error.status} ${error.outcome.issue[0]!.code}: ${error.outcome.issue[0]!.diagnostics}` : String(error);
    }
  }

  describe('with an external Keycloak', () => {
    let server: Server;
    let realmUrl: string;
    let certsRequests = 0;
    let keycloakUp = false;

    beforeAll(async () => {
      // Stands in for Keycloak's certs endpoint (outside the system): down until the test brings it back.
      server = createServer((req, res) => {
        if (req.url !== '/realms/fhir-gateway/protocol/openid-connect/certs') return void res.writeHead(404).end();
        certsRequests += 1;
        if (!keycloakUp) return void res.writeHead(503).end();
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const authServerUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      realmUrl = `${authServerUrl}/realms/fhir-gateway`;
    });

    afterAll(async () => {
      await new Promise((resolve) => server.close(resolve));
    });

    it('fetches the certs over HTTP, answers 503 while Keycloak is down, and refetches and accepts once it is back', async () => {
      const config = loadConfig({ NODE_ENV: 'test', KEYCLOAK_URL: realmUrl.replace('/realms/fhir-gateway', '') });
      const verifier = new KeycloakConnectTokenVerifier(config, new ExternalKeycloakIdentityService(config));
      const token = await accessToken(realmUrl);

      expect(await rejection(verifier.verify(token))).toBe('503 transient: cannot fetch the signing keys of the identity provider; try again later');
      expect(await verifier.checkReady()).toEqual({ up: false, detail: `cannot read the realm keys from ${realmUrl}: certs-unavailable: previous fetch failed moments ago` });
      expect(certsRequests).toBe(1);

      keycloakUp = true;
      await new Promise((resolve) => setTimeout(resolve, 1_100)); // past the failure backoff
      await expect(verifier.verify(token)).resolves.toMatchObject({ username: 'nurse.joy', clientId: 'clinician-app', issuer: realmUrl });
      expect(certsRequests).toBe(2);
      expect(await verifier.checkReady()).toEqual({ up: true, detail: `1 signing key(s) from ${realmUrl}` });
      expect(certsRequests).toBe(2);
    });
  });

  describe('with the embedded identity provider', () => {
    // PUBLIC_URL names a port nothing listens on: any HTTP request for the keys would fail.
    const config = loadConfig({ NODE_ENV: 'test', PUBLIC_URL: 'http://127.0.0.1:1' });
    const issuer = 'http://127.0.0.1:1/auth/realms/fhir-gateway';

    it('reads the keys in-process, never through PUBLIC_URL, and still requires the issuer <auth-server-url>/realms/<realm>', async () => {
      const identity = new InProcessKeys(config);
      const verifier = new KeycloakConnectTokenVerifier(config, identity);
      await expect(verifier.verify(await accessToken(issuer))).resolves.toMatchObject({ username: 'nurse.joy', issuer });
      expect(identity.reads).toBe(1);
      expect(await rejection(verifier.verify(await accessToken('http://127.0.0.1:2/auth/realms/fhir-gateway')))).toBe(`401 login: wrong issuer: expected ${issuer}`);
      expect(await verifier.checkReady()).toEqual({ up: true, detail: '1 signing key(s) from the embedded identity provider' });
    });

    it('reports the keys as unavailable (503) before the embedded provider has started', async () => {
      class NotStarted extends InProcessKeys {
        override async publicJwks(): Promise<JSONWebKeySet> {
          throw new Error('the embedded identity provider has not started');
        }
      }
      const verifier = new KeycloakConnectTokenVerifier(config, new NotStarted(config));
      expect(await rejection(verifier.verify(await accessToken(issuer)))).toBe('503 transient: cannot fetch the signing keys of the identity provider; try again later');
      expect(await verifier.checkReady()).toEqual({
        up: false,
        detail: 'cannot read the realm keys from the embedded identity provider: certs-unavailable: previous fetch failed moments ago',
      });
    });

    const ALICE_ID = 'c45a1eaf-a2fe-490d-9a7e-04dc61b80c61';
    const DEMO = '401 login: demo accounts are disabled in production';
    it.each([
      ['the fixed id of a demo user', DEMO, { sub: ALICE_ID, preferred_username: 'someone-else' }],
      ['a demo username under a new id', DEMO, { preferred_username: 'alice' }],
      ['a demo username in another case', DEMO, { preferred_username: 'Dr.Chen' }],
      ['the demo service account, by username', DEMO, { preferred_username: 'service-account-demo-hospital', azp: 'clinician-app' }],
      ['the demo password-grant client (azp)', DEMO, { azp: 'fhir-gateway-cli' }],
      ['the demo hospital client (azp)', DEMO, { azp: 'demo-hospital' }],
      ['a real user of a real client', 'accepted', {}],
    ])('in production, answers a token of %s with %j', async (_what, outcome, claims) => {
      const production = { ...config, production: true };
      const verifier = new KeycloakConnectTokenVerifier(production, new InProcessKeys(production));
      expect(await rejection(verifier.verify(await accessToken(issuer, claims)))).toBe(outcome);
    });

    it('accepts demo accounts outside production', async () => {
      const verifier = new KeycloakConnectTokenVerifier(config, new InProcessKeys(config));
      await expect(verifier.verify(await accessToken(issuer, { sub: ALICE_ID, preferred_username: 'alice', azp: 'fhir-gateway-cli' }))).resolves.toMatchObject({ username: 'alice' });
    });
  });
});
