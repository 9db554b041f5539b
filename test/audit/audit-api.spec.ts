/**
 * The regulator's audit API (issue 6 §4) and the `$diagnose` receipt's audit part (§3), end to end: a scripted
 * sequence of consented and refused accesses, then the log read back through `/audit` exactly as it was written —
 * entries, filters, paging, inclusion proofs against the tree head and against the root anchored on anvil,
 * consistency proofs, statistics — and the FHIR AuditEvent projection for auditors and patients. Real gateway,
 * real anvil, real tokens; SQLite, and PostgreSQL when it answers.
 */
import type { Client } from 'fhir-kit-client';
import { Contract, JsonRpcProvider } from 'ethers';
import { hexToBytes } from '@noble/hashes/utils.js';
import { AuditAnchorer } from '../../gateway/src/audit/anchoring/index.js';
import type { AuditEntry } from '../../gateway/src/audit/audit-entry.js';
import { entryLeafHash } from '../../gateway/src/audit/audit-entry.js';
import { AuditLog } from '../../gateway/src/audit/audit-log.js';
import { toAuditEvent } from '../../gateway/src/audit/fhir/index.js';
import { verifyConsistency, verifyInclusion } from '../../gateway/src/audit/merkle.js';
import { canonicalJson, derivePatientKeys, granteeId, type PatientKeys } from '../../gateway/src/crypto/index.js';
import { claimStore, grantConsent, type GrantedConsent, granteeByReference } from '../support/consent.js';
import { failureOf, fhirClient, type FhirBundle, type StoredFhirResource } from '../support/fhir.js';
import { startGateway, type StartedGateway } from '../support/gateway.js';
import { demoAccessToken, hospitalAccessToken, readDemoAccounts } from '../support/oidc.js';
import { createTestDatabase, describePostgres, type TestDatabase } from '../support/postgres.js';

interface Item {
  leafIndex: number;
  leafHash: string;
  canonical: string;
  entry: AuditEntry;
}
interface Page {
  treeSize: number;
  entries: Item[];
  next?: string;
}
interface Outcome {
  resourceType: 'OperationOutcome';
  issue: { severity: string; code: string; diagnostics: string; expression?: string[] }[];
}

// Health data written in this suite: none of it may appear in any /audit answer.
// (Values with decimals and at least 60 before the point: no ISO timestamp or hex hash can contain them by chance.)
const SECRETS = ['Alicia Q. Testpatient', 'Testpatient', '1961-07-23', '61.25', '212.5', 'pat-alice', 'pat-bob'];
const LOINC = 'http://loinc.org';
const CATEGORY = 'http://terminology.hl7.org/CodeSystem/observation-category';
const observation = (patient: string, category: string, code: string, value: number, unit: string) => ({
  resourceType: 'Observation',
  status: 'final',
  category: [{ coding: [{ system: CATEGORY, code: category }] }],
  code: { coding: [{ system: LOINC, code }] },
  subject: { reference: `Patient/${patient}` },
  effectiveDateTime: new Date(Date.now() - 5 * 86_400_000).toISOString(),
  valueQuantity: { value, unit, system: 'http://unitsofmeasure.org', code: unit },
});
const invalid = (diagnostics: string, expression: string): Outcome => ({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'invalid', diagnostics, expression: [expression] }] });
const bytes = (hex: string) => hexToBytes(hex.replace(/^0x/, ''));

function auditApiSuite(name: string, database: () => Promise<Record<string, string>>, drop: () => Promise<void> = async () => undefined): void {
  describe(name, () => {
    let gateway: StartedGateway;
    let tokens: Record<string, string>;
    let clients: Record<string, Client>;
    let hospital: Client;
    let alice: PatientKeys;
    let users: ReturnType<typeof readDemoAccounts>['users'];
    let chenGrantee: string;
    let records: Record<string, StoredFhirResource>;
    let consent: GrantedConsent;
    let mark: number;
    const answers: string[] = [];

    /** GET an /audit path as `who` (default the auditor); keeps the answer's text for the health-data scan. */
    const get = async <T>(path: string, who: string | null = 'audrey'): Promise<{ status: number; body: T }> => {
      const response = await fetch(`${gateway.baseUrl}${path}`, { headers: who ? { authorization: `Bearer ${tokens[who]}` } : {} });
      const text = await response.text();
      answers.push(text);
      return { status: response.status, body: JSON.parse(text) as T };
    };
    const ok = async <T>(path: string): Promise<T> => {
      const { status, body } = await get<T>(path);
      if (status !== 200) throw new Error(`GET ${path}: expected 200, got ${status} ${JSON.stringify(body)}`);
      return body;
    };
    /** Every entry, following `next` with pages of `limit`. */
    const all = async (query = '', limit = 1000): Promise<Item[]> => {
      const items: Item[] = [];
      for (let after: string | undefined; ; ) {
        const page = await ok<Page>(`/audit/entries?limit=${limit}${query}${after !== undefined ? `&after=${after}` : ''}`);
        items.push(...page.entries);
        if (page.next === undefined) return items;
        after = page.next;
      }
    };
    const actorOf = (username: string) => granteeId(gateway.issuer, `user:${users.find((u) => u.username === username)!.id}`);
    const pseudonym = (patientId: string) => gateway.app.get(AuditLog).pseudonym(patientId);

    beforeAll(async () => {
      gateway = await startGateway({ AUDIT_ANCHOR_MODE: 'off', ...(await database()) });
      tokens = { hospital: await hospitalAccessToken(gateway) };
      clients = {};
      for (const who of ['alice', 'bob', 'dr.chen', 'dr.patel', 'audrey']) {
        tokens[who] = await demoAccessToken(gateway, who);
        clients[who] = fhirClient(gateway.baseUrl, tokens[who]!);
      }
      hospital = fhirClient(gateway.baseUrl, tokens['hospital']!);
      users = readDemoAccounts(gateway.dataDir).users;
      alice = derivePatientKeys(users.find((u) => u.username === 'alice')!.mnemonic!);
      records = {};
      records['patient'] = (await hospital.update({
        resourceType: 'Patient',
        id: 'pat-alice',
        body: { resourceType: 'Patient', id: 'pat-alice', name: [{ text: 'Alicia Q. Testpatient', family: 'Testpatient' }], gender: 'female', birthDate: '1961-07-23' },
      })) as unknown as StoredFhirResource;
      records['vital'] = (await hospital.create({ resourceType: 'Observation', body: observation('pat-alice', 'vital-signs', '8867-4', 61.25, '/min') })) as unknown as StoredFhirResource;
      records['lab'] = (await hospital.create({ resourceType: 'Observation', body: observation('pat-alice', 'laboratory', '2093-3', 212.5, 'mg/dL') })) as unknown as StoredFhirResource;
      records['creatinine'] = (await hospital.create({ resourceType: 'Observation', body: observation('pat-alice', 'laboratory', '2160-0', 0.93, 'mg/dL') })) as unknown as StoredFhirResource;
      await hospital.update({ resourceType: 'Patient', id: 'pat-bob', body: { resourceType: 'Patient', id: 'pat-bob' } });
      await claimStore(gateway.baseUrl, tokens['alice']!, alice, 'pat-alice');
      chenGrantee = await granteeByReference(gateway.baseUrl, tokens['alice']!, `user:${users.find((u) => u.username === 'dr.chen')!.id}`);
    });
    afterAll(async () => {
      await gateway?.close();
      await drop();
    });

    it('serves exactly the scripted accesses, in order, with pseudonymous actors and patient, purpose and outcome', async () => {
      mark = (await ok<{ treeSize: number }>('/audit/tree-head')).treeSize;
      consent = await grantConsent(gateway.baseUrl, tokens['alice']!, alice, { granteeId: chenGrantee, purpose: 'TREATMENT', compartments: ['vitals', 'demographics'], durationDays: 7 });
      expect(await clients['dr.chen']!.read({ resourceType: 'Observation', id: records['vital']!.id })).toEqual(records['vital']);
      expect((await failureOf(clients['dr.chen']!.read({ resourceType: 'Observation', id: records['lab']!.id }))).status).toBe(404);
      expect((await failureOf(clients['dr.patel']!.read({ resourceType: 'Observation', id: records['vital']!.id }))).status).toBe(404);
      await hospital.create({ resourceType: 'Observation', body: observation('pat-alice', 'vital-signs', '8867-4', 61.25, '/min') });

      const page = await ok<Page>(`/audit/entries?after=${mark - 1}`);
      const hospitalActor = granteeId(gateway.issuer, 'client:demo-hospital');
      const alicePseudonym = pseudonym('pat-alice');
      expect(alicePseudonym).toMatch(/^[0-9a-f]{32}$/);
      expect(page.entries.map((i) => i.leafIndex)).toEqual(page.entries.map((_, k) => mark + k));
      const gatewayActor = granteeId('urn:fhir-gateway', 'client:fhir-gateway');
      expect(page.entries.map(({ entry: { v, seq, prev, at, ...rest } }) => (expect([v, seq, typeof prev, typeof at]).toEqual([1, expect.any(Number), 'string', 'string']), rest))).toEqual([
        // The gateway seals its copy of the consent into alice's store (its own pseudonym, no token behind it).
        { actor: gatewayActor, role: 'gateway', action: 'create', outcome: 'allowed', patient: alicePseudonym, resourceType: 'Consent' },
        { actor: actorOf('alice'), role: 'patient', action: 'consent-grant', outcome: 'allowed', patient: alicePseudonym, consent: consent.id, purpose: 'TREATMENT' },
        { actor: actorOf('alice'), role: 'patient', action: 'key-release', outcome: 'allowed', patient: alicePseudonym, consent: consent.id, purpose: 'TREATMENT', compartment: 'demographics' },
        { actor: actorOf('alice'), role: 'patient', action: 'key-release', outcome: 'allowed', patient: alicePseudonym, consent: consent.id, purpose: 'TREATMENT', compartment: 'vitals' },
        { actor: actorOf('dr.chen'), role: 'clinician', action: 'read', outcome: 'allowed', patient: alicePseudonym, resourceType: 'Observation', consent: consent.id, purpose: 'TREATMENT' },
        { actor: actorOf('dr.chen'), role: 'clinician', action: 'read', outcome: 'denied', patient: alicePseudonym, resourceType: 'Observation', reason: 'no-grant' },
        { actor: actorOf('dr.patel'), role: 'clinician', action: 'read', outcome: 'denied', patient: alicePseudonym, resourceType: 'Observation', reason: 'no-grant' },
        { actor: hospitalActor, role: 'hospital-system', action: 'create', outcome: 'allowed', patient: alicePseudonym, resourceType: 'Observation' },
      ]);
      expect(actorOf('dr.chen')).toBe(chenGrantee);
      expect(page.treeSize).toBe(mark + 8);
      expect(page.next).toBeUndefined();
    });

    it('serves each entry as the exact canonical text it hashed, chained by seq and prev', async () => {
      const items = await all();
      expect(items.map((i) => i.leafIndex)).toEqual(items.map((_, k) => k));
      for (const [k, item] of items.entries()) {
        expect(item.canonical).toBe(canonicalJson(item.entry));
        expect(item.leafHash).toBe(entryLeafHash(item.canonical));
        expect([item.entry.seq, item.entry.prev]).toEqual([k, k === 0 ? '0'.repeat(64) : items[k - 1]!.leafHash]);
      }
      // The patient pseudonym is the same on every entry about alice and on no other patient's.
      const bob = pseudonym('pat-bob');
      expect(new Set(items.filter((i) => i.entry.patient !== undefined && i.entry.patient !== bob).map((i) => i.entry.patient))).toEqual(new Set([pseudonym('pat-alice')]));
      const one = await ok<Item & { receipt: { leafIndex: number; leafHash: string } }>(`/audit/entries/${mark}`);
      expect(one).toEqual({ ...items[mark], receipt: { leafIndex: mark, leafHash: items[mark]!.leafHash } });
    });

    it('filters by purpose, actor, patient, outcome, action, model and time window, exactly as the entries say', async () => {
      const items = await all();
      const scripted = items.slice(mark, mark + 8);
      const cases: [string, (e: AuditEntry) => boolean][] = [
        ['&purpose=TREATMENT', (e) => e.purpose === 'TREATMENT'],
        [`&actor=${actorOf('dr.chen')}`, (e) => e.actor === actorOf('dr.chen')],
        [`&patient=${pseudonym('pat-alice')}`, (e) => e.patient === pseudonym('pat-alice')],
        ['&outcome=denied', (e) => e.outcome === 'denied'],
        ['&action=read', (e) => e.action === 'read'],
        ['&action=read&outcome=allowed&purpose=TREATMENT', (e) => e.action === 'read' && e.outcome === 'allowed' && e.purpose === 'TREATMENT'],
        ['&model=ascvd-pce', (e) => e.model?.id === 'ascvd-pce'],
        [`&from=${scripted[0]!.entry.at}&to=${new Date(Date.parse(scripted.at(-1)!.entry.at) + 1).toISOString()}`, (e) => e.at >= scripted[0]!.entry.at && e.at <= scripted.at(-1)!.entry.at],
      ];
      for (const [query, matches] of cases) expect([query, (await all(query)).map((i) => i.leafIndex)]).toEqual([query, items.filter((i) => matches(i.entry)).map((i) => i.leafIndex)]);
      expect((await all('&outcome=denied')).map((i) => i.leafIndex)).toEqual([mark + 5, mark + 6]);
      expect((await all(`&actor=${actorOf('dr.chen')}`)).map((i) => i.leafIndex)).toEqual([mark + 4, mark + 5]);
    });

    it('pages by leaf index in both orders, without duplicates or gaps', async () => {
      const items = await all();
      expect(await all('', 2)).toEqual(items);
      const descending: Item[] = [];
      for (let after: string | undefined; ; ) {
        const page = await ok<Page>(`/audit/entries?limit=2&order=desc${after !== undefined ? `&after=${after}` : ''}`);
        expect(page.entries.length).toBe(page.next === undefined ? (items.length % 2 || 2) : 2);
        descending.push(...page.entries);
        if (page.next === undefined) break;
        after = page.next;
      }
      expect(descending).toEqual([...items].reverse());
    });

    it('proves every entry against the tree head, then against the root anchored on anvil, and the heads consistent', async () => {
      const items = await all();
      const head = await ok<{ treeSize: number; rootHash: string; anchored?: unknown }>('/audit/tree-head');
      expect([head.treeSize, head.anchored]).toEqual([items.length, undefined]);
      for (const item of items) {
        const proof = await ok<{ leafIndex: number; treeSize: number; leafHash: string; rootHash: string; proof: string[]; anchor?: unknown }>(`/audit/proofs/inclusion?leafIndex=${item.leafIndex}`);
        expect([proof.leafIndex, proof.treeSize, proof.leafHash, proof.rootHash, proof.anchor]).toEqual([item.leafIndex, head.treeSize, item.leafHash, head.rootHash, undefined]);
        expect(verifyInclusion(bytes(item.leafHash), item.leafIndex, head.treeSize, proof.proof.map(bytes), bytes(head.rootHash))).toBe(true);
      }

      const anchor = (await gateway.app.get(AuditAnchorer).anchorNow())!;
      expect(anchor).toMatchObject({ index: 0, treeSize: head.treeSize, rootHash: `0x${head.rootHash}` });
      const chain = await ok<{ chainId: number; rpcUrl: string; auditAnchor: string; consentRegistry: string }>('/audit/chain');
      expect(chain.chainId).toBe(31337);
      const provider = new JsonRpcProvider(chain.rpcUrl, chain.chainId, { staticNetwork: true });
      const onChain = new Contract(chain.auditAnchor, ['function rootAt(uint64 treeSize) view returns (bytes32)'], provider);
      const anchoredRoot = ((await onChain.getFunction('rootAt')(head.treeSize)) as string).slice(2);
      expect(anchoredRoot).toBe(head.rootHash);
      expect((await ok<{ anchored?: unknown }>('/audit/tree-head')).anchored).toEqual(anchor);

      // More accesses after the anchor: each older entry's default proof is still up to the first anchor covering it.
      await clients['dr.chen']!.read({ resourceType: 'Observation', id: records['vital']!.id });
      const grown = await ok<{ treeSize: number; rootHash: string }>('/audit/tree-head');
      expect(grown.treeSize).toBe(head.treeSize + 1);
      for (const item of items) {
        const proof = await ok<{ treeSize: number; rootHash: string; proof: string[]; anchor?: unknown }>(`/audit/proofs/inclusion?leafIndex=${item.leafIndex}`);
        expect([proof.treeSize, proof.rootHash, proof.anchor]).toEqual([anchor.treeSize, anchoredRoot, anchor]);
        expect(verifyInclusion(bytes(item.leafHash), item.leafIndex, anchor.treeSize, proof.proof.map(bytes), bytes(anchoredRoot))).toBe(true);
        const { receipt } = await ok<{ receipt: { anchor: unknown; inclusionProof: string[] } }>(`/audit/entries/${item.leafIndex}`);
        expect(receipt).toEqual({ leafIndex: item.leafIndex, leafHash: item.leafHash, anchor, inclusionProof: proof.proof });
      }
      const latest = await ok<{ treeSize: number; rootHash: string; proof: string[] }>(`/audit/proofs/inclusion?leafIndex=${grown.treeSize - 1}`);
      expect([latest.treeSize, latest.rootHash]).toEqual([grown.treeSize, grown.rootHash]);

      for (const [first, second] of [
        [1, grown.treeSize],
        [mark, anchor.treeSize],
        [anchor.treeSize, grown.treeSize],
        [3, 3],
        [mark + 2, mark + 5],
      ] as const) {
        const c = await ok<{ first: number; second: number; firstRoot: string; secondRoot: string; proof: string[] }>(`/audit/proofs/consistency?first=${first}&second=${second}`);
        expect([c.first, c.second]).toEqual([first, second]);
        expect(verifyConsistency(first, second, bytes(c.firstRoot), bytes(c.secondRoot), c.proof.map(bytes))).toBe(true);
        if (second === anchor.treeSize) expect(c.secondRoot).toBe(anchoredRoot);
        if (first === anchor.treeSize) expect(c.firstRoot).toBe(anchoredRoot);
      }
    });

    it('counts by purpose, model version and action, with denials, break-glass and overrides', async () => {
      const items = await all();
      const count = (key: (e: AuditEntry) => string | undefined) => {
        const out: Record<string, number> = {};
        for (const { entry } of items) {
          const k = key(entry);
          if (k !== undefined) out[k] = (out[k] ?? 0) + 1;
        }
        return out;
      };
      const statistics = await ok<Record<string, unknown>>('/audit/statistics');
      expect(statistics).toEqual({
        total: items.length,
        byPurpose: count((e) => e.purpose),
        byModel: count((e) => (e.model ? `${e.model.id}@${e.model.version}` : undefined)),
        byAction: count((e) => e.action),
        denials: items.filter((i) => i.entry.outcome === 'denied').length,
        breakGlass: items.filter((i) => i.entry.action === 'emergency' && i.entry.outcome === 'allowed').length,
        overrides: items.filter((i) => i.entry.action === 'diagnosis-override').length,
      });
      expect(statistics['denials']).toBe(2);
      expect((statistics['byPurpose'] as Record<string, number>)['TREATMENT']).toBe(5);
      const scripted = items.slice(mark, mark + 8);
      const window = await ok<{ total: number; byAction: Record<string, number> }>(`/audit/statistics?from=${scripted[0]!.entry.at}&to=${new Date(Date.parse(scripted.at(-1)!.entry.at) + 1).toISOString()}`);
      expect([window.total, window.byAction]).toEqual([8, { 'consent-grant': 1, create: 2, 'key-release': 2, read: 3 }]);
    });

    it('refuses bad parameters with a 400 OperationOutcome naming the parameter', async () => {
      const size = (await ok<{ treeSize: number }>('/audit/tree-head')).treeSize;
      const cases: [string, Outcome][] = [
        ['/audit/entries?limit=0', invalid('limit: expected a whole number from 1 to 1000, got "0"', 'limit')],
        ['/audit/entries?order=sideways', invalid('order: expected one of asc, desc, got "sideways"', 'order')],
        ['/audit/entries?from=last-week', invalid('from: expected an ISO 8601 date or date-time with a time zone (e.g. 2025-01-31T12:00:00Z), got "last-week"', 'from')],
        ['/audit/entries?patient=pat-alice', invalid('patient: expected a pseudonym of 32 lowercase hex digits, got 9 other characters', 'patient')],
        ['/audit/entries?outcome=maybe', invalid('outcome: expected one of allowed, denied, got "maybe"', 'outcome')],
        ['/audit/entries?limit=1&limit=2', invalid('limit: expected one value, got 2', 'limit')],
        ['/audit/entries/abc', invalid('leafIndex: expected a whole number from 0 to 9007199254740991, got "abc"', 'leafIndex')],
        ['/audit/proofs/inclusion', invalid('leafIndex: required, got nothing', 'leafIndex')],
        [`/audit/proofs/inclusion?leafIndex=${size}`, invalid(`leafIndex: expected 0 to ${size - 1} (the log has ${size} entries), got ${size}`, 'leafIndex')],
        [`/audit/proofs/inclusion?leafIndex=3&treeSize=${size + 1}`, invalid(`treeSize: expected 4 to ${size} (above leafIndex, at most the log's size), got ${size + 1}`, 'treeSize')],
        ['/audit/proofs/inclusion?leafIndex=3&treeSize=3', invalid(`treeSize: expected 4 to ${size} (above leafIndex, at most the log's size), got 3`, 'treeSize')],
        ['/audit/proofs/consistency?first=5&second=4', invalid('first: expected at most second (4), got 5', 'first')],
        [`/audit/proofs/consistency?first=1&second=${size + 1}`, invalid(`second: expected at most ${size} (the log's size), got ${size + 1}`, 'second')],
        ['/audit/proofs/consistency?first=0', invalid('first: expected a whole number from 1 to 9007199254740991, got "0"', 'first')],
        ['/audit/statistics?from=2025-02-01&to=2025-01-01', invalid('to: expected a time after from (2025-02-01T00:00:00.000Z), got 2025-01-01T00:00:00.000Z', 'to')],
        ['/audit/tree-head?size=1', invalid('size: not a parameter of this endpoint (expected )', 'size')],
      ];
      for (const [path, outcome] of cases) expect([path, await get(path)]).toEqual([path, { status: 400, body: outcome }]);
      expect(await get(`/audit/entries/${size + 5}`)).toEqual({ status: 404, body: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-found', diagnostics: `audit entry ${size + 5} does not exist (the log has ${size} entries)` }] } });
    });

    it('answers 401 without a token and 403 to clinicians and patients on every /audit endpoint', async () => {
      for (const path of ['/audit/entries', '/audit/entries/0', '/audit/proofs/inclusion?leafIndex=0', '/audit/proofs/consistency?first=1', '/audit/anchors', '/audit/tree-head', '/audit/chain', '/audit/statistics']) {
        expect([path, (await get(path, null)).status]).toEqual([path, 401]);
        for (const who of ['dr.chen', 'alice', 'hospital']) {
          expect([path, who, await get(path, who)]).toEqual([path, who, { status: 403, body: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'forbidden', diagnostics: 'requires the realm role "auditor"' }] } }]);
        }
      }
    });

    it('projects the log as FHIR AuditEvents: auditors see every entry, each patient only their own', async () => {
      const items = await all();
      const byId = new Map(items.map((i) => [`audit-${i.leafIndex}`, toAuditEvent(i.entry, i.leafHash)]));
      const search = async (who: string, query: string) => {
        const first = (await clients[who]!.search({ resourceType: 'AuditEvent', searchParams: Object.fromEntries(new URLSearchParams(query)) })) as unknown as FhirBundle;
        const pages = [first];
        for (let page = first; page.link?.some((l) => l.relation === 'next'); ) pages.push((page = (await clients[who]!.nextPage({ bundle: page as never })) as unknown as FhirBundle));
        answers.push(JSON.stringify(pages));
        return { pages, resources: pages.flatMap((p) => (p.entry ?? []).map((e) => e.resource as unknown as Record<string, unknown>)) };
      };
      const everything = await search('audrey', '_count=7');
      expect(everything.pages.length).toBe(Math.ceil(items.length / 7));
      expect(everything.pages.every((p) => p.type === 'searchset' && p.total === undefined)).toBe(true);
      expect(everything.resources).toEqual([...items].reverse().map((i) => byId.get(`audit-${i.leafIndex}`)));

      const alicePseudonym = pseudonym('pat-alice');
      const hers = items.filter((i) => i.entry.patient === alicePseudonym);
      expect((await search('alice', '')).resources).toEqual([...hers].reverse().map((i) => byId.get(`audit-${i.leafIndex}`)));
      expect((await search('audrey', `patient=${alicePseudonym}&outcome=4`)).resources.map((r) => r['id'])).toEqual(
        items.filter((i) => i.entry.patient === alicePseudonym && i.entry.outcome === 'denied').reverse().map((i) => `audit-${i.leafIndex}`),
      );
      expect((await search('audrey', `agent=${actorOf('dr.patel')}`)).resources.map((r) => r['id'])).toEqual([`audit-${mark + 6}`]);
      const bobs = items.filter((i) => i.entry.patient === pseudonym('pat-bob'));
      expect(bobs.length).toBeGreaterThan(0);
      expect((await search('bob', '')).resources).toEqual([...bobs].reverse().map((i) => byId.get(`audit-${i.leafIndex}`)));
      expect((await search('bob', `patient=${alicePseudonym}`)).resources).toEqual([]);

      const id = `audit-${mark + 4}`;
      expect(await clients['audrey']!.read({ resourceType: 'AuditEvent', id })).toEqual(byId.get(id));
      expect(await clients['alice']!.read({ resourceType: 'AuditEvent', id })).toEqual(byId.get(id));
      expect(await failureOf(clients['bob']!.read({ resourceType: 'AuditEvent', id }))).toEqual({ status: 404, data: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-found', diagnostics: `AuditEvent/${id} is not known` }] } });
      expect((await failureOf(clients['audrey']!.read({ resourceType: 'AuditEvent', id: 'audit-99999' }))).status).toBe(404);
      for (const who of ['dr.chen', 'hospital']) {
        const client = who === 'hospital' ? hospital : clients[who]!;
        expect((await failureOf(client.read({ resourceType: 'AuditEvent', id }))).status).toBe(403);
        expect((await failureOf(client.search({ resourceType: 'AuditEvent', searchParams: {} }))).status).toBe(403);
      }
      expect((await failureOf(clients['audrey']!.create({ resourceType: 'AuditEvent', body: { resourceType: 'AuditEvent' } }))).status).toBe(405);
    });

    it('gives the $diagnose output an audit part naming the leaf whose entry holds the model, input, output and explanation hashes', async () => {
      await grantConsent(gateway.baseUrl, tokens['alice']!, alice, { granteeId: chenGrantee, purpose: 'DIAGNOSIS', compartments: ['demographics', 'labs', 'ai-results'], models: ['egfr-ckd-epi'], durationDays: 7 });
      const out = (await clients['dr.chen']!.operation({ name: '$diagnose', resourceType: 'Patient', id: 'pat-alice', input: { resourceType: 'Parameters', parameter: [{ name: 'model', valueString: 'egfr-ckd-epi' }] } })) as unknown as {
        parameter: { name: string; part?: { name: string; valueString?: string; valueInteger?: number }[] }[];
      };
      const part = (name: string, partName: string) => out.parameter.find((p) => p.name === name)!.part!.filter((p) => p.name === partName);
      const receipt = JSON.parse(part('receipt', 'json')[0]!.valueString!) as { diagnosisId: string; consentId: string; model: AuditEntry['model']; inputs: { sha256: string }[]; outputSha256: string; explanationSha256: string };
      const leafIndex = part('audit', 'leafIndex')[0]!.valueInteger!;
      const leafHash = part('audit', 'leafHash')[0]!.valueString!;
      expect(part('audit', 'anchor')).toEqual([]);
      const item = await ok<Item>(`/audit/entries/${leafIndex}`);
      expect(item.leafHash).toBe(leafHash);
      expect(item.entry).toMatchObject({
        action: 'diagnose',
        outcome: 'allowed',
        actor: chenGrantee,
        patient: pseudonym('pat-alice'),
        consent: receipt.consentId,
        purpose: 'DIAGNOSIS',
        model: receipt.model,
        inputs: receipt.inputs.map((i) => i.sha256),
        output: receipt.outputSha256,
        explanation: receipt.explanationSha256,
        result: receipt.diagnosisId,
      });
      expect(item.entry.explanation).toBe(part('explanation', 'sha256')[0]!.valueString);
      expect((await ok<Record<string, Record<string, number>>>('/audit/statistics'))['byModel']).toEqual({ 'egfr-ckd-epi@2021': 1 });
    });

    it('never shows a name, a birth date, an observation value or a patient id in any /audit answer', () => {
      expect(answers.length).toBeGreaterThan(100);
      const text = answers.join('\n');
      for (const secret of SECRETS) expect([secret, text.includes(secret)]).toEqual([secret, false]);
    });
  });
}

auditApiSuite('the regulator audit API (SQLite, real anvil, real tokens)', async () => ({}));

let postgres: TestDatabase | undefined;
describePostgres('the regulator audit API on PostgreSQL', () => {
  auditApiSuite(
    'the regulator audit API: the same on PostgreSQL',
    async () => {
      postgres = await createTestDatabase();
      return { DATABASE_URL: postgres.url };
    },
    async () => postgres?.drop(),
  );
});
