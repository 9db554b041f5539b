import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { type DatabaseSchema, migrateToLatest, openSqlite } from '../store/index.js';
import { SqliteOidcAdapter } from './sqlite-oidc.adapter.js';

describe('the SQLite storage adapter of oidc-provider', () => {
  let dir: string;
  let db: Kysely<DatabaseSchema>;
  let now = 1_000_000;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'oidc-adapter-'));
    db = openSqlite(join(dir, 'test.sqlite'));
    await migrateToLatest(db);
  });

  afterAll(async () => {
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  const adapter = (model: string) => new SqliteOidcAdapter({ db, now: () => now * 1000 }, model);

  it('stores, finds, updates and destroys a payload per model', async () => {
    const sessions = adapter('Session');
    await sessions.upsert('s1', { accountId: 'a', uid: 'u1' }, 60);
    expect(await sessions.find('s1')).toEqual({ accountId: 'a', uid: 'u1' });
    expect(await sessions.findByUid('u1')).toEqual({ accountId: 'a', uid: 'u1' });
    expect(await adapter('Grant').find('s1')).toBeUndefined();
    await sessions.upsert('s1', { accountId: 'b', uid: 'u1' }, 60);
    expect(await sessions.find('s1')).toEqual({ accountId: 'b', uid: 'u1' });
    await sessions.destroy('s1');
    expect(await sessions.find('s1')).toBeUndefined();
  });

  it('never returns an expired payload', async () => {
    const codes = adapter('AuthorizationCode');
    await codes.upsert('c1', { grantId: 'g' }, 10);
    now += 11;
    expect(await codes.find('c1')).toBeUndefined();
  });

  it('marks a consumed payload with the time it was consumed (RFC 6749 §4.1.2 single-use codes)', async () => {
    const codes = adapter('AuthorizationCode');
    await codes.upsert('c2', { grantId: 'g2' }, 60);
    await codes.consume('c2');
    expect(await codes.find('c2')).toEqual({ grantId: 'g2', consumed: now });
  });

  it('revokes everything issued under a grant, across models', async () => {
    await adapter('AuthorizationCode').upsert('c3', { grantId: 'g3' }, 60);
    await adapter('RefreshToken').upsert('r3', { grantId: 'g3' }, 60);
    await adapter('RefreshToken').upsert('r4', { grantId: 'other' }, 60);
    await adapter('RefreshToken').revokeByGrantId('g3');
    expect(await adapter('AuthorizationCode').find('c3')).toBeUndefined();
    expect(await adapter('RefreshToken').find('r3')).toBeUndefined();
    expect(await adapter('RefreshToken').find('r4')).toEqual({ grantId: 'other' });
  });

  it('purges expired rows from the table', async () => {
    await adapter('Interaction').upsert('i1', {}, 5);
    now += 120;
    await adapter('Interaction').upsert('i2', {}, 5);
    const ids = (await db.selectFrom('oidc_payload').select('id').execute()).map((r) => r.id);
    expect(ids).not.toContain('i1');
    expect(ids).toContain('i2');
  });
});
