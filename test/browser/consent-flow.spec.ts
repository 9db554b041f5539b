// Issue 4: onboarding, grant, the clinician reads, revoke, the clinician's next read answers 404 — in Chromium,
// against one real gateway (anvil, SQLite, the embedded identity provider), through the portal and the clinician app.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page, Request } from 'playwright-core';
import { derivePatientKeys, normalizeMnemonic, wipePatientKeys } from '../../gateway/src/crypto/index.js';
import { type BrowserHandle, ensureWebAppsBuilt, launchBrowser } from '../support/browser.js';
import { type StartedGateway, startGateway } from '../support/gateway.js';
import { type DemoAccountsFile, demoAccessToken, hospitalAccessToken, readDemoAccounts } from '../support/oidc.js';
import { fhirPut, leaksPhrase, requestText, signIn } from '../support/browser-flow.js';

type DemoUser = DemoAccountsFile['users'][number];

const UCUM = 'http://unitsofmeasure.org';
const CATEGORY = 'http://terminology.hl7.org/CodeSystem/observation-category';
const PASSPHRASE = 'Harbour lights at dusk, 1968!';
const VITAL_ID = 'obs-flow-heart-rate';
const LAB_ID = 'obs-flow-lactate';
const TX_HASH = /^0x[0-9a-f]{64}$/;

/** What the hospital writes for bob: his Patient, one vital sign and one lab result with values found nowhere else. */
const BOB_RECORDS: readonly Record<string, unknown>[] = [
  { resourceType: 'Patient', id: 'pat-bob', name: [{ use: 'official', family: 'Quillfeather', given: ['Robert'] }], gender: 'male', birthDate: '1968-11-23' },
  {
    resourceType: 'Observation',
    id: VITAL_ID,
    status: 'final',
    category: [{ coding: [{ system: CATEGORY, code: 'vital-signs' }] }],
    code: { coding: [{ system: 'http://loinc.org', code: '8867-4', display: 'Heart rate' }] },
    subject: { reference: 'Patient/pat-bob' },
    effectiveDateTime: '2025-05-06T07:15:00Z',
    valueQuantity: { value: 117, unit: '/min', system: UCUM, code: '/min' },
  },
  {
    resourceType: 'Observation',
    id: LAB_ID,
    status: 'final',
    category: [{ coding: [{ system: CATEGORY, code: 'laboratory' }] }],
    code: { coding: [{ system: 'http://loinc.org', code: '2524-7', display: 'Lactate [Moles/volume] in Serum or Plasma' }], text: 'Serum lactate' },
    subject: { reference: 'Patient/pat-bob' },
    effectiveDateTime: '2025-05-06T07:40:00Z',
    valueQuantity: { value: 4.87, unit: 'mmol/L', system: UCUM, code: 'mmol/L' },
  },
];

async function fhirRead(gateway: StartedGateway, token: string, path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${gateway.baseUrl}/fhir/${path}`, { headers: { authorization: `Bearer ${token}`, accept: 'application/fhir+json' } });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** The clinician app's records, as text. */
function shownRecords(page: Page): Promise<unknown[]> {
  return page.getByTestId('patient-record').evaluateAll((items) =>
    items.map((item) => ({
      type: item.getAttribute('data-type'),
      id: item.getAttribute('data-id'),
      title: item.querySelector('[data-testid="record-title"]')?.textContent,
      value: item.querySelector('[data-testid="record-value"]')?.textContent ?? null,
      date: item.querySelector('[data-testid="record-date"]')?.textContent ?? null,
    })),
  );
}

/** The portal's access timeline, as data (newest first). */
function timelineEvents(page: Page): Promise<unknown[]> {
  return page.getByTestId('access-event').evaluateAll((items) =>
    items.map((item) => ({
      actor: item.querySelector('.timeline__what strong')?.textContent,
      interaction: item.getAttribute('data-interaction'),
      resourceType: item.getAttribute('data-resource-type'),
      outcome: item.getAttribute('data-outcome'),
      consentId: item.getAttribute('data-consent-id'),
      basis: item.querySelector('[data-testid="access-basis"]')?.getAttribute('data-kind'),
      text: item.textContent?.replace(/\s+/g, ' ').trim(),
    })),
  );
}

describe('consent in Chromium: onboarding, grant, the clinician reads, revoke, the next read answers 404', () => {
  let gateway: StartedGateway | undefined;
  let browser: BrowserHandle | undefined;
  let clinicianContext: BrowserContext | undefined;
  let bob: DemoUser;
  let chen: DemoUser;

  beforeAll(async () => {
    await ensureWebAppsBuilt();
    gateway = await startGateway();
    const users = readDemoAccounts(gateway.dataDir).users;
    bob = users.find((u) => u.username === 'bob')!;
    chen = users.find((u) => u.username === 'dr.chen')!;
    const hospital = await hospitalAccessToken(gateway);
    for (const record of BOB_RECORDS) await fhirPut(gateway, hospital, record);
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    await clinicianContext?.close().catch(() => undefined);
    await browser?.close();
    await gateway?.close();
  });

  it('lets bob claim his store with a new phrase and grant dr.chen his vital signs, shows dr.chen exactly those, and answers 404 once bob revokes', async () => {
    const base = gateway!.baseUrl;
    const portal = await browser!.newPage();
    const requests: Request[] = [];
    portal.on('request', (request) => requests.push(request));

    // a. Onboarding: a new recovery phrase, shown once, confirmed by re-typing three words, kept under a passphrase.
    await signIn(portal, `${base}/portal/`, bob, '[data-testid="store-facts"]');
    expect(await portal.getByTestId('store-status').innerText()).toBe('Held in escrow by the gateway');
    expect(await portal.getByTestId('store-records').innerText()).toBe('3 records');
    await portal.getByTestId('claim-with-new').click();
    await portal.getByTestId('new-phrase-words').waitFor();
    const words = await portal.getByTestId('new-phrase-word').allInnerTexts();
    expect(words).toHaveLength(24);
    const phrase = words.join(' ');
    expect(normalizeMnemonic(phrase)).toBe(phrase);
    expect(phrase).not.toBe(bob.mnemonic);
    await portal.getByTestId('new-phrase-written').check();
    await portal.getByTestId('new-phrase-next').click();
    const fields = portal.getByTestId('confirm-word');
    await fields.first().waitFor();
    expect(await portal.getByTestId('new-phrase-word').count()).toBe(0);
    const positions = (await fields.evaluateAll((inputs) => inputs.map((input) => Number(input.getAttribute('data-position'))))) as number[];
    expect(positions).toHaveLength(3);
    for (const [i, p] of positions.entries()) await fields.nth(i).fill(words[p - 1]!);
    await portal.getByTestId('confirm-submit').click();
    await portal.getByTestId('new-phrase-claim').waitFor();
    await portal.getByTestId('keep-on-device').check();
    await portal.getByTestId('new-passphrase').fill(PASSPHRASE);
    await portal.getByTestId('new-passphrase-repeat').fill(PASSPHRASE);
    expect(await portal.getByTestId('passphrase-hint').innerText()).toMatch(/^Ready\./);
    await portal.getByTestId('new-phrase-claim').click();
    await portal.getByTestId('records-progress').waitFor({ state: 'detached', timeout: 30_000 });
    await portal.locator('[data-testid="unlock"], [data-testid="records-error"]').first().waitFor();
    expect(await portal.getByTestId('records-error').count()).toBe(0);
    const keys = derivePatientKeys(phrase);
    const address = keys.address;
    wipePatientKeys(keys);
    expect(await portal.getByTestId('store-status').innerText()).toBe('Claimed: sealed to your keys');
    expect(await portal.getByTestId('store-status').getAttribute('data-claimed')).toBe('true');
    expect(await portal.getByTestId('store-address').innerText()).toBe(address);

    // His records, opened in the browser with the passphrase.
    expect(await portal.getByTestId('unlock-with-passphrase').getAttribute('aria-pressed')).toBe('true');
    await portal.getByTestId('passphrase').fill(PASSPHRASE);
    await portal.getByTestId('passphrase-submit').click();
    await portal.getByTestId('records-progress').waitFor({ state: 'detached', timeout: 30_000 });
    await portal.locator('[data-testid="record-list"], [data-testid="records-error"]').first().waitFor();
    expect(await portal.getByTestId('records-error').count()).toBe(0);
    expect(await portal.getByTestId('record-count').innerText()).toBe('3 records');
    const portalRecords = await portal.getByTestId('record').evaluateAll((items) =>
      items.map((item) => [item.getAttribute('data-id'), item.querySelector('[data-testid="record-title"]')?.textContent, [...item.querySelectorAll('[data-testid="record-detail"]')].map((d) => d.textContent)]),
    );
    expect(portalRecords).toEqual([
      ['pat-bob', 'Robert Quillfeather', ['Gender: male']],
      [VITAL_ID, 'Heart rate', ['117 /min']],
      [LAB_ID, 'Serum lactate', ['4.87 mmol/L']],
    ]);

    // b. Grant: Wei Chen, treatment, vital signs only, 30 days; the summary; signed → on-chain.
    await portal.getByTestId('consent-form').waitFor();
    expect(await portal.getByTestId('consent-grantee-option').allInnerTexts()).toContain('Wei Chen');
    await portal.getByTestId('consent-grantee').selectOption({ label: 'Wei Chen' });
    await portal.getByTestId('consent-purpose-TREATMENT').check();
    await portal.getByTestId('compartment-vitals').check();
    await portal.getByTestId('consent-duration').fill('30');
    await portal.getByTestId('consent-prepare').click();
    await portal.getByTestId('consent-summary').waitFor();
    expect(await portal.getByTestId('consent-summary-grantee').innerText()).toBe('Wei Chen');
    expect(await portal.getByTestId('consent-summary-compartments').innerText()).toBe('Vital signs');
    expect(await portal.getByTestId('consent-summary-purpose').innerText()).toBe('Treatment');
    expect(await portal.getByTestId('consent-summary-models').innerText()).toBe('No model may run on these records under this consent.');
    expect((await portal.getByTestId('consent-summary-text').innerText()).replace(/\s+/g, ' ')).toMatch(/^You allow Wei Chen \(clinician\) to see these records of yours: Vital signs\. Purpose: Treatment\. From .+ until .+ \(30 days\), unless you revoke it sooner\.$/);
    await portal.getByTestId('consent-sign').click();
    await portal.getByTestId('consent-confirmation').waitFor({ timeout: 30_000 });
    const consentId = (await portal.getByTestId('consent-confirmation').getAttribute('data-consent-id'))!;
    expect(consentId).toMatch(TX_HASH);
    expect(await portal.getByTestId('consent-id').innerText()).toBe(consentId);
    const grantTx = await portal.getByTestId('consent-tx').innerText();
    expect(grantTx).toMatch(TX_HASH);
    const grantBlock = Number(await portal.getByTestId('consent-block').innerText());
    expect(Number.isInteger(grantBlock) && grantBlock > 0).toBe(true);
    await portal.getByTestId(`consent-row-${consentId}`).waitFor();
    expect(await portal.getByTestId(`consent-status-${consentId}`).innerText()).toBe('Active');
    expect(await portal.getByTestId(`consent-grantee-${consentId}`).innerText()).toBe('Wei Chen');
    expect(await portal.getByTestId(`consent-grant-tx-${consentId}`).getAttribute('data-tx')).toBe(grantTx);
    expect(await portal.getByTestId(`consent-grant-tx-${consentId}`).getAttribute('data-block')).toBe(String(grantBlock));
    await portal.screenshot({ path: join(tmpdir(), 'fhir-gateway-consent-flow-granted.png'), fullPage: true });

    // c. The clinician reads, in a context of his own: bob is listed; exactly the vital sign opens.
    clinicianContext = await browser!.browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
    const clinicianErrors: string[] = [];
    const clinic = await clinicianContext.newPage();
    clinic.setDefaultTimeout(15_000);
    clinic.on('console', (message) => message.type() === 'error' && clinicianErrors.push(`console: ${message.text()}`));
    clinic.on('pageerror', (error) => clinicianErrors.push(`page: ${error.message}`));
    await signIn(clinic, `${base}/clinician/`, chen, '[data-testid="consented-patients"], [data-testid="no-consented-patients"], [data-testid="consented-patients-error"]');
    expect(await clinic.getByTestId('consented-patients').locator('li').count()).toBe(1);
    const row = clinic.getByTestId('consented-patient-pat-bob');
    expect(await row.getAttribute('data-compartments')).toBe('vitals');
    expect((await row.innerText()).replace(/\s+/g, ' ')).toMatch(/^Patient\/pat-bob Consent for treatment until \d{4}-\d{2}-\d{2} · vitals$/);
    await row.getByRole('button').click();
    await clinic.locator('[data-testid="patient-records"]:not([data-phase="loading"])').waitFor();
    expect(await clinic.getByTestId('patient-records-error').count()).toBe(0);
    expect(await shownRecords(clinic)).toEqual([{ type: 'Observation', id: VITAL_ID, title: 'Heart rate', value: '117 /min', date: 'Taken 2025-05-06' }]);
    expect(await clinic.getByTestId('patient-records').innerText()).not.toContain('4.87');
    await clinic.screenshot({ path: join(tmpdir(), 'fhir-gateway-consent-flow-clinician.png'), fullPage: true });

    const chenToken = await demoAccessToken(gateway!, 'dr.chen');
    const vital = await fhirRead(gateway!, chenToken, `Observation/${VITAL_ID}`);
    expect(vital.status).toBe(200);
    expect(vital.body).toMatchObject({ resourceType: 'Observation', id: VITAL_ID, valueQuantity: { value: 117, unit: '/min' } });
    expect(await fhirRead(gateway!, chenToken, `Observation/${LAB_ID}`)).toEqual({
      status: 404,
      body: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-found', diagnostics: `Observation/${LAB_ID} is not known` }] },
    });

    // d. Revoke in the portal: the row turns revoked, with the revocation's transaction.
    await portal.getByTestId(`consent-revoke-${consentId}`).click();
    await portal.getByTestId(`consent-revoke-confirm-${consentId}`).click();
    await portal.getByTestId(`consent-revoke-tx-${consentId}`).waitFor({ timeout: 30_000 });
    expect(await portal.getByTestId(`consent-status-${consentId}`).innerText()).toBe('Revoked');
    expect(await portal.getByTestId(`consent-row-${consentId}`).getAttribute('data-status')).toBe('revoked');
    const revokeTx = (await portal.getByTestId(`consent-revoke-tx-${consentId}`).getAttribute('data-tx'))!;
    expect(revokeTx).toMatch(TX_HASH);
    expect(revokeTx).not.toBe(grantTx);
    expect(Number(await portal.getByTestId(`consent-revoke-tx-${consentId}`).getAttribute('data-block'))).toBeGreaterThan(grantBlock);
    expect(await portal.getByTestId(`consent-revoke-${consentId}`).count()).toBe(0);

    // e. The clinician's next read answers 404, and his list is empty after a reload.
    expect(await fhirRead(gateway!, chenToken, `Observation/${VITAL_ID}`)).toEqual({
      status: 404,
      body: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-found', diagnostics: `Observation/${VITAL_ID} is not known` }] },
    });
    await clinic.reload();
    await clinic.locator('[data-testid="consented-patients"], [data-testid="no-consented-patients"], [data-testid="consented-patients-error"]').first().waitFor();
    expect(await clinic.getByTestId('no-consented-patients').innerText()).toBe('No patient shares records with you right now (consents for a diagnosis are listed under Diagnoses).');
    expect(await clinic.getByTestId('consented-patients').count()).toBe(0);
    expect(await clinic.getByTestId('patient-record').count()).toBe(0);

    // f. Bob's access timeline (newest first): dr.chen's search and read under the consent, his read of the lab
    // outside it, the revocation, and his denied read after it. The list keeps its old answer while it reloads, so
    // wait for the second denied read to show.
    await portal.getByTestId('access-timeline-refresh').click();
    await portal.locator('[data-testid="access-event"][data-interaction="read"][data-outcome="denied"]').nth(1).waitFor();
    const chenEvent = (interaction: string, outcome: string, under: string) => ({ actor: 'dr.chen', interaction, resourceType: 'Observation', outcome, consentId: under, basis: under ? 'consent' : 'none' });
    const bobEvent = (interaction: string) => ({ actor: 'bob', interaction, resourceType: '', outcome: 'allowed', consentId, basis: 'consent' });
    const all = (await timelineEvents(portal)) as Record<string, string>[];
    // The timeline is the audit log read back: it also holds the hospital's writes and the gateway's copy of the
    // Consent resource (checked below); the people's own accesses come first here.
    const events = all.filter((e) => e['actor'] === 'dr.chen' || (e['actor'] === 'bob' && e['interaction']!.startsWith('consent-')));
    expect(all.filter((e) => e['interaction'] === 'key-release').map(({ text: _text, ...event }) => event)).toEqual([{ actor: 'bob', interaction: 'key-release', resourceType: '', outcome: 'allowed', consentId, basis: 'consent' }]);
    expect(all.filter((e) => e['resourceType'] === 'Consent').map((e) => [e['actor'], e['interaction']])).toEqual([
      ['fhir-gateway', 'update'],
      ['fhir-gateway', 'create'],
    ]);
    expect(events.map(({ text: _text, ...event }) => event)).toEqual([
      chenEvent('read', 'denied', ''),
      bobEvent('consent-revoke'),
      chenEvent('read', 'denied', ''),
      chenEvent('read', 'allowed', consentId),
      chenEvent('search', 'allowed', consentId),
      bobEvent('consent-grant'),
    ]);
    const shortId = `${consentId.slice(0, 10)}…${consentId.slice(-6)}`;
    expect(events[3]!['text']).toMatch(new RegExp(`dr\\.chen \\(Clinician\\) read ObservationAllowedUnder consent ${shortId} \\(Wei Chen, treatment\\)$`));
    expect(events[0]!['text']).toMatch(/dr\.chen \(Clinician\) read ObservationDeniedNo consent$/);
    await portal.screenshot({ path: join(tmpdir(), 'fhir-gateway-consent-flow-timeline.png'), fullPage: true });

    // The phrase (and the passphrase) went nowhere: not in any request's URL, headers or body.
    expect(requests.length).toBeGreaterThan(10);
    const leaks: string[] = [];
    for (const request of requests) {
      const text = await requestText(request);
      if (leaksPhrase(text, phrase) || text.includes(PASSPHRASE)) leaks.push(`${request.method()} ${request.url()}`);
    }
    expect(leaks).toEqual([]);
    expect(browser!.errors).toEqual([]);
    expect(clinicianErrors).toEqual([]);
  }, 240_000);
});
