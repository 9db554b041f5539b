import { startGateway, type StartedGateway } from '../support/gateway.js';
import { CookieJar, type DemoAccountsFile, openLoginForm, passwordGrant, readDemoAccounts, submitLogin } from '../support/oidc.js';

/** Keycloak's one answer to every refused password grant, lockout included (no account enumeration). */
const REFUSED = { status: 401, body: { error: 'invalid_grant', error_description: 'Invalid user credentials' } };

/**
 * Brute-force detection of the embedded identity provider, as the realm file configures it (failureFactor 5,
 * 60 s lockout, failures forgotten after 15 min; a client address gets 4 × the failure factor). Every test gets a
 * fresh gateway: lockouts live in its memory, and all requests come from 127.0.0.1.
 */
describe('brute-force throttling of the embedded identity provider', () => {
  let gateway: StartedGateway;
  let accounts: DemoAccountsFile;
  const password = (username: string) => accounts.users.find((u) => u.username === username)!.password;

  beforeEach(async () => {
    gateway = await startGateway();
    accounts = readDemoAccounts(gateway.dataDir);
  });

  afterEach(async () => {
    await gateway?.close();
  });

  /** Opens the login form of a fresh authorization request; `submit` posts it and returns the response. */
  async function loginForm(): Promise<{ submit(username: string, password: string): Promise<Response> }> {
    const jar = new CookieJar();
    const { action } = await openLoginForm(jar, gateway.issuer, { clientId: 'patient-portal', redirectUri: `${gateway.baseUrl}/portal/callback` });
    return { submit: (username, pass) => submitLogin(jar, gateway.issuer, action, username, pass) };
  }

  it('refuses a username after 5 failed password grants, even with the right password, exactly as a wrong password', async () => {
    for (let i = 0; i < 5; i++) expect(await passwordGrant(gateway.issuer, 'bob', `wrong-password-${i}`)).toEqual(REFUSED);
    expect(await passwordGrant(gateway.issuer, 'bob', password('bob'))).toEqual(REFUSED);
    // An unknown username is counted and locked the same way, so a lockout says nothing about who exists.
    for (let i = 0; i < 6; i++) expect(await passwordGrant(gateway.issuer, 'mallory', `wrong-password-${i}`)).toEqual(REFUSED);
    // Other users are unaffected.
    expect((await passwordGrant(gateway.issuer, 'alice', password('alice'))).status).toBe(200);
  });

  it('refuses a username after 5 failed logins at the login form with the same form and message, and at the password grant too', async () => {
    const form = await loginForm();
    const normalise = (html: string) => html.replace(/value="[^"]*" aria-invalid/, 'value="" aria-invalid');
    let wrongPage = '';
    for (let i = 0; i < 5; i++) {
      const failed = await form.submit('dr.patel', `wrong-password-${i}`);
      expect(failed.status).toBe(200);
      wrongPage = normalise(await failed.text());
    }
    expect(wrongPage).toContain('<span id="input-error" aria-live="polite">Invalid username or password.</span>');
    const locked = await form.submit('dr.patel', password('dr.patel'));
    expect(locked.status).toBe(200);
    expect(locked.headers.get('location')).toBeNull();
    expect(normalise(await locked.text())).toBe(wrongPage);
    expect(await passwordGrant(gateway.issuer, 'dr.patel', password('dr.patel'))).toEqual(REFUSED);
  });

  it('forgets the failures of a username when it logs in successfully', async () => {
    for (let i = 0; i < 4; i++) expect(await passwordGrant(gateway.issuer, 'audrey', `wrong-password-${i}`)).toEqual(REFUSED);
    expect((await passwordGrant(gateway.issuer, 'audrey', password('audrey'))).status).toBe(200);
    for (let i = 0; i < 4; i++) expect(await passwordGrant(gateway.issuer, 'audrey', `wrong-password-${i}`)).toEqual(REFUSED);
    const form = await loginForm();
    const login = await form.submit('audrey', password('audrey'));
    expect(login.status).toBe(303);
  });

  it('refuses every username from a client address after 20 failures across usernames, successful logins notwithstanding', async () => {
    for (let i = 0; i < 19; i++) expect(await passwordGrant(gateway.issuer, `guess-${i}`, 'wrong-password')).toEqual(REFUSED);
    expect((await passwordGrant(gateway.issuer, 'sam', password('sam'))).status).toBe(200);
    expect(await passwordGrant(gateway.issuer, 'guess-19', 'wrong-password')).toEqual(REFUSED);
    expect(await passwordGrant(gateway.issuer, 'sam', password('sam'))).toEqual(REFUSED);
    expect(await passwordGrant(gateway.issuer, 'bob', password('bob'))).toEqual(REFUSED);
  });
});
