import { databaseAdapters, type OpenedDatabase } from '../../../test/support/postgres.js';
import { KyselyOidcAdapter } from './kysely-oidc.adapter.js';

describe.each(databaseAdapters())('the storage adapter of oidc-provider on $name', ({ open }) => {
  let database: OpenedDatabase;
  let now = 1_000_000;

  beforeAll(async () => {
    database = await open();
  });

  afterAll(() => database?.close());

  const adapter = (model: string) => new KyselyOidcAdapter({ db: database.db, now: () => now * 1000 }, model);

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

  it('keeps the JSON of a payload exactly, nested objects, unicode and escaped control characters included', async () => {
    const payload = { accountId: 'ä-😀', kind: 'Grant', openid: { scope: 'openid profile' }, rar: [{ type: 'x', n: 1.5, ok: true, none: null }], jti: 'nul\u0000byte' };
    await adapter('Grant').upsert('g-json', payload, 60);
    expect(await adapter('Grant').find('g-json')).toEqual(payload);
  });

  it('finds a payload by its user code', async () => {
    await adapter('DeviceCode').upsert('d1', { userCode: 'ABCD-EFGH', grantId: 'gd' }, 60);
    expect(await adapter('DeviceCode').findByUserCode('ABCD-EFGH')).toEqual({ userCode: 'ABCD-EFGH', grantId: 'gd' });
  });

  it('never returns an expired payload', async () => {
    const codes = adapter('AuthorizationCode');
    await codes.upsert('c1', { grantId: 'g' }, 10);
    now += 11;
    expect(await codes.find('c1')).toBeUndefined();
  });

  it('keeps a payload without expiry until it is destroyed', async () => {
    await adapter('Session').upsert('forever', { accountId: 'a' }, 0);
    now += 1_000_000;
    expect(await adapter('Session').find('forever')).toEqual({ accountId: 'a' });
  });

  it('marks a consumed payload with the time it was consumed (RFC 6749 §4.1.2 single-use codes)', async () => {
    const codes = adapter('AuthorizationCode');
    await codes.upsert('c2', { grantId: 'g2' }, 60);
    await codes.consume('c2');
    expect(await codes.find('c2')).toEqual({ grantId: 'g2', consumed: now });
  });

  it('keeps expiry and consumption times past 2038 as exact numbers (int8 columns)', async () => {
    now = 4_102_444_800; // 2100-01-01T00:00:00Z: beyond a 32-bit column
    const tokens = adapter('RefreshToken');
    await tokens.upsert('r-2100', { grantId: 'g-2100' }, 86_400);
    await tokens.consume('r-2100');
    expect(await tokens.find('r-2100')).toEqual({ grantId: 'g-2100', consumed: 4_102_444_800 });
    const row = await database.db.selectFrom('oidc_payload').select(['expires_at', 'consumed_at']).where('id', '=', 'r-2100').executeTakeFirstOrThrow();
    expect(row).toEqual({ expires_at: 4_102_531_200, consumed_at: 4_102_444_800 });
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
    const ids = (await database.db.selectFrom('oidc_payload').select('id').execute()).map((r) => r.id);
    expect(ids).not.toContain('i1');
    expect(ids).toContain('i2');
  });

  it('lets concurrent upserts of one id settle on one row', async () => {
    await Promise.all(Array.from({ length: 8 }, (_, i) => adapter('Session').upsert('race', { accountId: `a${i}` }, 60)));
    const rows = await database.db.selectFrom('oidc_payload').select('payload').where('model', '=', 'Session').where('id', '=', 'race').execute();
    expect(rows).toHaveLength(1);
  });
});
