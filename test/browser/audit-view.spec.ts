// Issue 6 §6 in Chromium: accesses scripted over HTTP (alice grants dr.chen a consent, he reads and is refused one
// record, dr.patel is refused), the log anchored on-chain by hand; audrey (auditor) reads the log in the clinician
// app, filters it, opens an entry whose inclusion proof her browser checks against the root it reads from anvil
// itself, sees the anchor's transaction and an entry not yet anchored; alice's portal timeline shows the same leaf
// indexes and her pseudonym — against one real gateway (anvil, SQLite, the embedded identity provider).
import type { Page, Response } from 'playwright-core';
import { entryLeafHash } from '../../gateway/src/audit/audit-entry.js';
import { AuditAnchorer } from '../../gateway/src/audit/anchoring/index.js';
import { AuditLog } from '../../gateway/src/audit/audit-log.js';
import { ChainService } from '../../gateway/src/chain/index.js';
import { buildStoreClaim, derivePatientKeys, type PatientKeys, wipePatientKeys } from '../../gateway/src/crypto/index.js';
import { DatabaseService } from '../../gateway/src/store/index.js';
import { type BrowserHandle, ensureWebAppsBuilt, launchBrowser } from '../support/browser.js';
import { fhirPut, leaksPhrase, signIn } from '../support/browser-flow.js';
import { grantConsent, granteeByReference } from '../support/consent.js';
import { type StartedGateway, startGateway } from '../support/gateway.js';
import { type DemoAccountsFile, demoAccessToken, hospitalAccessToken, readDemoAccounts } from '../support/oidc.js';

type DemoUser = DemoAccountsFile['users'][number];

const NOTE = 'patient reports chest tightness when climbing the stairs to her flat';
const CATEGORY = 'http://terminology.hl7.org/CodeSystem/observation-category';
const BOB_WRITES = 45;

const observation = (id: string, patient: string, category: string, code: string, value: number, unit: string) => ({
  resourceType: 'Observation',
  id,
  status: 'final',
  category: [{ coding: [{ system: CATEGORY, code: category }] }],
  code: { coding: [{ system: 'http://loinc.org', code }] },
  subject: { reference: `Patient/${patient}` },
  effectiveDateTime: '2025-05-01T08:00:00Z',
  valueQuantity: { value, unit, system: 'http://unitsofmeasure.org', code: unit },
  note: [{ text: NOTE }],
});

const ALICE = { resourceType: 'Patient', id: 'pat-alice', name: [{ family: 'Marchetti', given: ['Alice'] }], gender: 'female', birthDate: '1964-03-09' };
const VITAL = observation('obs-alice-pulse', 'pat-alice', 'vital-signs', '8867-4', 61.25, '/min');
const LAB = observation('obs-alice-lactate', 'pat-alice', 'laboratory', '2524-7', 3.8517, 'mmol/L');
/** Words that must never reach the auditor: names, ids, values, units and free text of the records. */
const HEALTH_DATA = ['Alice', 'Marchetti', 'pat-alice', '1964-03-09', '61.25', '3.8517', 'mmol', '/min', 'chest tightness'];

interface StoredEntry {
  readonly leafIndex: number;
  readonly text: string;
  readonly leafHash: string;
  readonly entry: { at: string; action: string; outcome: string; role: string; actor: string; patient?: string; purpose?: string; consent?: string; model?: { id: string; version: string } };
}

/** A long id as the audit table shortens it: 8 characters, an ellipsis, the last 6. */
const short = (hex: string | undefined) => (!hex ? '' : hex.length > 16 ? `${hex.slice(0, 8)}…${hex.slice(-6)}` : hex);
/** The table's row of a stored entry: leaf, time to the second (UTC), action, outcome, role, actor, patient, purpose, model, consent. */
const rowOf = ({ leafIndex, entry: e }: StoredEntry) => [String(leafIndex), `${e.at.slice(0, 10)} ${e.at.slice(11, 19)} UTC`, e.action, e.outcome, e.role, short(e.actor), short(e.patient), e.purpose ?? '', e.model ? `${e.model.id}@${e.model.version}` : '', short(e.consent)];
const CELLS = ['leaf', 'time', 'action', 'outcome', 'role', 'actor', 'patient', 'purpose', 'model', 'consent'].map((c) => `audit-cell-${c}`);

function shownRows(page: Page): Promise<string[][]> {
  return page.getByTestId('audit-entry').evaluateAll((rows, cells) => rows.map((row) => cells.map((c) => row.querySelector(`[data-testid="${c}"]`)?.textContent ?? '')), CELLS);
}

/** Waits until the entries table has settled on `count` rows. */
async function rowsSettle(page: Page, count: number): Promise<void> {
  // A function, not a string: the app's CSP forbids evaluating strings.
  const settled = (n: number) => {
    const { document } = globalThis as unknown as { document: { querySelector(s: string): unknown; querySelectorAll(s: string): { length: number } } };
    return !document.querySelector('[data-testid="audit-entries-loading"]') && document.querySelectorAll('[data-testid="audit-entry"]').length === n;
  };
  await page.waitForFunction(settled, count);
}

describe('the audit view in Chromium: the log, its filters, an entry proven against the chain, the anchors, and the patient’s timeline', () => {
  let gateway: StartedGateway | undefined;
  let browser: BrowserHandle | undefined;
  let users: readonly DemoUser[];
  let keys: PatientKeys | undefined;

  const user = (name: string) => users.find((u) => u.username === name)!;
  async function fhirRead(token: string, path: string): Promise<number> {
    const response = await fetch(`${gateway!.baseUrl}/fhir/${path}`, { headers: { authorization: `Bearer ${token}`, accept: 'application/fhir+json' } });
    await response.arrayBuffer();
    return response.status;
  }
  async function stored(): Promise<StoredEntry[]> {
    const rows = await gateway!.app.get(DatabaseService).db.selectFrom('audit_entry').select(['leaf_index', 'entry', 'leaf_hash']).orderBy('leaf_index', 'desc').execute();
    return rows.map((r) => ({ leafIndex: Number(r.leaf_index), text: r.entry, leafHash: Buffer.from(r.leaf_hash).toString('hex'), entry: JSON.parse(r.entry) as StoredEntry['entry'] }));
  }

  beforeAll(async () => {
    await ensureWebAppsBuilt();
    gateway = await startGateway({ AUDIT_ANCHOR_MODE: 'off' });
    users = readDemoAccounts(gateway.dataDir).users;
    const hospital = await hospitalAccessToken(gateway);
    for (const record of [ALICE, VITAL, LAB]) await fhirPut(gateway, hospital, record);
    await fhirPut(gateway, hospital, { resourceType: 'Patient', id: 'pat-bob', gender: 'male' });
    for (let i = 1; i <= BOB_WRITES; i += 1) await fhirPut(gateway, hospital, observation(`obs-bob-${i}`, 'pat-bob', 'vital-signs', '8867-4', 60 + i, '/min'));
    browser = await launchBrowser();
  }, 180_000);

  afterAll(async () => {
    if (keys) wipePatientKeys(keys);
    await browser?.close();
    await gateway?.close();
  });

  it('shows audrey exactly the log’s entries without health data, filters them, proves one against the on-chain root, lists the anchor, marks a later entry as not yet anchored, and shows alice the same leaves and pseudonym', async () => {
    const base = gateway!.baseUrl;
    const tokens: Record<string, string> = {};
    for (const who of ['alice', 'dr.chen', 'dr.patel']) tokens[who] = await demoAccessToken(gateway!, who);

    // a. Over HTTP: alice claims her store and grants dr.chen her details and vital signs; he reads both and is
    // refused the lab result; dr.patel is refused the vital sign.
    keys = derivePatientKeys(user('alice').mnemonic!);
    const claimed = await fetch(`${base}/api/patient-store/claim`, { method: 'POST', headers: { authorization: `Bearer ${tokens['alice']}`, 'content-type': 'application/json' }, body: JSON.stringify(await buildStoreClaim(keys, 'pat-alice', base)) });
    expect(claimed.status).toBe(200);
    const chenId = await granteeByReference(base, tokens['alice']!, `user:${user('dr.chen').id}`);
    const patelId = await granteeByReference(base, tokens['alice']!, `user:${user('dr.patel').id}`);
    const consent = await grantConsent(base, tokens['alice']!, keys, { granteeId: chenId, purpose: 'TREATMENT', compartments: ['demographics', 'vitals'], durationDays: 7 });
    expect([await fhirRead(tokens['dr.chen']!, 'Patient/pat-alice'), await fhirRead(tokens['dr.chen']!, `Observation/${VITAL.id}`), await fhirRead(tokens['dr.chen']!, `Observation/${LAB.id}`)]).toEqual([200, 200, 404]);
    expect(await fhirRead(tokens['dr.patel']!, `Observation/${VITAL.id}`)).toBe(404);

    // b. Anchored by hand (AUDIT_ANCHOR_MODE=off), then one more read that no anchor covers yet.
    const anchor = (await gateway!.app.get(AuditAnchorer).anchorNow())!;
    const log = gateway!.app.get(AuditLog, { strict: false });
    const chain = gateway!.app.get(ChainService);
    const [onChain] = await chain.latestAnchors(1);
    const anchoredRoot = (await chain.auditAnchor.rootAt(anchor.treeSize)) as string;
    expect([onChain!.txHash, Number(onChain!.treeSize), onChain!.rootHash]).toEqual([anchor.transactionHash, anchor.treeSize, anchoredRoot]);
    expect(await fhirRead(tokens['dr.chen']!, `Observation/${VITAL.id}`)).toBe(200);
    const entries = await stored();
    expect(entries.map((e) => e.leafIndex)).toEqual(Array.from({ length: entries.length }, (_, i) => entries.length - 1 - i));
    expect(entries.length).toBe(anchor.treeSize + 1);
    expect(entries.length).toBeGreaterThan(50);
    const pseudonym = log.pseudonym('pat-alice');
    const denied = entries.filter((e) => e.entry.outcome === 'denied');
    expect(denied.map((e) => [e.entry.action, e.entry.role, e.entry.actor, e.entry.patient, e.entry.consent ?? null])).toEqual([
      ['read', 'clinician', patelId, pseudonym, null],
      ['read', 'clinician', chenId, pseudonym, null],
    ]);
    const chenReads = entries.filter((e) => e.entry.actor === chenId && e.entry.outcome === 'allowed');
    expect(chenReads.map((e) => [e.entry.action, e.entry.consent, e.entry.purpose])).toEqual([
      ['read', consent.id, 'TREATMENT'],
      ['read', consent.id, 'TREATMENT'],
      ['read', consent.id, 'TREATMENT'],
    ]);
    const pending = entries[0]!;
    expect(pending.entry.actor).toBe(chenId);

    // c. Audrey signs in to the clinician app and sees the newest 50 entries, then the older ones: exactly the log.
    const page = await browser!.newPage();
    const answers: string[] = [];
    page.on('response', (response: Response) => {
      if (new URL(response.url()).pathname.startsWith('/audit/')) void response.text().then((text) => answers.push(text), () => undefined);
    });
    await signIn(page, `${base}/clinician/`, user('audrey'), '[data-testid="audit-entries-ready"], [data-testid="audit-entries-error"]');
    expect(await page.getByTestId('audit-entries-error').count()).toBe(0);
    expect(await page.getByTestId('audit-tree-size').innerText()).toBe(`The log holds ${entries.length} entries; 50 shown, newest first.`);
    expect(await shownRows(page)).toEqual(entries.slice(0, 50).map(rowOf));
    await page.getByTestId('audit-older').click();
    await rowsSettle(page, entries.length);
    expect(await shownRows(page)).toEqual(entries.map(rowOf));
    expect(await page.getByTestId('audit-older').count()).toBe(0);
    expect(await page.getByTestId('audit-stat-total').innerText()).toBe(String(entries.length));
    expect(await page.getByTestId('audit-stat-denials').innerText()).toBe('2');

    // d. Filters: the denials (exactly dr.patel's and dr.chen's refused reads), then alice's pseudonym.
    await page.getByTestId('audit-filter-outcome').selectOption('denied');
    await page.getByTestId('audit-filter-apply').click();
    await rowsSettle(page, 2);
    expect(await shownRows(page)).toEqual(denied.map(rowOf));
    await page.getByTestId('audit-filter-clear').click();
    await rowsSettle(page, 50);
    await page.getByTestId('audit-filter-patient').fill(pseudonym);
    await page.getByTestId('audit-filter-apply').click();
    const alices = entries.filter((e) => e.entry.patient === pseudonym);
    await rowsSettle(page, alices.length);
    expect(await shownRows(page)).toEqual(alices.map(rowOf));
    expect(alices.map((e) => e.leafIndex)).toContain(denied[0]!.leafIndex);
    expect(await page.getByTestId('audit-entry').evaluateAll((rows) => [...new Set(rows.map((r) => r.getAttribute('data-patient')))])).toEqual([pseudonym]);

    // e. Dr. Patel's refused read, in full, proven in the browser against the root anvil holds for the anchored size.
    const patelRead = denied[0]!;
    await page.getByTestId(`audit-open-${patelRead.leafIndex}`).click();
    const proof = page.getByTestId('audit-proof');
    await page.locator('[data-testid="audit-proof"]:not([data-kind="checking"])').waitFor({ timeout: 30_000 });
    expect(await proof.innerText()).toBe(`Verified: leaf ${patelRead.leafIndex} is in the tree of ${anchor.treeSize} entries whose root ${anchoredRoot} is anchored on-chain in transaction ${anchor.transactionHash}`);
    expect([await proof.getAttribute('data-tree-size'), await proof.getAttribute('data-transaction')]).toEqual([String(onChain!.treeSize), onChain!.txHash]);
    expect(await page.getByTestId('audit-detail-canonical').innerText()).toBe(patelRead.text);
    expect(await page.getByTestId('audit-detail-leaf-hash').innerText()).toBe(patelRead.leafHash);
    expect(await page.getByTestId('audit-detail-field').evaluateAll((items) => items.map((i) => i.getAttribute('data-field')))).toEqual([...Object.keys(patelRead.entry), 'leafHash']);

    // f. The anchors, as the chain's logs hold them: the one transaction, of the anchored size.
    expect(await page.getByTestId('audit-anchor').evaluateAll((rows) => rows.map((r) => [r.getAttribute('data-index'), r.getAttribute('data-tree-size'), r.getAttribute('data-root'), r.getAttribute('data-transaction'), r.getAttribute('data-block')]))).toEqual([
      ['0', String(anchor.treeSize), anchoredRoot, anchor.transactionHash, String(anchor.blockNumber)],
    ]);

    // g. Dr. Chen's read after the anchor: in the log, not yet under an anchored root.
    await page.getByTestId('audit-filter-clear').click();
    await rowsSettle(page, 50);
    await page.getByTestId(`audit-open-${pending.leafIndex}`).click();
    await page.locator(`[data-testid="audit-detail"][data-leaf-index="${pending.leafIndex}"] [data-testid="audit-proof"]:not([data-kind="checking"])`).waitFor({ timeout: 30_000 });
    expect(await proof.innerText()).toBe('Not yet anchored: the next anchor will cover it');

    // No names, ids, values or free text of the records anywhere on the page or in the API's answers.
    const pageText = await page.locator('body').innerText();
    expect(HEALTH_DATA.filter((word) => pageText.includes(word) || answers.some((a) => a.includes(word)))).toEqual([]);
    expect(leaksPhrase(pageText, NOTE) || answers.some((a) => leaksPhrase(a, NOTE))).toBe(false);
    expect(answers.length).toBeGreaterThan(5);

    // h. Alice's portal: her timeline's leaf indexes are her entries in the log, and her pseudonym is the auditor's.
    const portal = await browser!.browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' }).then((c) => c.newPage());
    await signIn(portal, `${base}/portal/`, user('alice'), '[data-testid="access-event"]');
    await portal.getByTestId('audit-pseudonym').waitFor();
    expect(await portal.getByTestId('audit-pseudonym').innerText()).toBe(pseudonym);
    expect(await portal.getByTestId('audit-pseudonym-note').innerText()).toContain('You can give this pseudonym to a regulator');
    const shown = (await portal.getByTestId('access-event').evaluateAll((items) => items.map((i) => Number(i.getAttribute('data-leaf-index'))))) as number[];
    const hers = (await stored()).filter((e) => e.entry.patient === pseudonym && e.leafIndex <= shown[0]!);
    expect(shown).toEqual(hers.map((e) => e.leafIndex));
    expect(shown).toEqual(expect.arrayContaining([patelRead.leafIndex, pending.leafIndex]));
    const purposes = await portal.locator(`[data-testid="access-event"][data-leaf-index="${pending.leafIndex}"]`).evaluate((item) => [item.getAttribute('data-purpose'), item.querySelector('[data-testid="access-leaf-index"]')?.textContent]);
    expect(purposes).toEqual(['TREATMENT', String(pending.leafIndex)]);
    await portal.context().close();

    // i. An entry rewritten in the database no longer hashes to its leaf: the browser says so.
    const tampered = chenReads[1]!;
    const rewritten = tampered.text.replace('"outcome":"allowed"', '"outcome":"denied"');
    await gateway!.app.get(DatabaseService).db.updateTable('audit_entry').set({ entry: rewritten }).where('leaf_index', '=', tampered.leafIndex).execute();
    await page.getByTestId('audit-refresh').click();
    await page.getByTestId('audit-detail').waitFor({ state: 'detached' });
    await rowsSettle(page, 50);
    await page.getByTestId(`audit-open-${tampered.leafIndex}`).click();
    await page.locator(`[data-testid="audit-detail"][data-leaf-index="${tampered.leafIndex}"] [data-testid="audit-proof"]:not([data-kind="checking"])`).waitFor({ timeout: 30_000 });
    expect(await proof.innerText()).toBe(`Not verified: the entry's text hashes to ${entryLeafHash(rewritten)}, not to its leaf hash ${tampered.leafHash}`);
    expect(browser!.errors).toEqual([]);
  }, 300_000);
});
