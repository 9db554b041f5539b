import { encodeBytes32String, id, type Filter, type Log, type TransactionReceipt, Wallet } from 'ethers';
import { type Kysely, sql } from 'kysely';
import { type ChainFixture, RecordingLogger, startChainFixture } from '../../../../test/support/chain-fixture.js';
import { databaseAdapters, type OpenedDatabase } from '../../../../test/support/postgres.js';
import { createProvider } from '../../chain/index.js';
import { type DatabaseSchema, openDatabase } from '../../store/index.js';
import { ChainConsentIndexer, type ChainConsentIndexerOptions } from './chain-consent.indexer.js';
import { ConsentLogReader } from './consent-log.reader.js';
import { ConsentViewWriter, type EmergencyAccessRow } from './consent-view.writer.js';
import { ANY_CLINICIAN, ConsentRegistryDriver, DR_CHEN, SCOPE_HASH, until } from './testing/consent-registry.driver.js';

const DR_PATEL = id('test-issuer|user:dr-patel');
const REASON = id('unconscious on arrival');
const patient = () => Wallet.createRandom();

describe.each(databaseAdapters())('ChainConsentIndexer on $name', (adapter) => {
  let chain: ChainFixture;
  let database: OpenedDatabase;
  let registry: ConsentRegistryDriver;
  let logger: RecordingLogger;

  beforeAll(async () => {
    chain = await startChainFixture();
  });
  afterAll(async () => chain?.close());
  beforeEach(async () => {
    logger = new RecordingLogger();
    database = await adapter.open();
    registry = await ConsentRegistryDriver.deploy(chain);
  });
  afterEach(async () => database?.close());

  const indexerOn = (db: Kysely<DatabaseSchema>, options: Partial<ChainConsentIndexerOptions> = {}) =>
    new ChainConsentIndexer(db, registry.source(), { pollIntervalMs: 50, maxStalenessMs: 5_000, logger, ...options });
  const indexer = (options: Partial<ChainConsentIndexerOptions> = {}) => indexerOn(database.db, options);
  const rows = async () => ({
    grants: await database.db.selectFrom('consent_grant').selectAll().orderBy('block_number').execute(),
    revocations: await database.db.selectFrom('consent_revocation').selectAll().orderBy('block_number').execute(),
    emergencies: await database.db.selectFrom('emergency_access').selectAll().orderBy('block_number').execute(),
  });
  const head = async () => chain.provider.getBlockNumber();
  const where = (r: TransactionReceipt) => ({ block_number: r.blockNumber, block_hash: r.blockHash, tx_hash: r.hash });
  /** The rows a poll over `block` alone would write, read with the indexer's own reader. */
  const indexerRows = async (block: number) => {
    const reader = new ConsentLogReader(registry.source(), Number.POSITIVE_INFINITY);
    const hash = (await chain.provider.getBlock(block))!.hash!;
    return reader.read(block, { number: block, hash });
  };
  const listen = (target: ChainConsentIndexer) => {
    const heard = { revoked: [] as string[][], emergencies: [] as EmergencyAccessRow[][] };
    target.onRevoked((ids) => heard.revoked.push(ids));
    target.onEmergency((accesses) => heard.emergencies.push(accesses));
    return heard;
  };

  it('indexes grants, revocations and break-glass accesses with exact column values, block hashes and cursor', async () => {
    const alice = patient();
    const t = await registry.now();
    const treatment = await registry.grant(alice, { notBefore: t - 10n, notAfter: t + 86_400n });
    const standing = await registry.grant(alice, { grantee: ANY_CLINICIAN, purpose: 'EMERGENCY', notBefore: t, notAfter: t + 30n * 86_400n });
    const emergency = await registry.emergency(standing.consentId, DR_PATEL, REASON, t + 3_600n);
    const revocation = await registry.revoke(alice, treatment.consentId);
    const subject = indexer();
    const heard = listen(subject);

    const before = Date.now();
    expect(await subject.syncOnce()).toEqual({ fromBlock: registry.fromBlock, toBlock: revocation.blockNumber, grants: 2, revocations: 1, emergencies: 1 });
    const after = Date.now();

    const grant = (g: typeof treatment, grantee: string, purpose: string, notBefore: bigint, notAfter: bigint) => ({
      consent_id: g.consentId,
      patient_address: alice.address.toLowerCase(),
      grantee,
      purpose,
      scope_hash: SCOPE_HASH,
      not_before: Number(notBefore),
      not_after: Number(notAfter),
      ...where(g.receipt),
    });
    const declaredAt = (await chain.provider.getBlock(emergency.receipt.blockNumber))!.timestamp;
    const access = {
      access_id: emergency.accessId,
      consent_id: standing.consentId,
      patient_address: alice.address.toLowerCase(),
      grantee: DR_PATEL,
      reason_hash: REASON,
      declared_at: declaredAt,
      not_after: Number(t + 3_600n),
      ...where(emergency.receipt),
    };
    expect(await rows()).toEqual({
      grants: [grant(treatment, DR_CHEN, 'TREATMENT', t - 10n, t + 86_400n), grant(standing, ANY_CLINICIAN, 'EMERGENCY', t, t + 30n * 86_400n)],
      revocations: [{ consent_id: treatment.consentId, ...where(revocation) }],
      emergencies: [access],
    });
    const blocks = await database.db.selectFrom('chain_block').selectAll().orderBy('block_number').execute();
    const expectedBlocks = [];
    for (let n = registry.fromBlock; n <= revocation.blockNumber; n++) expectedBlocks.push({ block_number: n, block_hash: (await chain.provider.getBlock(n))!.hash });
    expect(blocks).toEqual(expectedBlocks);
    const cursor = await database.db.selectFrom('chain_cursor').selectAll().executeTakeFirstOrThrow();
    expect(cursor).toEqual({ name: 'consent-registry', block_number: revocation.blockNumber, block_hash: revocation.blockHash, synced_at: expect.any(Number) });
    expect(cursor.synced_at).toBeGreaterThanOrEqual(before);
    expect(cursor.synced_at).toBeLessThanOrEqual(after);
    expect(heard).toEqual({ revoked: [[treatment.consentId]], emergencies: [[access]] });
    expect(logger.messages).toEqual([]);
  });

  it('reads logs in ranges of at most maxBlockRange blocks, with the three events as topics', async () => {
    const alice = patient();
    for (let i = 0; i < 4; i++) await registry.grant(alice);
    const provider = createProvider(chain.anvil.url, chain.anvil.chainId, 50);
    try {
      const calls: Filter[] = [];
      const getLogs = provider.getLogs.bind(provider);
      provider.getLogs = (filter): Promise<Log[]> => {
        calls.push(filter as Filter);
        return getLogs(filter);
      };
      const subject = new ChainConsentIndexer(database.db, registry.source(provider), { pollIntervalMs: 50, maxStalenessMs: 5_000, maxBlockRange: 2, logger });
      const top = await head();
      expect(await subject.syncOnce()).toMatchObject({ fromBlock: registry.fromBlock, toBlock: top, grants: 4 });
      const topics = [['ConsentGranted', 'ConsentRevoked', 'EmergencyAccessRecorded'].map((name) => registry.registry.interface.getEvent(name)!.topicHash)];
      const ranges = [];
      for (let from = registry.fromBlock; from <= top; from += 2) ranges.push({ address: registry.address, topics, fromBlock: from, toBlock: Math.min(top, from + 1) });
      expect(calls).toEqual(ranges);
    } finally {
      provider.destroy();
    }
  });

  it('keeps a purpose that is no bytes32 string as its hex, and caps an end beyond 2^53 seconds', async () => {
    const oddPurpose = id('TREATMENT');
    const { consentId } = await registry.grant(patient(), { purpose: oddPurpose, notAfter: 2n ** 64n - 1n });
    await indexer().syncOnce();
    expect((await rows()).grants.map((g) => [g.consent_id, g.purpose, g.not_after])).toEqual([[consentId, oddPurpose, Number.MAX_SAFE_INTEGER]]);
  });

  it('drops a grant that a reorganisation reverted, keeps the rest, reports reorgedFrom and tells the revocation listeners', async () => {
    const alice = patient();
    const kept = await registry.grant(alice);
    const subject = indexer();
    const heard = listen(subject);
    await subject.syncOnce();
    const snapshot = (await chain.provider.send('evm_snapshot', [])) as string;
    const reverted = await registry.grant(alice);
    expect(await subject.syncOnce()).toMatchObject({ grants: 1, toBlock: reverted.receipt.blockNumber });

    await chain.provider.send('evm_revert', [snapshot]);
    chain.admin.reset(); // the relayer's nonce went back with the chain
    const other = await registry.grant(patient(), { purpose: 'DIAGNOSIS' });
    await chain.provider.send('evm_mine', []);
    expect(other.receipt.blockNumber).toBe(reverted.receipt.blockNumber);
    expect(other.receipt.blockHash).not.toBe(reverted.receipt.blockHash);

    const top = await head();
    expect(await subject.syncOnce()).toEqual({ fromBlock: reverted.receipt.blockNumber, toBlock: top, grants: 1, revocations: 0, emergencies: 0, reorgedFrom: reverted.receipt.blockNumber });
    expect((await rows()).grants.map((g) => [g.consent_id, g.block_hash])).toEqual([[kept.consentId, kept.receipt.blockHash], [other.consentId, other.receipt.blockHash]]);
    expect(heard.revoked).toEqual([[reverted.consentId]]);
    const cursor = await database.db.selectFrom('chain_cursor').selectAll().executeTakeFirstOrThrow();
    expect([cursor.block_number, cursor.block_hash]).toEqual([top, (await chain.provider.getBlock(top))!.hash]);
    expect(logger.at('warn')).toEqual([`consent view: the chain reorganised from block ${reverted.receipt.blockNumber} (the view reached block ${reverted.receipt.blockNumber}); dropped the view's rows from there and scanned again`]);
  });

  it('follows a chain that got shorter: the revoked revocation and its block disappear', async () => {
    const alice = patient();
    const granted = await registry.grant(alice);
    const subject = indexer();
    await subject.syncOnce();
    const snapshot = (await chain.provider.send('evm_snapshot', [])) as string;
    const revocation = await registry.revoke(alice, granted.consentId);
    await chain.provider.send('evm_mine', []);
    await subject.syncOnce();
    expect((await rows()).revocations).toHaveLength(1);

    await chain.provider.send('evm_revert', [snapshot]);
    chain.admin.reset();
    expect(await subject.syncOnce()).toEqual({ fromBlock: granted.receipt.blockNumber + 1, toBlock: granted.receipt.blockNumber, grants: 0, revocations: 0, emergencies: 0, reorgedFrom: revocation.blockNumber });
    expect(await rows()).toMatchObject({ grants: [{ consent_id: granted.consentId }], revocations: [] });
    const kept = await database.db.selectFrom('chain_block').select('block_number').orderBy('block_number', 'desc').executeTakeFirstOrThrow();
    expect(kept.block_number).toBe(granted.receipt.blockNumber);
  });

  it('restarts from the persisted cursor without duplicates, and a poll with nothing new scans nothing', async () => {
    const alice = patient();
    await registry.grant(alice);
    const first = await indexer().syncOnce();
    const later = await registry.grant(alice);
    const restarted = indexer();
    expect(await restarted.syncOnce()).toEqual({ fromBlock: first.toBlock + 1, toBlock: later.receipt.blockNumber, grants: 1, revocations: 0, emergencies: 0 });
    expect(await restarted.syncOnce()).toEqual({ fromBlock: later.receipt.blockNumber + 1, toBlock: later.receipt.blockNumber, grants: 0, revocations: 0, emergencies: 0 });
    expect((await rows()).grants).toHaveLength(2);
  });

  it('accepts re-delivered events (the cursor rolled back) and leaves the same rows', async () => {
    const alice = patient();
    const { consentId } = await registry.grant(alice, { grantee: ANY_CLINICIAN, purpose: 'EMERGENCY' });
    await registry.emergency(consentId, DR_PATEL, REASON, (await registry.now()) + 600n);
    await registry.revoke(alice, consentId);
    const subject = indexer();
    await subject.syncOnce();
    const before = await rows();
    const deployed = (await chain.provider.getBlock(registry.fromBlock))!;
    await database.db.updateTable('chain_cursor').set({ block_number: deployed.number, block_hash: deployed.hash! }).execute();
    expect(await subject.syncOnce()).toMatchObject({ fromBlock: registry.fromBlock + 1, grants: 1, revocations: 1, emergencies: 1 });
    expect(await rows()).toEqual(before);
    expect(await indexer().syncOnce()).toMatchObject({ grants: 0 });
  });

  it('serializes two gateways sharing the view, and tells each one’s listeners what either indexed', async () => {
    // A second connection (pool) to the same database, as a second gateway has; SQLite serves one process.
    const otherDb = adapter.name === 'postgres' ? openDatabase(database.config) : database.db;
    try {
      const [a, b] = [indexer(), indexerOn(otherDb)];
      const heard = [listen(a), listen(b)];
      await a.syncOnce();
      await b.syncOnce();
      const alice = patient();
      const { consentId } = await registry.grant(alice);
      await registry.revoke(alice, consentId);
      for (let i = 0; i < 3; i++) await registry.grant(patient(), { purpose: encodeBytes32String('RESEARCH') });
      const results = await Promise.all([a.syncOnce(), b.syncOnce(), a.syncOnce(), b.syncOnce()]);
      const top = await head();
      expect(results.map((r) => r.toBlock)).toEqual([top, top, top, top]);
      expect(results.reduce((sum, r) => sum + r.grants, 0)).toBeGreaterThanOrEqual(4);
      expect((await rows()).grants).toHaveLength(4);
      expect(heard.map((h) => h.revoked)).toEqual([[[consentId]], [[consentId]]]);
      expect(logger.messages).toEqual([]);
    } finally {
      if (otherDb !== database.db) await otherDb.destroy();
    }
  });
  it('writes nothing when another gateway moved the cursor since the poll read it', async () => {
    await registry.grant(patient());
    await indexer().syncOnce();
    const writer = new ConsentViewWriter(database.db);
    const cursor = (await writer.cursor())!;
    const before = await rows();
    const stale = { ...cursor, block_hash: `0x${'00'.repeat(32)}` };
    const change = { batch: { grants: [], revocations: [], emergencies: [], blocks: [] }, head: { number: cursor.block_number + 1, hash: `0x${'11'.repeat(32)}` }, syncedAt: 1 };
    expect(await writer.commit(stale, change)).toBe('moved');
    expect(await writer.commit(undefined, change)).toBe('moved');
    expect([await writer.cursor(), await rows()]).toEqual([cursor, before]);
  });

  if (adapter.name === 'postgres') {
    it('waits while another gateway’s poll holds the cursor row (FOR UPDATE), then sees it moved and polls again', async () => {
      const subject = indexer();
      await subject.syncOnce();
      const granted = await registry.grant(patient());
      const otherDb = openDatabase(database.config);
      try {
        const waiting = () =>
          sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`.execute(database.db).then((r) => r.rows[0]!.n > 0);
        let syncing: ReturnType<ChainConsentIndexer['syncOnce']> | undefined;
        await otherDb.transaction().execute(async (trx) => {
          await trx.selectFrom('chain_cursor').selectAll().forUpdate().execute();
          syncing = subject.syncOnce();
          await until('the indexer to wait for the locked cursor row', waiting);
          // Meanwhile the other gateway indexes the grant and moves the cursor past it.
          const grant = (await indexerRows(granted.receipt.blockNumber)).grants[0]!;
          await trx.insertInto('consent_grant').values(grant).execute();
          await trx.updateTable('chain_cursor').set({ block_number: granted.receipt.blockNumber, block_hash: granted.receipt.blockHash, synced_at: Date.now() }).execute();
        });
        // Had it not waited on the row, it would have written its own (older) reading over the other's cursor.
        const top = granted.receipt.blockNumber;
        expect(await syncing).toEqual({ fromBlock: top + 1, toBlock: top, grants: 0, revocations: 0, emergencies: 0 });
        expect((await rows()).grants.map((g) => g.consent_id)).toEqual([granted.consentId]);
      } finally {
        await otherDb.destroy();
      }
    });
  }
});
