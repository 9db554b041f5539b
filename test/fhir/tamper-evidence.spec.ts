import Database from 'better-sqlite3';
import type { Client } from 'fhir-kit-client';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createLogger } from '../../gateway/src/common/index.js';
import { startGateway, type StartedGateway } from '../support/gateway.js';
import { hospitalAccessToken } from '../support/oidc.js';
import { failureOf, fhirClient, matchIds, postBundle, type FhirBundle, type StoredFhirResource } from '../support/fhir.js';

const observation = (patient: string, code: string) => ({
  resourceType: 'Observation',
  status: 'final',
  code: { coding: [{ system: 'http://loinc.org', code }] },
  subject: { reference: `Patient/${patient}` },
  effectiveDateTime: '2025-07-01T08:00:00Z',
  valueQuantity: { value: 5.4, unit: 'mmol/L', system: 'http://unitsofmeasure.org', code: 'mmol/L' },
});

/** The answer to reading a record whose stored version 1 fails its integrity check. */
const integrityFailure = (record: StoredFhirResource) => ({
  status: 500,
  data: {
    resourceType: 'OperationOutcome',
    issue: [{ severity: 'error', code: 'exception', diagnostics: `Observation/${record.id}/_history/1 failed its integrity check (the stored ciphertext was altered or moved); the incident is logged` }],
  },
});

describe('tamper evidence of the sealed records (SQLite file modified while the gateway runs)', () => {
  const lines: string[] = [];
  let gateway: StartedGateway;
  let fhir: Client;
  let flipped: StoredFhirResource;
  let flippedNeighbour: StoredFhirResource;
  let moveTarget: StoredFhirResource;
  let moveSource: StoredFhirResource;

  /** The INTEGRITY ALERT lines logged since `from` (an index into `lines`), parsed. */
  const alertsSince = (from: number) => lines.slice(from).filter((line) => line.includes('INTEGRITY ALERT')).map((line) => JSON.parse(line) as Record<string, unknown>);
  const withDatabase = <T>(work: (db: Database.Database) => T): T => {
    const db = new Database(join(gateway.dataDir, 'gateway.sqlite'), { fileMustExist: true });
    try {
      db.pragma('busy_timeout = 5000');
      return work(db);
    } finally {
      db.close();
    }
  };
  const sealedOf = (db: Database.Database, id: string) => db.prepare('select sealed, key_id from record_version where resource_id = ? and version_id = 1').get(id) as { sealed: Buffer; key_id: string };

  beforeAll(async () => {
    const stream = new Writable({ write: (chunk: Buffer, _encoding, done) => (lines.push(...chunk.toString().split('\n').filter((l) => l !== '')), done()) });
    gateway = await startGateway({}, { logger: createLogger('trace', stream) });
    fhir = fhirClient(gateway.baseUrl, await hospitalAccessToken(gateway));
    for (const id of ['tamper-flip', 'tamper-move']) await fhir.update({ resourceType: 'Patient', id, body: { resourceType: 'Patient', id } });
    flipped = (await fhir.create({ resourceType: 'Observation', body: observation('tamper-flip', '2345-7') })) as unknown as StoredFhirResource;
    flippedNeighbour = (await fhir.create({ resourceType: 'Observation', body: observation('tamper-flip', '2093-3') })) as unknown as StoredFhirResource;
    // Two records sealed in one transaction share one batch key: only the record identity in the AAD tells them apart.
    const pair = await postBundle(fhir, gateway.baseUrl, {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: ['2345-7', '2093-3'].map((code) => ({ resource: observation('tamper-move', code), request: { method: 'POST', url: 'Observation' } })),
    });
    [moveTarget, moveSource] = pair.entry!.map((e) => e.resource!) as [StoredFhirResource, StoredFhirResource];

    withDatabase((db) => {
      const row = sealedOf(db, flipped.id);
      row.sealed[row.sealed.length >> 1] ^= 0x01;
      db.prepare('update record_version set sealed = ? where resource_id = ? and version_id = 1').run(row.sealed, flipped.id);
      const target = sealedOf(db, moveTarget.id);
      const source = sealedOf(db, moveSource.id);
      expect(target.key_id).toBe(source.key_id);
      db.prepare('update record_version set sealed = ? where resource_id = ? and version_id = 1').run(source.sealed, moveTarget.id);
    });
  });
  afterAll(async () => gateway.close());

  it.each([
    ['with one byte flipped', () => flipped],
    ['holding the ciphertext of another record sealed under the same key', () => moveTarget],
  ])('answers a read of a record %s with the integrity outcome and logs one INTEGRITY ALERT naming it', async (_case, record) => {
    const from = lines.length;
    expect(await failureOf(fhir.read({ resourceType: 'Observation', id: record().id }))).toEqual(integrityFailure(record()));
    expect(alertsSince(from).map((alert) => [alert['level'], alert['alert'], alert['record'], alert['msg']])).toEqual([
      [50, 'integrity', `Observation/${record().id}/_history/1`, 'INTEGRITY ALERT: a stored record failed its integrity check'],
    ]);
  });

  it('fails vread and history of the tampered version the same way', async () => {
    for (const record of [flipped, moveTarget]) {
      const from = lines.length;
      expect(await failureOf(fhir.vread({ resourceType: 'Observation', id: record.id, version: '1' }))).toEqual(integrityFailure(record));
      expect(await failureOf(fhir.history({ resourceType: 'Observation', id: record.id }))).toEqual(integrityFailure(record));
      expect(alertsSince(from).map((alert) => alert['record'])).toEqual([`Observation/${record.id}/_history/1`, `Observation/${record.id}/_history/1`]);
    }
  });

  it('fails a search that hits the tampered record with the same outcome instead of returning anything', async () => {
    const from = lines.length;
    expect(await failureOf(fhir.search({ resourceType: 'Observation', searchParams: { patient: 'tamper-flip' } }))).toEqual(integrityFailure(flipped));
    expect(await failureOf(fhir.search({ resourceType: 'Observation', searchParams: { patient: 'tamper-flip', code: 'http://loinc.org|2345-7' } }))).toEqual(integrityFailure(flipped));
    expect(alertsSince(from).map((alert) => alert['record'])).toEqual([`Observation/${flipped.id}/_history/1`, `Observation/${flipped.id}/_history/1`]);
  });

  it('stays up: the other records, including the one whose ciphertext was copied, still read and search fine', async () => {
    const from = lines.length;
    expect((await fetch(`${gateway.baseUrl}/health`)).status).toBe(200);
    expect(await fhir.read({ resourceType: 'Observation', id: flippedNeighbour.id })).toEqual(flippedNeighbour);
    expect(await fhir.read({ resourceType: 'Observation', id: moveSource.id })).toEqual(moveSource);
    const untouched = (await fhir.search({ resourceType: 'Observation', searchParams: { patient: 'tamper-flip', code: 'http://loinc.org|2093-3' } })) as unknown as FhirBundle;
    expect([untouched.total, matchIds(untouched)]).toEqual([1, [flippedNeighbour.id]]);
    expect(alertsSince(from)).toEqual([]);
  });
});
