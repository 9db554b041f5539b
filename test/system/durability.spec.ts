import type { ChildProcess } from 'node:child_process';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { boot, exited, readyStatus, waitUntil } from '../support/gateway-process.js';
import { clientCredentialsGrant, readDemoAccounts } from '../support/oidc.js';

const BUNDLE_SIZE = 20;

async function hospitalToken(base: string, dataDir: string): Promise<string> {
  const client = readDemoAccounts(dataDir).clients.find((c) => c.clientId === 'demo-hospital')!;
  const answer = await clientCredentialsGrant(`${base}/auth/realms/fhir-gateway`, client.clientId, client.secret);
  return answer.body.access_token!;
}

function bundle(k: number): unknown {
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: Array.from({ length: BUNDLE_SIZE }, (_, i) => ({
      fullUrl: `urn:uuid:${crypto.randomUUID()}`,
      resource: {
        resourceType: 'Observation',
        status: 'final',
        identifier: [{ system: 'urn:durability', value: `b${k}-e${i}` }],
        code: { coding: [{ system: 'http://loinc.org', code: '8867-4' }] },
        subject: { reference: 'Patient/durability-1' },
        effectiveDateTime: '2025-01-01T00:00:00Z',
        valueQuantity: { value: 60 + i, unit: '/min', system: 'http://unitsofmeasure.org', code: '/min' },
      },
      request: { method: 'POST', url: 'Observation' },
    })),
  };
}

describe('durability of transaction bundles (SIGKILL during a load)', () => {
  let dataDir: string;
  const started: ChildProcess[] = [];

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'gw-durability-'));
  });
  afterAll(() => {
    for (const child of started) if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('loses no acknowledged bundle, leaves no partial one, and keeps every acknowledged write in a whole audit log', async () => {
    const first = await boot(dataDir, { DEMO_DATA: 'false', LOG_LEVEL: 'warn' });
    started.push(first.child);
    await waitUntil('readiness', async () => (await readyStatus(first.base)) === 200, 60_000);
    let token = await hospitalToken(first.base, dataDir);
    const put = await fetch(`${first.base}/fhir/Patient/durability-1`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json' },
      body: JSON.stringify({ resourceType: 'Patient', id: 'durability-1', gender: 'unknown' }),
    });
    expect(put.status).toBe(201);

    // Four clients post bundles back to back; the gateway is killed (with its chain) while they are in flight.
    const acknowledged = new Set<number>();
    const failures: string[] = [];
    let sent = 0;
    let killed = false;
    const client = async (): Promise<void> => {
      while (!killed) {
        const k = sent++;
        try {
          const response = await fetch(`${first.base}/fhir`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json' }, body: JSON.stringify(bundle(k)) });
          if (response.status === 200) acknowledged.add(k);
          else failures.push(`bundle ${k} answered ${response.status}`);
        } catch (error) {
          if (!killed) failures.push(`bundle ${k}: ${(error as Error).message}`);
        }
      }
    };
    const clients = Array.from({ length: 4 }, client);
    await waitUntil('ten acknowledged bundles', () => acknowledged.size >= 10 || failures.length > 0, 60_000);
    expect(failures).toEqual([]);
    killed = true;
    process.kill(-first.child.pid!, 'SIGKILL');
    await Promise.all(clients);
    await exited(first.child);
    // Bundles were in flight at the kill: four clients, each always waiting for an answer (one may have just been
    // answered and not yet sent its next).
    expect(sent - acknowledged.size).toBeGreaterThanOrEqual(1);

    const second = await boot(dataDir, { DEMO_DATA: 'false', LOG_LEVEL: 'warn' });
    started.push(second.child);
    await waitUntil('readiness after the kill', async () => (await readyStatus(second.base)) === 200, 60_000);
    token = await hospitalToken(second.base, dataDir);
    const perBundle = new Map<number, number>();
    let url: string | undefined = `${second.base}/fhir/Observation?patient=Patient/durability-1&_count=200`;
    while (url) {
      const page = (await (await fetch(url, { headers: { authorization: `Bearer ${token}` } })).json()) as { entry?: { resource: { identifier: { value: string }[] } }[]; link?: { relation: string; url: string }[] };
      for (const entry of page.entry ?? []) {
        const k = Number(/^b(\d+)-e\d+$/.exec(entry.resource.identifier[0]!.value)![1]);
        perBundle.set(k, (perBundle.get(k) ?? 0) + 1);
      }
      url = page.link?.find((l) => l.relation === 'next')?.url;
    }
    expect([...acknowledged].filter((k) => perBundle.get(k) !== BUNDLE_SIZE)).toEqual([]);
    expect([...perBundle.entries()].filter(([, n]) => n !== BUNDLE_SIZE)).toEqual([]);
    second.child.kill('SIGTERM');
    await exited(second.child);
    const db = new Database(join(dataDir, 'gateway.sqlite'), { readonly: true });
    try {
      expect(db.pragma('integrity_check')).toEqual([{ integrity_check: 'ok' }]);
    } finally {
      db.close();
    }
    // The audit log survived too: intact, gap-free and chained, and every acknowledged bundle's creates are in it (a
    // response leaves only once its entries are durable); a bundle committed but unanswered at the kill may lack them.
    const audit = new Database(join(dataDir, 'gateway.audit.sqlite'), { readonly: true });
    try {
      expect(audit.pragma('integrity_check')).toEqual([{ integrity_check: 'ok' }]);
      const rows = audit.prepare('select leaf_index, entry, leaf_hash from audit_entry order by leaf_index').all() as { leaf_index: number; entry: string; leaf_hash: Buffer }[];
      expect(rows.map((r) => r.leaf_index)).toEqual(rows.map((_, i) => i));
      expect(rows.filter((r, i) => (JSON.parse(r.entry) as { prev: string }).prev !== (i === 0 ? '0'.repeat(64) : rows[i - 1]!.leaf_hash.toString('hex')))).toEqual([]);
      const creates = rows.filter((r) => r.entry.includes('"action":"create"') && r.entry.includes('"resourceType":"Observation"')).length;
      const stored = [...perBundle.values()].reduce((a, b) => a + b, 0);
      expect(creates).toBeGreaterThanOrEqual(acknowledged.size * BUNDLE_SIZE);
      expect(creates).toBeLessThanOrEqual(stored);
    } finally {
      audit.close();
    }
  });
});
