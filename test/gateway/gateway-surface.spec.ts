import { Writable } from 'node:stream';
import { ChainService } from '../../gateway/src/chain/index.js';
import { createLogger } from '../../gateway/src/common/index.js';
import { clientCredentialsGrant, demoAccessToken, passwordGrant, readDemoAccounts } from '../support/oidc.js';
import { type StartedGateway, startGateway } from '../support/gateway.js';

/** Collects everything the gateway logs, so the test can scan it for what must never be there. */
class MemoryLog extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

async function graphql(gw: StartedGateway, query: string, token?: string): Promise<{ status: number; body: { data?: unknown; errors?: { message: string; extensions: Record<string, unknown> }[] } }> {
  const response = await fetch(`${gw.baseUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query }),
  });
  return { status: response.status, body: (await response.json()) as never };
}

describe('the gateway surface on embedded defaults', () => {
  const log = new MemoryLog();
  let gw: StartedGateway;
  let alice: string;
  let clinician: string;
  let auditor: string;
  const secrets: string[] = [];

  beforeAll(async () => {
    gw = await startGateway({}, { logger: createLogger('info', log) });
    [alice, clinician, auditor] = await Promise.all([demoAccessToken(gw, 'alice'), demoAccessToken(gw, 'dr.chen'), demoAccessToken(gw, 'audrey')]);
    const accounts = readDemoAccounts(gw.dataDir);
    secrets.push(alice, clinician, auditor, ...accounts.users.map((u) => u.password), ...accounts.clients.map((c) => c.secret));
  });

  afterAll(async () => {
    await gw?.close();
  });

  it('answers liveness with 200 ok', async () => {
    const response = await fetch(`${gw.baseUrl}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('is ready with the store, the chain (contracts deployed) and the identity keys up', async () => {
    const response = await fetch(`${gw.baseUrl}/health/ready`);
    expect(response.status).toBe(200);
    // Public, so only up/down per dependency: no addresses, URLs or error texts.
    expect(await response.json()).toEqual({ status: 'ready', checks: { store: { up: true }, chain: { up: true }, identity: { up: true } } });
  });

  it('tells a patient who they are through GraphQL, as the gateway validated the token', async () => {
    const { status, body } = await graphql(gw, '{ me { username roles clientId fhirPatient } }', alice);
    expect(status).toBe(200);
    expect(body).toEqual({ data: { me: { username: 'alice', roles: ['patient'], clientId: 'fhir-gateway-cli', fhirPatient: 'pat-alice' } } });
  });

  it('answers a GraphQL query without a token with an UNAUTHENTICATED error carrying the OperationOutcome', async () => {
    const { status, body } = await graphql(gw, '{ me { username } }');
    expect(status).toBe(200);
    expect(body.data).toBeNull();
    expect(body.errors).toHaveLength(1);
    const diagnostics = 'missing bearer token: send "Authorization: Bearer <access token>"';
    expect(body.errors![0]!.message).toBe(diagnostics);
    expect(body.errors![0]!.extensions).toEqual({
      code: 'UNAUTHENTICATED',
      status: 401,
      outcome: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'login', diagnostics }] },
    });
  });

  it('answers a malformed GraphQL query with 400 and a validation error', async () => {
    const { status, body } = await graphql(gw, '{ me { username ', alice);
    expect(status).toBe(400);
    expect(body.errors![0]!.extensions['code']).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(body.errors![0]!.message).toBe('Syntax Error: Expected Name, found <EOF>.');
  });

  it('accepts a password-grant token of every demo user, seeing exactly their name, roles and patient id', async () => {
    const users = readDemoAccounts(gw.dataDir).users;
    expect(users.map((u) => u.username)).toEqual(['alice', 'bob', 'dr.chen', 'dr.patel', 'audrey', 'sam']);
    for (const user of users) {
      const answer = await passwordGrant(gw.issuer, user.username, user.password);
      expect(answer.status).toBe(200);
      secrets.push(answer.body.access_token!);
      const response = await fetch(`${gw.baseUrl}/api/whoami`, { headers: { authorization: `Bearer ${answer.body.access_token}` } });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ subject: user.id, username: user.username, roles: [...user.roles].sort(), clientId: 'fhir-gateway-cli', fhirPatient: user.fhirPatient ?? null });
    }
  });

  it('accepts the hospital client token from client_credentials', async () => {
    const hospital = readDemoAccounts(gw.dataDir).clients.find((c) => c.clientId === 'demo-hospital')!;
    const answer = await clientCredentialsGrant(gw.issuer, hospital.clientId, hospital.secret);
    expect(answer.status).toBe(200);
    secrets.push(answer.body.access_token!);
    const response = await fetch(`${gw.baseUrl}/api/whoami`, { headers: { authorization: `Bearer ${answer.body.access_token}` } });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ username: 'service-account-demo-hospital', roles: ['hospital-system'], clientId: 'demo-hospital', fhirPatient: null });
  });

  describe('the regulator API (GET /audit/anchors)', () => {
    it('refuses a clinician with 403 naming the auditor role', async () => {
      const response = await fetch(`${gw.baseUrl}/audit/anchors`, { headers: { authorization: `Bearer ${clinician}` } });
      expect(response.status).toBe(403);
      expect(response.headers.get('content-type')).toBe('application/fhir+json; charset=utf-8');
      expect(await response.json()).toEqual({
        resourceType: 'OperationOutcome',
        issue: [{ severity: 'error', code: 'forbidden', diagnostics: 'requires the realm role "auditor"' }],
      });
    });

    it('refuses a request without a token with 401', async () => {
      const response = await fetch(`${gw.baseUrl}/audit/anchors`);
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer realm="fhir-gateway"');
    });

    it('shows an auditor exactly the tree heads anchored on-chain, newest first', async () => {
      const chain = gw.app.get(ChainService);
      const roots = ['0x' + '11'.repeat(32), '0x' + '22'.repeat(32)];
      const receipts = [];
      for (const [i, root] of roots.entries()) receipts.push(await (await chain.auditAnchor.anchor(10 * (i + 1), root)).wait());
      const response = await fetch(`${gw.baseUrl}/audit/anchors?limit=5`, { headers: { authorization: `Bearer ${auditor}` } });
      expect(response.status).toBe(200);
      const body = (await response.json()) as { chainId: number; contract: string; anchors: Record<string, unknown>[] };
      expect(body.chainId).toBe(31337);
      expect(body.contract).toBe(chain.deployment.contracts['AuditAnchor']!.address);
      expect(body.anchors.map((a) => [a['index'], a['treeSize'], a['rootHash'], a['transactionHash'], a['blockNumber']])).toEqual([
        [1, '20', roots[1], receipts[1]!.hash, receipts[1]!.blockNumber],
        [0, '10', roots[0], receipts[0]!.hash, receipts[0]!.blockNumber],
      ]);
    });

    it.each(['0', '1001', 'ten', '-1'])('answers limit=%s with 400 pointing at the limit parameter', async (limit) => {
      const response = await fetch(`${gw.baseUrl}/audit/anchors?limit=${limit}`, { headers: { authorization: `Bearer ${auditor}` } });
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({
        resourceType: 'OperationOutcome',
        issue: [{ severity: 'error', code: 'invalid', diagnostics: `limit: expected an integer from 1 to 1000, got ${JSON.stringify(limit)}`, expression: ['limit'] }],
      });
    });
  });

  describe('bad requests', () => {
    it('answers an unknown route with 404 naming the path but not the query string', async () => {
      const response = await fetch(`${gw.baseUrl}/no/such/route?identifier=123-45-6789`, { headers: { authorization: `Bearer ${alice}` } });
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-found', diagnostics: 'no route for GET /no/such/route' }] });
    });

    it('answers a GraphQL body over the size limit with 413 and a GraphQL error carrying the OperationOutcome', async () => {
      const big = JSON.stringify({ query: `{ me { username } }`, variables: { pad: 'x'.repeat(gw.config.http.bodyLimit) } });
      const response = await fetch(`${gw.baseUrl}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${alice}` }, body: big });
      expect(response.status).toBe(413);
      const diagnostics = 'request body is larger than the configured limit';
      expect(await response.json()).toEqual({
        data: null,
        errors: [{ message: diagnostics, extensions: { code: 'BAD_USER_INPUT', status: 413, outcome: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'too-long', diagnostics }] } } }],
      });
    });

    it('answers malformed JSON with 400 without echoing the body', async () => {
      const response = await fetch(`${gw.baseUrl}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${alice}` }, body: '{"query": "SECRET-DIAGNOSIS' });
      expect(response.status).toBe(400);
      const text = await response.text();
      expect(text).not.toContain('SECRET-DIAGNOSIS');
      const diagnostics = 'malformed JSON body';
      expect(JSON.parse(text)).toEqual({
        data: null,
        errors: [{ message: diagnostics, extensions: { code: 'BAD_USER_INPUT', status: 400, outcome: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'invalid', diagnostics }] } } }],
      });
    });
  });

  it('answers malformed JSON and oversized bodies on a REST route outside /fhir as OperationOutcomes too', async () => {
    const post = (body: string) => fetch(`${gw.baseUrl}/api/patient-store/claim`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${alice}` }, body });
    const malformed = await post('{"patient": "SECRET-ID');
    expect([malformed.status, malformed.headers.get('content-type'), await malformed.json()]).toEqual([
      400,
      'application/fhir+json; charset=utf-8',
      { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'invalid', diagnostics: 'malformed JSON body' }] },
    ]);
    const large = await post(JSON.stringify({ pad: 'x'.repeat(gw.config.http.bodyLimit) }));
    expect([large.status, await large.json()]).toEqual([413, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'too-long', diagnostics: 'request body is larger than the configured limit' }] }]);
  });

  it('exposes Prometheus metrics labelled by route template, never by concrete path or query', async () => {
    const response = await fetch(`${gw.baseUrl}/metrics`);
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toMatch(/^http_requests_total\{method="GET",route="\/audit\/anchors",status_code="403",service="fhir-gateway"\} 1$/m);
    expect(text).toMatch(/^http_requests_total\{method="GET",route="unmatched",status_code="404",service="fhir-gateway"\} 1$/m);
    expect(text).toMatch(/^process_resident_memory_bytes\{service="fhir-gateway"\} \d+/m);
    expect(text).not.toContain('123-45-6789');
    expect(text).not.toContain('limit=');
  });

  it('logs every request with its id, and never a token, password, secret or query string', async () => {
    const response = await fetch(`${gw.baseUrl}/health`, { headers: { 'x-request-id': 'trace-me-42' } });
    expect(response.headers.get('x-request-id')).toBe('trace-me-42');
    await new Promise((r) => setTimeout(r, 50));
    expect(log.text).toContain('"reqId":"trace-me-42","req":{"id":"trace-me-42","method":"GET","route":"/health"},"msg":"incoming request"');
    expect(log.text).toContain('"route":"unmatched"');
    expect(log.text).not.toContain('/no/such/route');
    for (const secret of secrets) expect(log.text).not.toContain(secret);
    expect(log.text).not.toContain('123-45-6789');
    expect(log.text).not.toContain('SECRET-DIAGNOSIS');
    expect(log.text).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\.eyJ/); // no JWT of any kind
  });
});

describe('GraphQL introspection', () => {
  it('describes the schema in development', async () => {
    const gw = await startGateway();
    try {
      const { status, body } = await graphql(gw, '{ __schema { queryType { name } } }');
      expect(status).toBe(200);
      expect(body).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
    } finally {
      await gw.close();
    }
  });

  it('refuses introspection in production with a validation error', async () => {
    const gw = await startGateway({ NODE_ENV: 'production', ALLOW_EMBEDDED_IN_PRODUCTION: 'true', STORE_MASTER_KEY: 'c'.repeat(43) });
    try {
      const { status, body } = await graphql(gw, '{ __schema { queryType { name } } }');
      expect(status).toBe(400);
      expect(body.errors!.map((e) => [e.extensions['code'], e.message])).toEqual([
        ['GRAPHQL_VALIDATION_FAILED', 'GraphQL introspection has been disabled, but the requested query contained the field "__schema".'],
        ['GRAPHQL_VALIDATION_FAILED', 'GraphQL introspection has been disabled, but the requested query contained the field "queryType".'],
      ]);
    } finally {
      await gw.close();
    }
  });
});
