/**
 * `npm run audit:verify` (issue 6 §5) end to end: a real gateway (SQLite, real anvil, real tokens) builds a log of
 * consented reads, a denial, a diagnosis, a break-glass read and a revocation; the test anchors two heads itself
 * (AUDIT_ANCHOR_MODE=off, roots computed from the database); the built CLI, run as a child process, passes the
 * log read through the regulator API and straight from the database, and names the entry or anchor of each
 * tampering: a modified, deleted, reordered or inserted row, a rewritten on-chain root, an access after its
 * consent's revocation and a model file whose hash changed.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import SQLite from 'better-sqlite3';
import { AbiCoder, keccak256 } from 'ethers';
import type { Client } from 'fhir-kit-client';
import { type AuditEntry, entryLeafHash } from '../../gateway/src/audit/audit-entry.js';
import { rootOf } from '../../gateway/src/audit/merkle.js';
import { ChainService } from '../../gateway/src/chain/index.js';
import { auditFileOf } from '../../gateway/src/store/index.js';
import { findRepoRoot } from '../../gateway/src/common/index.js';
import { canonicalJson, derivePatientKeys, type PatientKeys } from '../../gateway/src/crypto/index.js';
import { claimStore, grantConsent, type GrantedConsent, granteeByReference, graphql, graphqlOk, revokeConsent } from '../support/consent.js';
import { failureOf, fhirClient, type StoredFhirResource } from '../support/fhir.js';
import { startGateway, type StartedGateway } from '../support/gateway.js';
import { demoAccessToken, hospitalAccessToken, readDemoAccounts } from '../support/oidc.js';

const REPO = findRepoRoot();
const CLI = join(REPO, 'gateway', 'dist', 'audit', 'verify', 'verify.cli.js');
const CATEGORY = 'http://terminology.hl7.org/CodeSystem/observation-category';
const short = (hex: string) => hex.replace(/^0x/, '').slice(0, 12);

/** Runs the built CLI; resolves with its exit code and output (never rejects on a non-zero exit). */
function verifier(args: readonly string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [CLI, ...args], { cwd: REPO, env: { PATH: process.env['PATH'] ?? '', ...env }, maxBuffer: 1 << 24 }, (error, stdout, stderr) => {
      done({ code: error ? Number((error as { code?: number }).code) : 0, stdout, stderr });
    });
  });
}

interface Row {
  leaf_index: number;
  entry: string;
}

describe('audit:verify: the independent verifier against a real gateway, chain and database (SQLite)', () => {
  let gateway: StartedGateway;
  let chain: ChainService;
  let tokens: Record<string, string>;
  let clients: Record<string, Client>;
  let alice: PatientKeys;
  let vital: StoredFhirResource;
  let treatment: GrantedConsent;
  let databaseFile: string;
  let work: string;
  let chainArgs: string[];
  const anchors: { size: number; root: string; tx: string }[] = [];

  /** The log's rows, from the audit file beside the gateway's SQLite database (or beside a copy of it). */
  const rows = (file = databaseFile): Row[] => {
    const db = new SQLite(auditFileOf(file), { readonly: true });
    try {
      return db.prepare('select leaf_index, entry from audit_entry order by leaf_index').all() as Row[];
    } finally {
      db.close();
    }
  };
  const entries = (file?: string) => rows(file).map((r) => JSON.parse(r.entry) as AuditEntry);
  const rootOver = (texts: readonly string[], size: number) => bytesToHex(rootOf(texts.slice(0, size).map((t) => hexToBytes(entryLeafHash(t))), size));
  const anchorHead = async () => {
    const texts = rows().map((r) => r.entry);
    const root = `0x${rootOver(texts, texts.length)}`;
    const tx = await chain.auditAnchor.anchor(texts.length, root);
    await tx.wait();
    anchors.push({ size: texts.length, root, tx: tx.hash });
  };
  /** A consistent copy of the gateway's database and its audit file, to tamper with. */
  const copyDatabase = (name: string): string => {
    const copy = join(work, `${name}.sqlite`);
    for (const [from, to] of [[databaseFile, copy], [auditFileOf(databaseFile), auditFileOf(copy)]] as const) {
      const db = new SQLite(from, { readonly: true });
      try {
        db.prepare('vacuum into ?').run(to);
      } finally {
        db.close();
      }
    }
    return copy;
  };
  /** Changes the audit file of a copy. */
  const tamper = (file: string, work: (db: SQLite.Database) => void) => {
    const db = new SQLite(auditFileOf(file));
    try {
      work(db);
    } finally {
      db.close();
    }
  };
  /** Position of the first entry matching `pick`. */
  const positionOf = (pick: (e: AuditEntry) => boolean) => entries().findIndex(pick);
  const rootMismatch = (index: number, texts: readonly string[], culprit: number) =>
    `anchor ${index} (size ${anchors[index]!.size}): root-mismatch: the first ${anchors[index]!.size} entries hash to ${rootOver(texts, anchors[index]!.size).slice(0, 12)}…, the anchored root is ${short(anchors[index]!.root)}…; the difference is in entry ${culprit} (flagged above)`;

  beforeAll(async () => {
    gateway = await startGateway({ AUDIT_ANCHOR_MODE: 'off' });
    chain = gateway.app.get(ChainService);
    databaseFile = join(gateway.dataDir, 'gateway.sqlite');
    work = mkdtempSync(join(tmpdir(), 'audit-verify-'));
    chainArgs = ['--rpc', chain.anvil!.url, '--deployment', join(gateway.dataDir, 'chain', 'deployment.json')];
    tokens = { hospital: await hospitalAccessToken(gateway) };
    clients = {};
    for (const who of ['alice', 'dr.chen', 'dr.patel', 'audrey']) {
      tokens[who] = await demoAccessToken(gateway, who);
      clients[who] = fhirClient(gateway.baseUrl, tokens[who]!);
    }
    const users = readDemoAccounts(gateway.dataDir).users;
    alice = derivePatientKeys(users.find((u) => u.username === 'alice')!.mnemonic!);
    const hospital = fhirClient(gateway.baseUrl, tokens['hospital']!);
    const observation = (category: string, code: string, value: Record<string, unknown>) => ({
      resourceType: 'Observation',
      status: 'final',
      category: [{ coding: [{ system: CATEGORY, code: category }] }],
      code: { coding: [{ system: 'http://loinc.org', code }] },
      subject: { reference: 'Patient/pat-alice' },
      effectiveDateTime: new Date(Date.now() - 20 * 86_400_000).toISOString(),
      ...value,
    });
    await hospital.update({ resourceType: 'Patient', id: 'pat-alice', body: { resourceType: 'Patient', id: 'pat-alice', gender: 'female', birthDate: '1970-03-01' } });
    vital = (await hospital.create({ resourceType: 'Observation', body: observation('vital-signs', '8867-4', { valueQuantity: { value: 72, unit: '/min', system: 'http://unitsofmeasure.org', code: '/min' } }) })) as unknown as StoredFhirResource;
    await hospital.create({ resourceType: 'Observation', body: observation('laboratory', '2160-0', { valueQuantity: { value: 0.9, unit: 'mg/dL', system: 'http://unitsofmeasure.org', code: 'mg/dL' } }) });
    await claimStore(gateway.baseUrl, tokens['alice']!, alice, 'pat-alice');
    const drChen = await granteeByReference(gateway.baseUrl, tokens['alice']!, `user:${users.find((u) => u.username === 'dr.chen')!.id}`);
    const read = (who: string) => clients[who]!.read({ resourceType: 'Observation', id: vital.id });

    // Anchored by head 0: a consented read, a denial, another read.
    treatment = await grantConsent(gateway.baseUrl, tokens['alice']!, alice, { granteeId: drChen, purpose: 'TREATMENT', compartments: ['vitals'], durationDays: 30 });
    await read('dr.chen');
    expect((await failureOf(read('dr.patel'))).status).toBe(404);
    await read('dr.chen');
    await anchorHead();

    // Anchored by head 1: a diagnosis, a break-glass read, the revocation.
    await grantConsent(gateway.baseUrl, tokens['alice']!, alice, { granteeId: drChen, purpose: 'DIAGNOSIS', compartments: ['demographics', 'labs', 'ai-results'], models: ['egfr-ckd-epi@2021'], durationDays: 30 });
    const diagnosis = await graphql(gateway.baseUrl, tokens['dr.chen']!, 'mutation($input: DiagnoseInput!) { requestDiagnosis(input: $input) { id } }', { input: { patientId: 'pat-alice', model: 'egfr-ckd-epi', version: '2021' } });
    expect(diagnosis.errors).toBeUndefined();
    const emergencyGrantee = await granteeByReference(gateway.baseUrl, tokens['alice']!, 'role:clinician');
    await grantConsent(gateway.baseUrl, tokens['alice']!, alice, { granteeId: emergencyGrantee, purpose: 'EMERGENCY', compartments: ['vitals'], durationDays: 365 });
    await graphqlOk(gateway.baseUrl, tokens['dr.patel']!, 'mutation($input: EmergencyInput!) { declareEmergency(input: $input) { id } }', { input: { patientId: 'pat-alice', reason: 'Unconscious on arrival, history unknown' } });
    await read('dr.patel');
    treatment = await revokeConsent(gateway.baseUrl, tokens['alice']!, alice, treatment.id);
    await anchorHead();

    // Not yet anchored: a read refused after the revocation, and one more break-glass read.
    expect((await failureOf(read('dr.chen'))).status).toBe(404);
    await read('dr.patel');
  });

  afterAll(async () => {
    await gateway?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  /** The PASS line the log in the database deserves, counted independently of the verifier. */
  const expectedPass = () => {
    const log = entries();
    const consentChecks = log.filter((e) => e.outcome === 'allowed' && e.consent !== undefined).length;
    const modelChecks = log.filter((e) => e.outcome === 'allowed' && e.model !== undefined && ['diagnose', 'diagnosis-accept', 'diagnosis-override'].includes(e.action)).length;
    const latest = anchors.at(-1)!.size;
    return `PASS: ${log.length} entries, 2 anchors (latest size ${latest}), ${consentChecks} consent checks, ${modelChecks} model check${modelChecks === 1 ? '' : 's'}; ${log.length - latest} entries not yet anchored`;
  };

  it('built a log with every kind of entry the checks cover', () => {
    const log = entries();
    expect(log.map((e) => e.seq)).toEqual(log.map((_, i) => i));
    const kinds = new Set(log.map((e) => `${e.action}:${e.outcome}${e.emergency ? ':break-glass' : ''}`));
    for (const kind of ['consent-grant:allowed', 'key-release:allowed', 'read:allowed', 'read:denied', 'diagnose:allowed', 'emergency:allowed:break-glass', 'read:allowed:break-glass', 'consent-revoke:allowed']) expect(kinds).toContain(kind);
    expect(anchors.map((a) => a.size)).toEqual([anchors[0]!.size, anchors[1]!.size]);
    expect(log.length - anchors[1]!.size).toBe(2);
  });

  it('passes the log read through the regulator API with an auditor token, exit 0', async () => {
    const result = await verifier(['--gateway', gateway.baseUrl, '--token', tokens['audrey']!, ...chainArgs]);
    expect(result).toEqual({ code: 0, stdout: `${expectedPass()}\n`, stderr: '' });
  });

  it('passes the log read straight from the database, and with the embedded defaults (demo auditor, anvil.pid, deployment file)', async () => {
    expect(await verifier(['--database', databaseFile, ...chainArgs])).toEqual({ code: 0, stdout: `${expectedPass()}\n`, stderr: '' });
    expect(await verifier(['--gateway', gateway.baseUrl], { DATA_DIR: gateway.dataDir })).toEqual({ code: 0, stdout: `${expectedPass()}\n`, stderr: '' });
  });

  it('prints a machine-readable report with --json', async () => {
    const result = await verifier(['--database', databaseFile, '--json', ...chainArgs]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: true, entries: entries().length, anchors: 2, latestAnchoredSize: anchors[1]!.size, unanchored: 2, discrepancies: [], summary: expectedPass() });
  });

  it('names a modified entry (its stale leaf hash, the broken link of the next entry) and both anchors over it, exit 1', async () => {
    const k = positionOf((e) => e.outcome === 'denied');
    const copy = copyDatabase('modified');
    const original = rows(copy)[k]!.entry;
    const changed = canonicalJson({ ...(JSON.parse(original) as AuditEntry), resourceType: 'Condition' });
    tamper(copy, (db) => db.prepare('update audit_entry set entry = ? where leaf_index = ?').run(changed, k));
    const texts = rows(copy).map((r) => r.entry);
    expect(await verifier(['--database', copy, ...chainArgs])).toEqual({
      code: 1,
      stdout: [
        `entry ${k}: leaf-hash: served leaf hash ${short(entryLeafHash(original))}… differs from the recomputed ${short(entryLeafHash(changed))}…`,
        `entry ${k}: modified: its leaf hash ${short(entryLeafHash(changed))}… is not the prev ${short(entryLeafHash(original))}… that entry ${k + 1} names`,
        rootMismatch(0, texts, k),
        rootMismatch(1, texts, k),
        'FAIL: 4 discrepancies',
        '',
      ].join('\n'),
      stderr: '',
    });
  });

  it('names a deleted entry as missing, exit 1', async () => {
    const k = positionOf((e) => e.outcome === 'denied');
    const copy = copyDatabase('deleted');
    tamper(copy, (db) => db.prepare('delete from audit_entry where leaf_index = ?').run(k));
    const texts = rows(copy).map((r) => r.entry);
    expect((await verifier(['--database', copy, ...chainArgs])).stdout.split('\n')).toEqual([
      `entry ${k}: missing: no entry with seq ${k} in the log: the entry at position ${k} says seq ${k + 1}`,
      rootMismatch(0, texts, k),
      rootMismatch(1, texts, k),
      'FAIL: 3 discrepancies',
      '',
    ]);
  });

  it('names both entries of a reordered pair, exit 1', async () => {
    const k = positionOf((e) => e.outcome === 'denied');
    const copy = copyDatabase('reordered');
    tamper(copy, (db) => {
      db.prepare('update audit_entry set leaf_index = -1 where leaf_index = ?').run(k);
      db.prepare('update audit_entry set leaf_index = ? where leaf_index = ?').run(k, k + 1);
      db.prepare('update audit_entry set leaf_index = ? where leaf_index = -1').run(k + 1);
    });
    const texts = rows(copy).map((r) => r.entry);
    const result = await verifier(['--database', copy, ...chainArgs]);
    expect(result.code).toBe(1);
    expect(result.stdout.split('\n')).toEqual([
      `entry ${k}: out-of-order: position ${k} holds the entry with seq ${k + 1} (expected seq ${k}), which follows entry ${k + 1}`,
      `entry ${k + 1}: out-of-order: position ${k + 1} holds the entry with seq ${k} (expected seq ${k + 1}), which follows entry ${k - 1}`,
      rootMismatch(0, texts, k),
      rootMismatch(1, texts, k),
      'FAIL: 4 discrepancies',
      '',
    ]);
  });

  it('names a forged row inserted into the log, exit 1', async () => {
    const k = positionOf((e) => e.outcome === 'denied');
    const copy = copyDatabase('inserted');
    tamper(copy, (db) => {
      const genuine = (db.prepare('select * from audit_entry where leaf_index = ?').get(k) as Record<string, unknown>)!;
      const forged = canonicalJson({ ...(JSON.parse(genuine['entry'] as string) as AuditEntry), resourceType: 'MedicationStatement' });
      db.prepare('update audit_entry set leaf_index = leaf_index + 1000000 where leaf_index >= ?').run(k);
      db.prepare('update audit_entry set leaf_index = leaf_index - 999999 where leaf_index >= 1000000').run();
      db.prepare('insert into audit_entry (leaf_index, at, entry, leaf_hash, actor, action, outcome) values (?, ?, ?, ?, ?, ?, ?)').run(k, genuine['at'], forged, Buffer.from(entryLeafHash(forged), 'hex'), genuine['actor'], 'read', 'denied');
    });
    const texts = rows(copy).map((r) => r.entry);
    const result = await verifier(['--database', copy, ...chainArgs]);
    expect(result.stdout.split('\n')).toEqual([`entry ${k}: inserted: entry ${k + 1} links past it to entry ${k - 1}, and no entry links to it`, rootMismatch(0, texts, k), rootMismatch(1, texts, k), 'FAIL: 3 discrepancies', '']);
    expect(result.code).toBe(1);
  });

  it('names an anchored root rewritten in the contract’s storage (anvil_setStorageAt), exit 1', async () => {
    const address = chain.deployment.contracts['AuditAnchor']!.address;
    const { size, root, tx } = anchors[0]!;
    // rootAt(size) reads _rootHashes[size]: keccak256(abi.encode(uint64 size, uint256 slot of the mapping)).
    let slot: string | undefined;
    for (let index = 0; index < 16 && !slot; index++) {
      const candidate = keccak256(AbiCoder.defaultAbiCoder().encode(['uint64', 'uint256'], [size, index]));
      if ((await chain.provider.send('eth_getStorageAt', [address, candidate, 'latest'])) === root) slot = candidate;
    }
    expect(slot).toBeDefined();
    const forged = `0x${'ff'.repeat(32)}`;
    await chain.provider.send('anvil_setStorageAt', [address, slot, forged]);
    try {
      expect(await verifier(['--database', databaseFile, ...chainArgs])).toEqual({
        code: 1,
        stdout: `anchor 0 (size ${size}): anchor-rewritten: rootAt(${size}) holds ffffffffffff…, but the TreeHeadAnchored event (tx ${tx}) anchored ${short(root)}…\nFAIL: 1 discrepancy\n`,
        stderr: '',
      });
    } finally {
      await chain.provider.send('anvil_setStorageAt', [address, slot, root]);
    }
  });

  it('names an access forged after its consent’s revocation, with a correct chain, as consent-inactive, exit 1', async () => {
    const copy = copyDatabase('after-revocation');
    const log = rows(copy);
    const last = log.at(-1)!;
    const read = entries().find((e) => e.action === 'read' && e.consent === treatment.id)!;
    const revokedAt = (await chain.provider.getBlock(treatment.revokeBlock!))!.timestamp * 1000;
    const at = new Date(revokedAt + 60_000).toISOString();
    const forged = canonicalJson({ ...read, seq: log.length, prev: entryLeafHash(last.entry), at });
    tamper(copy, (db) => db.prepare('insert into audit_entry (leaf_index, at, entry, leaf_hash, actor, action, outcome, consent_id) values (?, ?, ?, ?, ?, ?, ?, ?)').run(log.length, Date.parse(at), forged, Buffer.from(entryLeafHash(forged), 'hex'), read.actor, 'read', 'allowed', read.consent));
    expect(await verifier(['--database', copy, ...chainArgs])).toEqual({
      code: 1,
      stdout: `entry ${log.length}: consent-inactive: at ${at} is after the revocation's block time ${new Date(revokedAt).toISOString()}\nFAIL: 1 discrepancy\n`,
      stderr: '',
    });
  });

  it('names the inference whose model file no longer has the hash the entry recorded, exit 1', async () => {
    const models = join(work, 'models');
    const file = join(models, 'egfr-ckd-epi', '2021', 'model.onnx');
    mkdirSync(join(models, 'egfr-ckd-epi', '2021'), { recursive: true });
    writeFileSync(file, Buffer.concat([readFileSync(join(REPO, 'models', 'egfr-ckd-epi', '2021', 'model.onnx')), Buffer.of(0)]));
    const k = positionOf((e) => e.action === 'diagnose' && e.outcome === 'allowed');
    const recorded = entries()[k]!.model!.sha256;
    const altered = createHash('sha256').update(readFileSync(file)).digest('hex');
    expect(await verifier(['--database', databaseFile, '--models', models, ...chainArgs])).toEqual({
      code: 1,
      stdout: `entry ${k}: model-hash-mismatch: the entry names egfr-ckd-epi@2021 with SHA-256 ${short(recorded)}…, ${models}/ has ${short(altered)}…\nFAIL: 1 discrepancy\n`,
      stderr: '',
    });
  });

  it('exits 2 with a clear message, and no stack trace, when a source cannot be reached or an option is wrong', async () => {
    expect(await verifier(['--database', join(work, 'absent.sqlite'), ...chainArgs])).toEqual({ code: 2, stdout: '', stderr: `audit:verify: --database: expected a SQLite database at ${join(work, 'absent.sqlite')}, found no file\n` });
    expect(await verifier(['--database', databaseFile, '--rpc', 'http://127.0.0.1:9', '--deployment', chainArgs[3]!])).toEqual({ code: 2, stdout: '', stderr: expect.stringMatching(/^audit:verify: --rpc: expected a JSON-RPC answer from http:\/\/127\.0\.0\.1:9, got .+\n$/) });
    expect(await verifier(['--gateway', gateway.baseUrl, '--token', 'not-a-token', ...chainArgs])).toEqual({ code: 2, stdout: '', stderr: expect.stringMatching(/^audit:verify: expected 200 from GET \/audit\/entries\?limit=1000&order=asc, got 401: /) });
    expect((await verifier(['--clock-skew-ms', 'soon'])).stderr.split('\n')[0]).toBe('audit:verify: --clock-skew-ms: expected a whole number of milliseconds, got "soon"');
  });
});
