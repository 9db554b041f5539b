import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page, Request } from 'playwright-core';
import { buildStoreClaim, derivePatientKeys, wipePatientKeys } from '../../gateway/src/crypto/index.js';
import { type BrowserHandle, ensureWebAppsBuilt, launchBrowser } from '../support/browser.js';
import { type StartedGateway, startGateway } from '../support/gateway.js';
import { type DemoAccountsFile, demoAccessToken, hospitalAccessToken, readDemoAccounts } from '../support/oidc.js';

type DemoUser = DemoAccountsFile['users'][number];

const UCUM = 'http://unitsofmeasure.org';
const CATEGORY = 'http://terminology.hl7.org/CodeSystem/observation-category';
/** Narrative XHTML (FHIR R4 §2.4) the portal must never render: it shows structured fields only. */
const NARRATIVE_MARKER = 'NARRATIVE-MUST-NOT-RENDER';

/** Bob's records as the hospital writes them (ids are chosen by PUT so the test can name them). */
function bobRecords(): Record<string, unknown>[] {
  const subject = { reference: 'Patient/pat-bob' };
  const category = (code: string) => [{ coding: [{ system: CATEGORY, code }] }];
  return [
    {
      resourceType: 'Observation',
      id: 'obs-ferritin',
      status: 'final',
      category: category('laboratory'),
      code: { coding: [{ system: 'http://loinc.org', code: '2276-4', display: 'Ferritin [Mass/volume] in Serum or Plasma' }], text: 'Serum ferritin' },
      subject,
      effectiveDateTime: '2025-02-11T08:30:00Z',
      valueQuantity: { value: 417.3, unit: 'ng/mL', system: UCUM, code: 'ng/mL' },
    },
    {
      resourceType: 'Observation',
      id: 'obs-hba1c',
      status: 'final',
      category: category('laboratory'),
      code: { coding: [{ system: 'http://loinc.org', code: '4548-4', display: 'Hemoglobin A1c/Hemoglobin.total in Blood' }] },
      subject,
      effectiveDateTime: '2024-12-01',
      valueQuantity: { value: 6.1, unit: '%', system: UCUM, code: '%' },
    },
    {
      resourceType: 'Observation',
      id: 'obs-heart-rate',
      status: 'final',
      category: category('vital-signs'),
      code: { coding: [{ system: 'http://loinc.org', code: '8867-4', display: 'Heart rate' }] },
      subject,
      effectiveDateTime: '2025-04-02T10:00:00Z',
      valueQuantity: { value: 58, unit: '/min', system: UCUM, code: '/min' },
    },
    {
      resourceType: 'Condition',
      id: 'cond-rhinitis',
      clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }] },
      code: { coding: [{ system: 'http://snomed.info/sct', code: '367498001' }], text: 'Seasonal allergic rhinitis' },
      subject,
      onsetDateTime: '2019-04-15',
    },
    {
      resourceType: 'MedicationStatement',
      id: 'med-cetirizine',
      status: 'active',
      medicationCodeableConcept: { text: 'Cetirizine 10 mg oral tablet' },
      subject,
      effectiveDateTime: '2024-05-01',
      dosage: [{ text: 'One tablet daily in spring' }],
    },
  ];
}

/** What bob's portal must list once unlocked: group by group, newest first, as text. */
const BOB_LISTED = [
  { compartment: 'demographics', type: 'Patient', id: 'pat-bob', title: 'Robert Quillfeather', date: 'Born 1968-11-23', details: ['Gender: male'], deleted: 'false' },
  { compartment: 'vitals', type: 'Observation', id: 'obs-heart-rate', title: 'Heart rate', date: 'Taken 2025-04-02', details: ['58 /min'], deleted: 'false' },
  // The tombstone's date is its deletion (today): the newest of the labs.
  { compartment: 'labs', type: 'Observation', id: 'obs-deleted', title: 'Observation (deleted)', date: null, details: ['Deleted on <today>'], deleted: 'true' },
  { compartment: 'labs', type: 'Observation', id: 'obs-ferritin', title: 'Serum ferritin', date: 'Taken 2025-02-11', details: ['417.3 ng/mL'], deleted: 'false' },
  { compartment: 'labs', type: 'Observation', id: 'obs-hba1c', title: 'Hemoglobin A1c/Hemoglobin.total in Blood', date: 'Taken 2024-12-01', details: ['6.1 %'], deleted: 'false' },
  { compartment: 'conditions', type: 'Condition', id: 'cond-rhinitis', title: 'Seasonal allergic rhinitis', date: 'Onset 2019-04-15', details: ['Status: active'], deleted: 'false' },
  { compartment: 'medications', type: 'MedicationStatement', id: 'med-cetirizine', title: 'Cetirizine 10 mg oral tablet', date: 'Taken from 2024-05-01', details: ['Status: active', 'One tablet daily in spring'], deleted: 'false' },
];

async function fhirWrite(gateway: StartedGateway, token: string, method: 'PUT' | 'DELETE', path: string, body?: unknown): Promise<void> {
  const response = await fetch(`${gateway.baseUrl}/fhir/${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json', accept: 'application/fhir+json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  if (!response.ok) throw new Error(`expected ${method} /fhir/${path} to succeed, got HTTP ${response.status}: ${await response.text()}`);
}

async function writeBob(gateway: StartedGateway, token: string): Promise<void> {
  await fhirWrite(gateway, token, 'PUT', 'Patient/pat-bob', {
    resourceType: 'Patient',
    id: 'pat-bob',
    text: { status: 'generated', div: `<div xmlns="http://www.w3.org/1999/xhtml"><b>${NARRATIVE_MARKER}</b></div>` },
    name: [{ use: 'official', family: 'Quillfeather', given: ['Robert'] }],
    gender: 'male',
    birthDate: '1968-11-23',
  });
  for (const record of bobRecords()) await fhirWrite(gateway, token, 'PUT', `${String(record.resourceType)}/${String(record.id)}`, record);
  const temporary = { resourceType: 'Observation', id: 'obs-deleted', status: 'final', code: { text: 'Entered in error' }, subject: { reference: 'Patient/pat-bob' }, valueString: 'void' };
  await fhirWrite(gateway, token, 'PUT', 'Observation/obs-deleted', temporary);
  await fhirWrite(gateway, token, 'DELETE', 'Observation/obs-deleted');
}

async function signIn(page: Page, baseUrl: string, user: DemoUser): Promise<void> {
  await page.goto(`${baseUrl}/portal/`);
  await page.getByTestId('sign-in').click();
  await page.locator('#username').fill(user.username);
  await page.locator('#password').fill(user.password);
  await page.locator('#kc-login').click();
  await page.locator('[data-testid="store-facts"], [data-testid="records-error"], [data-testid="error"]').first().waitFor();
  const error = page.locator('[data-testid="records-error"], [data-testid="error"]');
  if ((await error.count()) > 0) throw new Error(`expected the store status, the portal shows: ${(await error.first().innerText()).replace(/\s+/g, ' ')}`);
}

/** Types the phrase, submits it and waits for what the portal shows next (`outcomes`: test ids). */
async function submitPhrase(page: Page, phrase: string, outcomes: readonly string[]): Promise<void> {
  await page.getByTestId('recovery-phrase').fill(phrase);
  await page.getByTestId('phrase-submit').click();
  await page.getByTestId('records-progress').waitFor({ state: 'detached', timeout: 30_000 });
  await page.locator(outcomes.map((id) => `[data-testid="${id}"]`).join(', ')).first().waitFor();
}

async function errorNotice(page: Page): Promise<{ title: string; text: string }> {
  const notice = page.getByTestId('records-error');
  return { title: await notice.locator('h2').innerText(), text: (await notice.locator('.notice__text').innerText()).replace(/\s+/g, ' ') };
}

/** The listed records, as the page renders them (text only). */
async function listed(page: Page): Promise<unknown[]> {
  return page.getByTestId('record').evaluateAll((items) =>
    items.map((item) => ({
      compartment: item.closest('[data-compartment]')?.getAttribute('data-compartment'),
      type: item.getAttribute('data-type'),
      id: item.getAttribute('data-id'),
      title: item.querySelector('[data-testid="record-title"]')?.textContent,
      date: item.querySelector('[data-testid="record-date"]')?.textContent ?? null,
      details: [...item.querySelectorAll('[data-testid="record-detail"]')].map((d) => d.textContent),
      deleted: item.getAttribute('data-deleted'),
    })),
  );
}

/** Everything a request carried: URL (decoded too), every header and the body. */
async function requestText(request: Request): Promise<string> {
  const headers = await request.allHeaders();
  let decodedUrl = request.url();
  try {
    decodedUrl = decodeURIComponent(request.url().replace(/\+/g, ' '));
  } catch {
    // keep it raw
  }
  return [request.url(), decodedUrl, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), request.postData() ?? ''].join('\n');
}

/** True when `text` holds the phrase, or any four of its words in a row, whatever separates them. */
function leaksPhrase(text: string, phrase: string): boolean {
  const words = phrase.split(' ');
  const lower = text.toLowerCase();
  return words.slice(0, -3).some((_, i) => new RegExp(words.slice(i, i + 4).join('[^a-z]{1,6}')).test(lower));
}

describe('the patient portal’s "My records" in Chromium', () => {
  let gateway: StartedGateway | undefined;
  let users: readonly DemoUser[];
  let hospital: string;
  let browser: BrowserHandle | undefined;

  const user = (name: string): DemoUser & { mnemonic: string; fhirPatient: string } => {
    const found = users.find((u) => u.username === name);
    if (!found?.mnemonic || !found.fhirPatient) throw new Error(`expected the demo patient ${name} with a mnemonic, found ${found ? 'one without' : 'none'}`);
    return found as DemoUser & { mnemonic: string; fhirPatient: string };
  };

  beforeAll(async () => {
    await ensureWebAppsBuilt();
    gateway = await startGateway();
    users = readDemoAccounts(gateway.dataDir).users;
    hospital = await hospitalAccessToken(gateway);
  }, 120_000);

  afterAll(async () => {
    await gateway?.close();
  });

  beforeEach(async () => {
    browser = await launchBrowser();
  });

  afterEach(async () => {
    await browser?.close();
    browser = undefined;
  });

  it('shows bob’s store in escrow, claims it with his phrase, and lists his records opened in the browser, while the phrase never leaves the page', async () => {
    const bob = user('bob');
    await writeBob(gateway!, hospital);
    const page = await browser!.newPage();
    const requests: Request[] = [];
    page.on('request', (request) => requests.push(request));

    await signIn(page, gateway!.baseUrl, bob);
    expect(await page.getByTestId('store-status').innerText()).toBe('Held in escrow by the gateway');
    expect(await page.getByTestId('store-records').innerText()).toBe('6 records');
    expect(await page.getByTestId('unlock').count()).toBe(0);
    expect(await page.getByTestId('phrase-privacy').innerText()).toContain('Only the signed claim and your public keys are sent to the gateway');
    await page.screenshot({ path: join(tmpdir(), 'fhir-gateway-portal-records-escrow.png'), fullPage: true });

    // Claim: the browser derives the keys and sends only the signed claim.
    await submitPhrase(page, bob.mnemonic, ['unlock', 'records-error']);
    expect(await page.getByTestId('records-error').count()).toBe(0);
    const keys = derivePatientKeys(bob.mnemonic);
    const address = keys.address;
    wipePatientKeys(keys);
    expect(await page.getByTestId('store-status').innerText()).toBe('Claimed: sealed to your keys');
    expect(await page.getByTestId('store-address').innerText()).toBe(address);
    expect(await page.getByTestId('store-records').innerText()).toBe('6 records');
    expect(await page.getByTestId('recovery-phrase').inputValue()).toBe('');
    const claims = requests.filter((r) => r.method() === 'POST' && new URL(r.url()).pathname === '/api/patient-store/claim');
    expect(claims).toHaveLength(1);
    const claim = JSON.parse(claims[0]!.postData()!) as Record<string, unknown>;
    expect(Object.keys(claim).sort()).toEqual(['address', 'compartmentKeys', 'gateway', 'issuedAt', 'patient', 'signature']);
    expect(claim).toMatchObject({ patient: 'pat-bob', address, gateway: gateway!.baseUrl });

    // The gateway destroyed its escrow key: the hospital can no longer read bob's records.
    const read = await fetch(`${gateway!.baseUrl}/fhir/Observation/obs-ferritin`, { headers: { authorization: `Bearer ${hospital}`, accept: 'application/fhir+json' } });
    expect(read.status).toBe(404);

    // Unlock: the sealed export is opened in the browser.
    await submitPhrase(page, bob.mnemonic, ['record-list', 'records-error']);
    expect(await page.getByTestId('records-error').count()).toBe(0);
    expect(await page.getByTestId('record-failures').count()).toBe(0);
    expect(await page.getByTestId('record-count').innerText()).toBe('6 records · 1 deleted');
    const today = new Date().toISOString().slice(0, 10);
    expect(await listed(page)).toEqual(BOB_LISTED.map((r) => ({ ...r, details: r.details.map((d) => d.replace('<today>', today)) })));
    expect(await page.content()).not.toContain(NARRATIVE_MARKER);
    expect(requests.filter((r) => new URL(r.url()).pathname === '/api/patient-store/export')).toHaveLength(1);
    await page.screenshot({ path: join(tmpdir(), 'fhir-gateway-portal-records.png'), fullPage: true });

    // The phrase went nowhere: not in any request's URL, headers or body, nor in the page's storage.
    const leaks: string[] = [];
    for (const request of requests) if (leaksPhrase(await requestText(request), bob.mnemonic)) leaks.push(`${request.method()} ${request.url()}`);
    expect(leaks).toEqual([]);
    expect(requests.length).toBeGreaterThan(5);
    const storage = await page.evaluate(() => {
      // Runs in the page; typed by hand because the tests compile without the DOM library.
      const g = globalThis as unknown as { sessionStorage: Record<string, string>; localStorage: Record<string, string> };
      return JSON.stringify([{ ...g.sessionStorage }, { ...g.localStorage }]);
    });
    expect(leaksPhrase(storage, bob.mnemonic)).toBe(false);
    expect(browser!.errors).toEqual([]);
  }, 120_000);

  it('explains in plain words when the phrase is not the one the store was claimed with, and names a record that fails its integrity check', async () => {
    const alice = user('alice');
    await fhirWrite(gateway!, hospital, 'PUT', 'Patient/pat-alice', { resourceType: 'Patient', id: 'pat-alice', name: [{ family: 'Marchetti', given: ['Alice'] }], birthDate: '1984-07-09' });
    await fhirWrite(gateway!, hospital, 'PUT', 'Observation/obs-alice-glucose', {
      resourceType: 'Observation',
      id: 'obs-alice-glucose',
      status: 'final',
      code: { text: 'Fasting glucose' },
      subject: { reference: 'Patient/pat-alice' },
      effectiveDateTime: '2025-01-20',
      valueQuantity: { value: 5.4, unit: 'mmol/L', system: UCUM, code: 'mmol/L' },
    });
    // Alice claims through the API (as the key library's CLI would); the browser only unlocks.
    const keys = derivePatientKeys(alice.mnemonic);
    const claim = await buildStoreClaim(keys, 'pat-alice', gateway!.baseUrl);
    wipePatientKeys(keys);
    const claimed = await fetch(`${gateway!.baseUrl}/api/patient-store/claim`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await demoAccessToken(gateway!, 'alice')}`, 'content-type': 'application/json' },
      body: JSON.stringify(claim),
    });
    expect(claimed.status).toBe(200);

    const page = await browser!.newPage();
    await signIn(page, gateway!.baseUrl, alice);
    expect(await page.getByTestId('store-status').innerText()).toBe('Claimed: sealed to your keys');
    expect(await page.getByTestId('store-records').innerText()).toBe('2 records');

    // Someone else's valid phrase: it gives other keys, so the portal says so before fetching anything.
    await submitPhrase(page, user('bob').mnemonic, ['records-error']);
    const wrong = await errorNotice(page);
    expect(wrong.title).toBe('This recovery phrase does not open your records');
    expect(wrong.text).toMatch(/^It is a valid phrase, but not the one your store was claimed with: it gives the keys of address 0x[0-9a-fA-F]{6}…[0-9a-fA-F]{6}, and your store belongs to 0x[0-9a-fA-F]{6}…[0-9a-fA-F]{6}\. Check that every word is right and in the right order\.$/);
    expect(await page.getByTestId('record-list').count()).toBe(0);
    expect(await page.getByTestId('recovery-phrase').inputValue()).toBe('');
    await page.screenshot({ path: join(tmpdir(), 'fhir-gateway-portal-records-wrong-phrase.png'), fullPage: true });

    // A typo breaks the BIP-39 checksum.
    await submitPhrase(page, Array.from({ length: 24 }, () => 'abandon').join(' '), ['records-error']);
    const typo = await errorNotice(page);
    expect(typo.title).toBe('This is not a valid recovery phrase');
    expect(typo.text).toContain('The 24 words you entered do not add up');

    // One record altered on its way: it is named, the others are shown.
    await page.route('**/api/patient-store/export', async (route) => {
      const response = await route.fetch();
      const store = (await response.json()) as { records: { id: string; sealed?: string }[] };
      const target = store.records.find((r) => r.id === 'obs-alice-glucose')!;
      const at = 150; // inside the resource's ciphertext (the sealed record's header is 113 bytes)
      target.sealed = target.sealed!.slice(0, at) + (target.sealed![at] === 'A' ? 'B' : 'A') + target.sealed!.slice(at + 1);
      await route.fulfill({ response, json: store });
    });
    await submitPhrase(page, alice.mnemonic, ['record-list', 'records-error']);
    expect(await page.getByTestId('records-error').count()).toBe(0);
    expect(await page.getByTestId('record-failure').allInnerTexts()).toEqual([
      'Observation/obs-alice-glucose, version 1 (Lab results and observations) failed its integrity check: it was changed, damaged or moved after it was sealed.',
    ]);
    expect(await listed(page)).toEqual([{ compartment: 'demographics', type: 'Patient', id: 'pat-alice', title: 'Alice Marchetti', date: 'Born 1984-07-09', details: [], deleted: 'false' }]);
    expect(await page.getByTestId('record-count').innerText()).toBe('1 record');
    await page.screenshot({ path: join(tmpdir(), 'fhir-gateway-portal-record-failed.png'), fullPage: true });
    expect(browser!.errors).toEqual([]);
  }, 120_000);
});
