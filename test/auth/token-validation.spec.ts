import { generateKeyPairSync } from 'node:crypto';
import { importJWK, type JWK, type JWTPayload, SignJWT } from 'jose';
import { TokenVerifier } from '../../gateway/src/auth/index.js';
import { startGateway, type StartedGateway } from '../support/gateway.js';
import { demoAccessToken, jwtPayload, passwordGrant, readDemoAccounts, readSigningKey } from '../support/oidc.js';
import { freePort } from '../support/ports.js';

interface Outcome {
  resourceType: string;
  issue: { severity: string; code: string; diagnostics: string }[];
}

describe('bearer token validation through keycloak-connect (GET /api/whoami)', () => {
  let gateway: StartedGateway;
  let realKey: JWK;
  let aliceToken: string;

  beforeAll(async () => {
    gateway = await startGateway();
    realKey = readSigningKey(gateway.dataDir);
    aliceToken = await demoAccessToken(gateway, 'alice');
  });

  afterAll(async () => {
    await gateway?.close();
  });

  const whoami = (authorization?: string) => fetch(`${gateway.baseUrl}/api/whoami`, { headers: authorization === undefined ? {} : { authorization } });

  /** A Keycloak-shaped token like alice's, re-signed after `change`, by default with the realm's real key. */
  async function resigned(change: (claims: JWTPayload) => JWTPayload, options: { key?: JWK; kid?: string; typ?: string } = {}): Promise<string> {
    const claims = change({ ...jwtPayload(aliceToken) });
    const key = options.key ?? realKey;
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', typ: options.typ ?? 'JWT', kid: options.kid ?? realKey.kid! })
      .sign(await importJWK(key, 'RS256'));
  }

  async function expectLogin401(response: Response, diagnostics: string): Promise<void> {
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer /);
    expect(response.headers.get('content-type')).toContain('application/fhir+json');
    expect((await response.json()) as Outcome).toEqual({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'login', diagnostics }] });
  }

  it('accepts a token from the embedded provider and answers who the caller is', async () => {
    const response = await whoami(`Bearer ${aliceToken}`);
    expect(response.status).toBe(200);
    const alice = readDemoAccounts(gateway.dataDir).users.find((u) => u.username === 'alice')!;
    expect(await response.json()).toEqual({ subject: alice.id, username: 'alice', roles: ['patient'], clientId: 'fhir-gateway-cli', fhirPatient: 'pat-alice' });
  });

  it('answers a request without a token with 401 "missing bearer token"', async () => {
    await expectLogin401(await whoami(), 'missing bearer token: send "Authorization: Bearer <access token>"');
  });

  it.each(['Basic YWxpY2U6c2VjcmV0', 'Bearer', 'Bearer a b', 'token abc'])('answers the Authorization header %j with 401 "malformed Authorization header"', async (header) => {
    await expectLogin401(await whoami(header), 'malformed Authorization header: expected "Bearer <access token>"');
  });

  it('answers a token that is not a JWT with 401 "malformed access token"', async () => {
    await expectLogin401(await whoami('Bearer not-a-jwt'), 'malformed access token: expected a signed JWT (header.payload.signature)');
  });

  it('answers a token signed with another RSA key under the same kid with 401 "invalid signature"', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const forged = await resigned((c) => c, { key: privateKey.export({ format: 'jwk' }) as JWK });
    await expectLogin401(await whoami(`Bearer ${forged}`), 'invalid signature');
  });

  it('answers a token whose payload was altered after signing with 401 "invalid signature"', async () => {
    const [header, , signature] = aliceToken.split('.');
    const claims = { ...jwtPayload(aliceToken), realm_access: { roles: ['auditor'] } };
    const tampered = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
    await expectLogin401(await whoami(`Bearer ${tampered}`), 'invalid signature');
  });

  it('answers an expired token with 401 "access token expired"', async () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = await resigned((c) => ({ ...c, iat: now - 600, exp: now - 300 }));
    await expectLogin401(await whoami(`Bearer ${expired}`), 'access token expired');
  });

  it('answers a token from another issuer with 401 "wrong issuer" naming the trusted issuer', async () => {
    const foreign = await resigned((c) => ({ ...c, iss: 'http://127.0.0.1:1/auth/realms/other' }));
    await expectLogin401(await whoami(`Bearer ${foreign}`), `wrong issuer: expected ${gateway.issuer}`);
  });

  it('answers a token for another audience with 401 "wrong audience"', async () => {
    const elsewhere = await resigned((c) => ({ ...c, aud: ['account', 'some-other-api'] }));
    await expectLogin401(await whoami(`Bearer ${elsewhere}`), 'wrong audience: expected aud to contain "fhir-gateway"');
  });

  it('answers an ID token presented as a bearer token with 401 "not a bearer token"', async () => {
    const alice = readDemoAccounts(gateway.dataDir).users.find((u) => u.username === 'alice')!;
    const { id_token: idToken } = (await passwordGrant(gateway.issuer, 'alice', alice.password)).body;
    const asBearer = await resigned(() => ({ ...jwtPayload(idToken!), aud: 'fhir-gateway' }));
    await expectLogin401(await whoami(`Bearer ${asBearer}`), 'not a bearer token: typ must be "Bearer"');
  });

  it('answers a token signed under an unknown kid with 401 "unknown signing key"', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const unknown = await resigned((c) => c, { key: privateKey.export({ format: 'jwk' }) as JWK, kid: 'rotated-away' });
    await expectLogin401(await whoami(`Bearer ${unknown}`), 'unknown signing key: kid is not in the realm certs');
    // A second unknown kid within the refetch interval is refused the same way, without another certs request.
    await expectLogin401(await whoami(`Bearer ${unknown}`), 'unknown signing key: kid is not in the realm certs');
  });

  it('answers an HS256 token with 401 "unsupported token algorithm"', async () => {
    const hs = await new SignJWT(jwtPayload(aliceToken)).setProtectedHeader({ alg: 'HS256', kid: realKey.kid! }).sign(new TextEncoder().encode('a-shared-secret-of-32-bytes-long!'));
    await expectLogin401(await whoami(`Bearer ${hs}`), 'unsupported token algorithm: expected RS256');
  });

  it('never echoes the token in a rejection', async () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = await resigned((c) => ({ ...c, exp: now - 10 }));
    const body = await (await whoami(`Bearer ${expired}`)).text();
    for (const part of expired.split('.')) expect(body).not.toContain(part.slice(0, 16));
  });
});

describe('the realm keys in embedded mode', () => {
  let gateway: StartedGateway;
  let publicUrl: string;

  beforeAll(async () => {
    // A PUBLIC_URL that does not lead back to this gateway (as behind a TLS proxy the host cannot reach itself
    // through): nothing listens on that port.
    publicUrl = `http://127.0.0.1:${await freePort()}`;
    gateway = await startGateway({ PUBLIC_URL: publicUrl });
  });

  afterAll(async () => {
    await gateway?.close();
  });

  it('are read in-process, so tokens are accepted although PUBLIC_URL does not lead back to the gateway', async () => {
    const local = `${gateway.baseUrl}/auth/realms/fhir-gateway`;
    const alice = readDemoAccounts(gateway.dataDir).users.find((u) => u.username === 'alice')!;
    const token = (await passwordGrant(local, 'alice', alice.password)).body.access_token!;
    expect(jwtPayload(token)['iss']).toBe(`${publicUrl}/auth/realms/fhir-gateway`);
    const whoami = await fetch(`${gateway.baseUrl}/api/whoami`, { headers: { authorization: `Bearer ${token}` } });
    expect(whoami.status).toBe(200);
    expect(((await whoami.json()) as { username: string }).username).toBe('alice');
    expect(await gateway.app.get(TokenVerifier).checkReady()).toEqual({ up: true, detail: '1 signing key(s) from the embedded identity provider' });
  });
});
