import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JWK } from 'jose';
import { DEMO_ACCOUNTS_FILE, type DemoAccounts } from '../../gateway/src/identity/index.js';

/** `<DATA_DIR>/demo-accounts.json`, as the embedded identity provider writes it at boot. */
export type DemoAccountsFile = DemoAccounts;

/** Reads the demo accounts of a started gateway (passwords come from there, never from the tests). */
export function readDemoAccounts(dataDir: string): DemoAccountsFile {
  return JSON.parse(readFileSync(join(dataDir, DEMO_ACCOUNTS_FILE), 'utf8')) as DemoAccountsFile;
}

/** The embedded provider's private signing key (`<DATA_DIR>/identity/signing-key.jwk.json`), to sign tokens as the realm would. */
export function readSigningKey(dataDir: string): JWK {
  return JSON.parse(readFileSync(join(dataDir, 'identity', 'signing-key.jwk.json'), 'utf8')) as JWK;
}

/** A token endpoint answer (RFC 6749 §5.1 / §5.2), with the HTTP status. */
export interface TokenAnswer {
  readonly status: number;
  readonly body: Record<string, unknown> & { access_token?: string; id_token?: string; refresh_token?: string; error?: string; error_description?: string };
}

async function postForm(url: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<TokenAnswer> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(form) });
  return { status: response.status, body: (await response.json()) as TokenAnswer['body'] };
}

/** The password grant (Keycloak direct access grant) through the public CLI client. */
export function passwordGrant(issuer: string, username: string, password: string, clientId = 'fhir-gateway-cli', scope = 'openid'): Promise<TokenAnswer> {
  return postForm(`${issuer}/protocol/openid-connect/token`, { grant_type: 'password', client_id: clientId, username, password, scope });
}

/** client_credentials with the secret in HTTP Basic (RFC 6749 §2.3.1) or in the form (`post`). */
export function clientCredentialsGrant(issuer: string, clientId: string, secret: string, method: 'basic' | 'post' = 'basic'): Promise<TokenAnswer> {
  const url = `${issuer}/protocol/openid-connect/token`;
  if (method === 'post') return postForm(url, { grant_type: 'client_credentials', client_id: clientId, client_secret: secret });
  const basic = Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64');
  return postForm(url, { grant_type: 'client_credentials' }, { authorization: `Basic ${basic}` });
}

/** An access token for a demo user, by username, read from the gateway's demo-accounts.json. */
export async function demoAccessToken(gateway: { issuer: string; dataDir: string }, username: string): Promise<string> {
  const user = readDemoAccounts(gateway.dataDir).users.find((u) => u.username === username);
  if (!user) throw new Error(`no demo user ${username}`);
  const answer = await passwordGrant(gateway.issuer, user.username, user.password);
  if (answer.status !== 200 || !answer.body.access_token) throw new Error(`password grant for ${username} failed: ${answer.status} ${answer.body.error}`);
  return answer.body.access_token;
}

/** The decoded payload of a JWT (no verification: for assertions only). */
export function jwtPayload(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** The decoded protected header of a JWT. */
export function jwtHeader(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** A minimal cookie jar for driving browser flows with fetch: keeps name=value, drops cleared cookies. */
export class CookieJar {
  private readonly cookies = new Map<string, string>();

  store(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some((a) => /^\s*expires=Thu, 01 Jan 1970/i.test(a) || /^\s*max-age=0\s*$/i.test(a));
      if (!value || expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  has(name: string): boolean {
    return this.cookies.has(name);
  }
}

/** fetch without following redirects, sending and storing the jar's cookies; relative URLs resolve on `base`. */
export async function browse(jar: CookieJar, base: string, url: string, init: RequestInit = {}): Promise<Response> {
  const response = await fetch(new URL(url, base), { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string>), cookie: jar.header() } });
  jar.store(response);
  return response;
}

/** A PKCE pair (RFC 7636 §4.1, §4.2: S256). */
export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** Where an authorization request goes and what it asks for. */
export interface AuthorizationRequest {
  readonly clientId: string;
  readonly redirectUri: string;
  /** Default `openid`. */
  readonly scope?: string;
  readonly state?: string;
}

/**
 * Sends an authorization request (RFC 6749 §4.1.1 with RFC 7636 PKCE S256) like a browser, with the jar's
 * cookies, without following its redirect; returns the answer and the PKCE verifier.
 */
export async function startAuthorization(jar: CookieJar, issuer: string, request: AuthorizationRequest): Promise<{ response: Response; verifier: string }> {
  const { verifier, challenge } = pkcePair();
  const query = new URLSearchParams({
    client_id: request.clientId,
    redirect_uri: request.redirectUri,
    response_type: 'code',
    scope: request.scope ?? 'openid',
    ...(request.state !== undefined ? { state: request.state } : {}),
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });
  return { response: await browse(jar, issuer, `${issuer}/protocol/openid-connect/auth?${query}`), verifier };
}

/** The login page a fresh authorization request leads to. */
export interface LoginForm {
  readonly page: Response;
  readonly html: string;
  /** Where the form posts (Keycloak's `#kc-form-login` action). */
  readonly action: string;
  readonly verifier: string;
}

/** Starts an authorization request and opens the login form it redirects to. Throws with the step that failed. */
export async function openLoginForm(jar: CookieJar, issuer: string, request: AuthorizationRequest): Promise<LoginForm> {
  const { response, verifier } = await startAuthorization(jar, issuer, request);
  const location = response.headers.get('location') ?? '';
  if (response.status !== 303 || !location.includes('/login-actions/authenticate/')) throw new Error(`authorization request: expected a redirect to the login page, got ${response.status} ${location}`);
  const page = await browse(jar, issuer, location);
  const html = await page.text();
  const action = /<form id="kc-form-login" method="post" action="([^"]+)"/.exec(html)?.[1]?.replace(/&amp;/g, '&');
  if (page.status !== 200 || !action) throw new Error(`login page: expected the login form, got ${page.status}`);
  return { page, html, action, verifier };
}

/** Posts the login form as a browser would (Keycloak's field names). */
export function submitLogin(jar: CookieJar, issuer: string, action: string, username: string, password: string): Promise<Response> {
  return browse(jar, issuer, action, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username, password, login: 'Sign In' }),
  });
}

/** What one authorization code + PKCE round trip produced. */
export interface CodeFlowResult {
  readonly code: string;
  readonly state: string;
  readonly verifier: string;
  readonly redirectUri: string;
  readonly jar: CookieJar;
}

/**
 * Drives the authorization code flow (RFC 6749 §4.1 with RFC 7636 PKCE) like a browser, with plain fetch: the
 * authorization request, the login form (Keycloak's field names), the resume redirect, up to the redirect back
 * to the app with the code. Throws with the step that failed.
 */
export async function authorizationCodeLogin(
  issuer: string,
  options: { clientId: string; redirectUri: string; username: string; password: string; scope?: string; jar?: CookieJar },
): Promise<CodeFlowResult> {
  const jar = options.jar ?? new CookieJar();
  const state = randomBytes(8).toString('hex');
  const { action, verifier } = await openLoginForm(jar, issuer, { clientId: options.clientId, redirectUri: options.redirectUri, scope: options.scope ?? 'openid profile', state });
  let response = await submitLogin(jar, issuer, action, options.username, options.password);
  let location = response.headers.get('location') ?? '';
  if (response.status !== 303) throw new Error(`login: expected a redirect back to the authorization endpoint, got ${response.status}`);
  response = await browse(jar, issuer, location);
  location = response.headers.get('location') ?? '';
  const redirect = new URL(location, issuer);
  const code = redirect.searchParams.get('code');
  if (!code || !location.startsWith(options.redirectUri)) throw new Error(`resume: expected a redirect to ${options.redirectUri} with a code, got ${response.status} ${location}`);
  return { code, state: redirect.searchParams.get('state') ?? '', verifier, redirectUri: options.redirectUri, jar };
}

/** Exchanges an authorization code at the token endpoint (public client: client_id + code_verifier). */
export function exchangeCode(issuer: string, clientId: string, flow: Pick<CodeFlowResult, 'code' | 'redirectUri'>, verifier: string): Promise<TokenAnswer> {
  return postForm(`${issuer}/protocol/openid-connect/token`, {
    grant_type: 'authorization_code',
    client_id: clientId,
    code: flow.code,
    redirect_uri: flow.redirectUri,
    code_verifier: verifier,
  });
}

/** An access token of the demo hospital system (client_credentials, role hospital-system). */
export async function hospitalAccessToken(gateway: { issuer: string; dataDir: string }, clientId = 'demo-hospital'): Promise<string> {
  const client = readDemoAccounts(gateway.dataDir).clients.find((c) => c.clientId === clientId);
  if (!client) throw new Error(`no demo client ${clientId}`);
  const answer = await clientCredentialsGrant(gateway.issuer, client.clientId, client.secret);
  if (answer.status !== 200 || !answer.body.access_token) throw new Error(`client_credentials for ${clientId} failed: ${answer.status} ${answer.body.error}`);
  return answer.body.access_token;
}
