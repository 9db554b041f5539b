import Database from 'better-sqlite3';
import { join } from 'node:path';
import { startGateway, type StartedGateway } from '../support/gateway.js';
import { hospitalAccessToken } from '../support/oidc.js';

/** A small deterministic PRNG (mulberry32), so every run sends the same bodies. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const observation = (): Record<string, unknown> => ({
  resourceType: 'Observation',
  status: 'final',
  code: { coding: [{ system: 'http://loinc.org', code: '2093-3' }] },
  subject: { reference: 'Patient/fuzz-1' },
  effectiveDateTime: '2025-01-01T00:00:00Z',
  valueQuantity: { value: 200, unit: 'mg/dL', system: 'http://unitsofmeasure.org', code: 'mg/dL' },
});

/** Mutations that each make an Observation invalid for certain (so nothing may be stored). */
const MUTATIONS: ((o: Record<string, unknown>, r: () => number) => void)[] = [
  (o, r) => (o['status'] = Math.floor(r() * 1000)),
  (o) => (o['status'] = ['final']),
  (o) => (o['status'] = null),
  (o) => delete o['code'],
  (o) => delete o['status'],
  (o) => (o['code'] = []),
  (o) => (o['code'] = 'text'),
  (o) => (o['subject'] = 'Patient/fuzz-1'),
  (o) => (o['subject'] = { reference: 42 }),
  (o, r) => (o['valueQuantity'] = { value: `v${r()}` }),
  (o) => (o['valueQuantity'] = { value: true }),
  (o) => (o['effectiveDateTime'] = 'yesterday'),
  (o, r) => (o['effectiveDateTime'] = Math.floor(r() * 1e9)),
  (o, r) => (o[`unknown${Math.floor(r() * 100)}`] = 1),
  (o) => (o['resourceType'] = 'Banana'),
  (o) => (o['resourceType'] = 'Patient'),
  (o) => (o['resourceType'] = 7),
  (o) => delete o['resourceType'],
  (o) => (o['constructor'] = { prototype: { admin: true } }),
  (o) => (o['meta'] = 'x'),
  (o) => (o['id'] = { nested: true }),
  (o) => (o['category'] = { coding: 'x' }),
  (o, r) => (o['valueQuantity'] = { value: 1, unit: 'x'.repeat(1 + Math.floor(r() * 10)), extra: r() }),
  (o) => (o['contained'] = [{ resourceType: 'Nope' }]),
];

interface Case {
  readonly name: string;
  readonly method: string;
  readonly path: string;
  readonly body: string | Uint8Array;
  readonly contentType: string;
}

function cases(): Case[] {
  const r = prng(20261121);
  const list: Case[] = [];
  const seen = new Set<string>();
  // Only distinct requests count: the same body twice proves nothing new.
  const out = {
    push(c: Case): void {
      const key = `${c.method} ${c.path} ${c.contentType} ${typeof c.body === 'string' ? c.body : Buffer.from(c.body).toString('base64')}`;
      if (!seen.has(key)) {
        seen.add(key);
        list.push(c);
      }
    },
  };
  const valid = JSON.stringify(observation());
  for (let i = 0; i < 300; i += 1) {
    const cut = 1 + Math.floor(r() * (valid.length - 2));
    out.push({ name: `truncated at ${cut}`, method: 'POST', path: '/fhir/Observation', body: valid.slice(0, cut), contentType: 'application/fhir+json' });
  }
  for (let i = 0; i < 100; i += 1) {
    const bytes = Uint8Array.from({ length: 1 + Math.floor(r() * 200) }, () => Math.floor(r() * 256));
    out.push({ name: `random bytes ${i}`, method: 'POST', path: '/fhir/Observation', body: bytes, contentType: 'application/fhir+json' });
  }
  for (let i = 0, before = list.length; list.length < before + 700 && i < 20_000; i += 1) {
    const o = observation();
    const count = 1 + Math.floor(r() * 3);
    for (let m = 0; m < count; m += 1) MUTATIONS[Math.floor(r() * MUTATIONS.length)]!(o, r);
    // Half go to an existing record as updates, half as creates.
    const update = r() < 0.5;
    out.push({ name: `mutated ${i}`, method: update ? 'PUT' : 'POST', path: update ? '/fhir/Observation/fuzz-obs' : '/fhir/Observation', body: JSON.stringify(update ? { id: 'fuzz-obs', ...o } : o), contentType: r() < 0.5 ? 'application/fhir+json' : 'application/json; charset=utf-8' });
  }
  // Prototype pollution attempts: the literal key, which JSON.parse keeps as an own property.
  out.push({ name: 'proto key', method: 'POST', path: '/fhir/Observation', body: `{"__proto__":{"admin":true},${valid.slice(1)}`, contentType: 'application/fhir+json' });
  for (const depth of [100, 1_000, 10_000, 50_000]) {
    out.push({ name: `nested arrays ${depth}`, method: 'POST', path: '/fhir/Observation', body: `${'['.repeat(depth)}${']'.repeat(depth)}`, contentType: 'application/fhir+json' });
    const nested = `{"resourceType":"Observation","extension":${'[{"extension":'.repeat(depth)}[]${'}]'.repeat(depth)}}`;
    out.push({ name: `nested extensions ${depth}`, method: 'POST', path: '/fhir/Observation', body: nested, contentType: 'application/fhir+json' });
  }
  for (const size of [10_000, 500_000, 900_000, 2_000_000, 5_000_000]) {
    out.push({ name: `huge string ${size}`, method: 'POST', path: '/fhir/Observation', body: JSON.stringify({ ...observation(), status: 'x'.repeat(size) }), contentType: 'application/fhir+json' });
  }
  for (const type of ['Banana', 'Practitioner', 'patient', '../etc', 'Observation$x', 'Observation%00']) {
    out.push({ name: `type ${type}`, method: 'POST', path: `/fhir/${type}`, body: JSON.stringify({ ...observation(), resourceType: type }), contentType: 'application/fhir+json' });
  }
  for (let i = 0; i < 40; i += 1) {
    out.push({ name: `mismatched id ${i}`, method: 'PUT', path: `/fhir/Observation/obs-${i}`, body: JSON.stringify({ ...observation(), id: `other-${i}` }), contentType: 'application/fhir+json' });
    out.push({ name: `missing id ${i}`, method: 'PUT', path: `/fhir/Observation/obs-${i}`, body: JSON.stringify(observation()), contentType: 'application/fhir+json' });
  }
  for (const contentType of ['text/plain', 'application/xml', 'application/fhir+xml', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded']) {
    out.push({ name: `content type ${contentType}`, method: 'POST', path: '/fhir/Observation', body: JSON.stringify(observation()), contentType });
  }
  for (let i = 0; i < 80; i += 1) {
    const bad = observation();
    MUTATIONS[i % MUTATIONS.length]!(bad, r);
    const entries = [
      { fullUrl: 'urn:uuid:00000000-0000-4000-8000-000000000001', resource: observation(), request: { method: 'POST', url: 'Observation' } },
      { fullUrl: 'urn:uuid:00000000-0000-4000-8000-000000000002', resource: bad, request: { method: 'POST', url: 'Observation' } },
    ];
    const variants = [
      { resourceType: 'Bundle', type: 'transaction', entry: entries },
      { resourceType: 'Bundle', type: 'transaction', entry: [{ ...entries[0], resource: { ...observation(), subject: { reference: 'urn:uuid:00000000-0000-4000-8000-00000000dead' } } }] },
      { resourceType: 'Bundle', type: 'document', entry: [entries[0]] },
      { resourceType: 'Bundle', type: 'transaction', entry: [entries[0], entries[0]] },
      { resourceType: 'Bundle', type: 'transaction', entry: 'nope' },
    ];
    out.push({ name: `bundle ${i}`, method: 'POST', path: '/fhir', body: JSON.stringify(variants[i % variants.length]), contentType: 'application/fhir+json' });
    out.push({ name: `batch ${i}`, method: 'POST', path: '/fhir', body: JSON.stringify({ resourceType: 'Bundle', type: 'batch', entry: [{ request: { method: 'POST', url: 'Observation' }, resource: bad }] }), contentType: 'application/fhir+json' });
  }
  return list;
}

/** A fingerprint of every stored row of the patient stores (counts and the newest write). */
function storeFingerprint(gateway: StartedGateway): unknown {
  const db = new Database(join(gateway.dataDir, 'gateway.sqlite'), { readonly: true, fileMustExist: true });
  try {
    return ['patient_store', 'patient_identifier', 'record_key', 'record', 'record_version', 'record_index'].map((table) => [table, db.prepare(`select count(*) as n, sum(length(cast(rowid as text))) as s from ${table}`).get()]);
  } finally {
    db.close();
  }
}

describe('hostile and malformed input', () => {
  let gateway: StartedGateway;
  let token: string;

  beforeAll(async () => {
    gateway = await startGateway();
    token = await hospitalAccessToken(gateway);
    const put = await fetch(`${gateway.baseUrl}/fhir/Patient/fuzz-1`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json' },
      body: JSON.stringify({ resourceType: 'Patient', id: 'fuzz-1' }),
    });
    expect(put.status).toBe(201);
    const obs = await fetch(`${gateway.baseUrl}/fhir/Observation/fuzz-obs`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json' },
      body: JSON.stringify({ id: 'fuzz-obs', ...observation() }),
    });
    expect(obs.status).toBe(201);
  });
  afterAll(async () => gateway.close());

  it('answers each of over 1,000 hostile bodies with a 4xx OperationOutcome, stays up and stores nothing', async () => {
    const all = cases();
    expect(all.length).toBeGreaterThanOrEqual(1_000);
    expect(new Set(all.map((c) => `${c.method} ${c.path} ${c.contentType} ${typeof c.body === "string" ? c.body : Buffer.from(c.body).toString("base64")}`)).size).toBe(all.length);
    expect(new Set(all.map((c) => (typeof c.body === "string" ? c.body : Buffer.from(c.body).toString("base64")))).size).toBeGreaterThanOrEqual(1_000);
    const before = storeFingerprint(gateway);
    const failures: string[] = [];
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < all.length) {
        const c = all[next++]!;
        const response = await fetch(`${gateway.baseUrl}${c.path}`, { method: c.method, headers: { authorization: `Bearer ${token}`, 'content-type': c.contentType }, body: c.body });
        const text = await response.text();
        let outcome: { resourceType?: string; type?: string; issue?: { diagnostics?: string }[]; entry?: { response?: { status?: string; outcome?: { resourceType?: string } } }[] } = {};
        try {
          outcome = JSON.parse(text) as typeof outcome;
        } catch {
          // reported below
        }
        const fhirJson = (response.headers.get('content-type') ?? '').startsWith('application/fhir+json');
        // A batch answers 200 with one outcome per entry (FHIR R4 http.html#transaction): every entry must be a 4xx.
        const refusedBatch =
          response.status === 200 &&
          outcome.type === 'batch-response' &&
          (outcome.entry?.length ?? 0) > 0 &&
          outcome.entry!.every((e) => /^4\d\d /.test(e.response?.status ?? '') && e.response?.outcome?.resourceType === 'OperationOutcome');
        const refused = response.status >= 400 && response.status < 500 && outcome.resourceType === 'OperationOutcome' && (outcome.issue?.length ?? 0) > 0;
        const ok = fhirJson && (refused || (c.name.startsWith('batch ') && refusedBatch));
        if (!ok) failures.push(`${c.name}: ${response.status} ${text.slice(0, 160)}`);
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    expect(failures).toEqual([]);
    expect((await fetch(`${gateway.baseUrl}/health`)).status).toBe(200);
    expect(storeFingerprint(gateway)).toEqual(before);
  });
});
