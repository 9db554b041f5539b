import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { type BrowserHandle, ensureWebAppsBuilt, launchBrowser } from '../support/browser.js';
import { type StartedGateway, startGateway } from '../support/gateway.js';
import { type DemoAccountsFile, readDemoAccounts } from '../support/oidc.js';

type DemoUser = DemoAccountsFile['users'][number];

/** The one demo user matching `predicate`, with a readable error when there is none. */
function demoUser(users: readonly DemoUser[], what: string, predicate: (user: DemoUser) => boolean): DemoUser {
  const user = users.find(predicate);
  if (!user) throw new Error(`expected a demo user who is ${what}, found none among ${users.map((u) => u.username).join(', ')}`);
  return user;
}

interface AppCase {
  readonly name: string;
  readonly path: string;
  readonly title: string;
  readonly screenshot: string;
  readonly rejectedScreenshot: string;
  readonly pickUser: (users: readonly DemoUser[]) => DemoUser;
}

const APPS: readonly AppCase[] = [
  {
    name: 'patient portal',
    path: '/portal/',
    title: 'Patient portal',
    screenshot: 'fhir-gateway-portal-signed-in.png',
    rejectedScreenshot: 'fhir-gateway-portal-token-rejected.png',
    pickUser: (users) => demoUser(users, 'alice', (u) => u.username === 'alice'),
  },
  {
    name: 'clinician workspace',
    path: '/clinician/',
    title: 'Clinician workspace',
    screenshot: 'fhir-gateway-clinician-signed-in.png',
    rejectedScreenshot: 'fhir-gateway-clinician-token-rejected.png',
    pickUser: (users) => demoUser(users, 'a clinician', (u) => u.roles.includes('clinician')),
  },
];

const LOGIN_FORM = '#username';

async function submitLogin(page: Page, user: Pick<DemoUser, 'username' | 'password'>): Promise<void> {
  await page.locator('#username').fill(user.username);
  await page.locator('#password').fill(user.password);
  await page.locator('#kc-login').click();
}

/** Waits for the signed-in view; if the app shows an error instead, fails with the app's own words. */
async function waitForSignedIn(page: Page): Promise<void> {
  await page.locator('[data-testid="user-name"], [data-testid="error"]').first().waitFor();
  const error = page.getByTestId('error');
  if ((await error.count()) > 0) throw new Error(`expected the signed-in view, the app shows: ${(await error.innerText()).replace(/\s+/g, ' ')}`);
}

async function roleNames(page: Page): Promise<string[]> {
  return (await page.getByTestId('user-roles').locator('[data-role]').evaluateAll((items) => items.map((i) => i.getAttribute('data-role') ?? ''))).sort();
}

describe('the web apps in Chromium, signed in through the embedded identity provider', () => {
  let gateway: StartedGateway | undefined;
  let users: readonly DemoUser[];
  let issuerPrefix: string;

  beforeAll(async () => {
    await ensureWebAppsBuilt();
    gateway = await startGateway();
    users = readDemoAccounts(gateway.dataDir).users;
    const config = (await (await fetch(`${gateway.baseUrl}/app-config.json`)).json()) as { issuer: string };
    expect(config.issuer).toBe(gateway.issuer);
    issuerPrefix = config.issuer;
  }, 120_000);

  afterAll(async () => {
    await gateway?.close();
  });

  /** Clicks the app's "Sign in" and waits for the identity provider's login form. */
  async function followSignIn(page: Page): Promise<void> {
    await page.getByTestId('sign-in').click();
    await page.waitForSelector(LOGIN_FORM);
    expect(page.url().startsWith(`${issuerPrefix}/`)).toBe(true);
  }

  describe.each(APPS)('$name', (app) => {
    let browser: BrowserHandle | undefined;

    beforeEach(async () => {
      browser = await launchBrowser();
    });

    afterEach(async () => {
      await browser?.close();
      browser = undefined;
    });

    it('signs the user in, shows exactly their name and roles as the gateway sees them, and signs out at the identity provider', async () => {
      const user = app.pickUser(users);
      const page = await browser!.newPage();
      await page.goto(`${gateway!.baseUrl}${app.path}`);
      expect(await page.title()).toBe(app.title);
      await followSignIn(page);
      await submitLogin(page, user);

      await waitForSignedIn(page);
      expect(new URL(page.url()).pathname).toBe(app.path);
      expect(await page.getByTestId('product-name').innerText()).toBe(app.title);
      expect(await page.getByTestId('user-name').innerText()).toBe(user.username);
      expect(await roleNames(page)).toEqual([...user.roles].sort());
      if (user.fhirPatient) expect(await page.getByTestId('fhir-patient').innerText()).toBe(user.fhirPatient);
      else expect(await page.getByTestId('fhir-patient').count()).toBe(0);
      await page.screenshot({ path: join(tmpdir(), app.screenshot), fullPage: true });

      await page.getByTestId('sign-out').click();
      await page.getByTestId('signed-out').waitFor();
      expect(new URL(page.url()).pathname).toBe(app.path);
      expect(await page.getByTestId('user-name').count()).toBe(0);

      // The identity provider's session is gone too: signing in asks for the password again.
      await followSignIn(page);
      expect(browser!.errors).toEqual([]);
    });

    it('shows the identity provider’s error and stays on the login page after a wrong password', async () => {
      const user = app.pickUser(users);
      const page = await browser!.newPage();
      await page.goto(`${gateway!.baseUrl}${app.path}`);
      await followSignIn(page);
      await submitLogin(page, { username: user.username, password: `${user.password}-wrong` });

      await page.locator('#input-error').waitFor();
      // The same words whatever was wrong (gateway/src/identity/pages.ts, as Keycloak): no account enumeration.
      expect((await page.locator('#input-error').innerText()).trim()).toBe('Invalid username or password.');
      expect(page.url().startsWith(issuerPrefix)).toBe(true);
      expect(await page.locator('#password').isVisible()).toBe(true);
    });

    it('tells the user in words when the gateway rejects their token', async () => {
      const user = app.pickUser(users);
      const page = await browser!.newPage();
      await page.goto(`${gateway!.baseUrl}${app.path}`);
      await followSignIn(page);
      await submitLogin(page, user);
      await waitForSignedIn(page);

      // Break the stored access token's signature, as a revoked or forged token would look to the gateway.
      await page.evaluate(() => {
        // Runs in the page; typed by hand because the tests compile without the DOM library.
        const store = (globalThis as unknown as { sessionStorage: Record<string, string> & { setItem(key: string, value: string): void } }).sessionStorage;
        for (const key of Object.keys(store).filter((k) => k.startsWith('oidc.user:'))) {
          const stored = JSON.parse(store[key]!) as { access_token: string };
          const tail = stored.access_token.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA';
          stored.access_token = stored.access_token.slice(0, -4) + tail;
          store.setItem(key, JSON.stringify(stored));
        }
      });
      await page.reload();

      await page.getByTestId('error').waitFor();
      expect(await page.getByTestId('error').locator('h2').innerText()).toBe('Your sign-in was not accepted');
      expect(await page.getByTestId('error').innerText()).not.toMatch(/[{}]/);
      expect(await page.getByTestId('sign-in').innerText()).toBe('Sign in again');
      await page.screenshot({ path: join(tmpdir(), app.rejectedScreenshot) });
    });

    it('tells the user in words when the gateway cannot be reached', async () => {
      const page = await browser!.newPage();
      await browser!.context.route('**/app-config.json', (route) => route.abort('connectionrefused'));
      await page.goto(`${gateway!.baseUrl}${app.path}`);

      await page.getByTestId('error').waitFor();
      expect(await page.getByTestId('error').locator('h2').innerText()).toBe('The gateway could not be reached');
      expect(await page.getByTestId('retry').innerText()).toBe('Try again');

      await browser!.context.unroute('**/app-config.json');
      await page.getByTestId('retry').click();
      await page.getByTestId('sign-in').waitFor();
    });
  });

  it('redirects the bare origin to the patient portal, served under a strict content security policy', async () => {
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      const response = await page.goto(`${gateway!.baseUrl}/`);
      await page.getByTestId('sign-in').waitFor();
      expect(new URL(page.url()).pathname).toBe('/portal/');
      const headers = response!.headers();
      // Requests may go to this origin, the issuer, and the embedded chain's JSON-RPC (the audit view reads anchored roots there).
      const escaped = new URL(issuerPrefix).origin.replace(/[.:/]/g, '\\$&');
      expect(headers['content-security-policy']).toMatch(new RegExp(`connect-src 'self' ${escaped} http://127\\.0\\.0\\.1:\\d+;`));
      expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(headers['x-content-type-options']).toBe('nosniff');
      expect(headers['referrer-policy']).toBe('no-referrer');
      expect(browser.errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
