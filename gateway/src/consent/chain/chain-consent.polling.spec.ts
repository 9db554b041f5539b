import { setTimeout as sleep } from 'node:timers/promises';
import { Wallet } from 'ethers';
import { type ChainFixture, RecordingLogger, startChainFixture } from '../../../../test/support/chain-fixture.js';
import { databaseAdapters, type OpenedDatabase } from '../../../../test/support/postgres.js';
import { createProvider } from '../../chain/index.js';
import { ChainConsentIndexer, type ChainConsentIndexerOptions } from './chain-consent.indexer.js';
import { ConsentRegistryDriver, until } from './testing/consent-registry.driver.js';

const NEVER = { syncedAt: undefined, ageMs: Number.POSITIVE_INFINITY, stale: true, block: undefined };

describe.each(databaseAdapters())('ChainConsentIndexer polling and freshness on $name', (adapter) => {
  let chain: ChainFixture;
  let database: OpenedDatabase;
  let registry: ConsentRegistryDriver;
  let logger: RecordingLogger;
  let subject: ChainConsentIndexer | undefined;

  beforeAll(async () => {
    chain = await startChainFixture();
  });
  afterAll(async () => chain?.close());
  beforeEach(async () => {
    logger = new RecordingLogger();
    database = await adapter.open();
    registry = await ConsentRegistryDriver.deploy(chain);
  });
  afterEach(async () => {
    await subject?.stop();
    subject = undefined;
    await database?.close();
  });

  const indexer = (options: Partial<ChainConsentIndexerOptions> = {}, source = registry.source()) =>
    (subject = new ChainConsentIndexer(database.db, source, { pollIntervalMs: 20, maxStalenessMs: 5_000, logger, ...options }));
  const granted = async (consentId: string) => (await database.db.selectFrom('consent_grant').select('consent_id').where('consent_id', '=', consentId).execute()).length === 1;

  it('is stale before the first sync, fresh after it, and stale once the sync is older than maxStalenessMs', async () => {
    const target = indexer({ maxStalenessMs: 300 });
    expect(target.lastFreshness()).toEqual(NEVER);
    expect(await target.freshness()).toEqual(NEVER);
    const before = Date.now();
    const { toBlock } = await target.syncOnce();
    const syncedAt = target.lastFreshness().syncedAt!;
    expect(syncedAt).toBeGreaterThanOrEqual(before);
    expect(await target.freshness(syncedAt + 300)).toEqual({ syncedAt, ageMs: 300, stale: false, block: toBlock });
    expect(await target.freshness(syncedAt + 301)).toEqual({ syncedAt, ageMs: 301, stale: true, block: toBlock });
    expect(target.lastFreshness(syncedAt + 301)).toEqual({ syncedAt, ageMs: 301, stale: true, block: toBlock });
    // The database's view counts for every instance; the in-memory one only for the instance that synced.
    const other = new ChainConsentIndexer(database.db, registry.source(), { pollIntervalMs: 20, maxStalenessMs: 300, logger });
    expect(await other.freshness(syncedAt + 10)).toEqual({ syncedAt, ageMs: 10, stale: false, block: toBlock });
    expect(other.lastFreshness()).toEqual(NEVER);
  });

  it('polls without overlapping, indexes what comes, and stops after the poll in flight', async () => {
    const provider = createProvider(chain.anvil.url, chain.anvil.chainId, 50);
    try {
      // A slow endpoint: a poll outlasts the interval, which a timer that does not wait for the poll would overlap.
      const getBlock = provider.getBlock.bind(provider);
      provider.getBlock = async (block, prefetch) => {
        await sleep(15);
        return getBlock(block, prefetch);
      };
      const target = indexer({ pollIntervalMs: 5 }, registry.source(provider));
      let active = 0;
      let most = 0;
      let polls = 0;
      const syncOnce = target.syncOnce.bind(target);
      target.syncOnce = async () => {
        polls++;
        most = Math.max(most, ++active);
        try {
          return await syncOnce();
        } finally {
          active--;
        }
      };
      target.start();
      target.start(); // a second start changes nothing
      const { consentId } = await registry.grant(Wallet.createRandom());
      await until('the grant in the view', () => granted(consentId));
      await until('a few more polls', () => polls >= 5);
      await target.stop();
      expect(active).toBe(0);
      const stoppedAt = polls;
      await sleep(60); // several intervals: no poll may start after stop()
      expect([polls, most]).toEqual([stoppedAt, 1]);
    } finally {
      provider.destroy();
    }
  });

  it('catches up to a relayed transaction’s block at once, and refuses a block the view does not reach in time', async () => {
    const target = indexer({ maxStalenessMs: 200 });
    await target.syncOnce();
    const { consentId, receipt } = await registry.grant(Wallet.createRandom());
    expect(await granted(consentId)).toBe(false);
    await target.catchUp(receipt.blockNumber);
    expect(await granted(consentId)).toBe(true);
    const { syncedAt } = target.lastFreshness();
    await target.catchUp(receipt.blockNumber - 1); // already included: no sync
    expect(target.lastFreshness().syncedAt).toBe(syncedAt);
    await expect(target.catchUp(receipt.blockNumber + 100)).rejects.toThrow(`expected the consent view to reach block ${receipt.blockNumber + 100} within 200 ms, it is at block ${receipt.blockNumber}`);
  });

  it('goes stale when the chain stops answering, logs the RPC’s reason once, and never crashes', async () => {
    const node = await startChainFixture({ compilation: chain.compilation });
    try {
      const local = await ConsentRegistryDriver.deploy(node);
      // Counts the polls that reach the endpoint (each asks for the head first).
      let heads = 0;
      const getBlock = node.provider.getBlock.bind(node.provider);
      node.provider.getBlock = (block, prefetch) => {
        if (block === 'latest') heads++;
        return getBlock(block, prefetch);
      };
      const target = indexer({ maxStalenessMs: 1_000 }, local.source());
      target.start();
      await until('a first sync', () => target.lastFreshness().syncedAt !== undefined);
      expect(target.lastFreshness().stale).toBe(false);
      const host = new URL(node.anvil.url).host;
      await node.anvil.stop();
      const headsAtStop = heads;
      await until('the view to go stale', () => target.lastFreshness().stale);
      expect((await target.freshness()).stale).toBe(true);
      await until('a logged failure', () => logger.at('error').length > 0);
      await until('several failed polls', () => heads >= headsAtStop + 4);
      await expect(target.syncOnce()).rejects.toThrow(`connect ECONNREFUSED ${host}`);
      // A poll in flight when the node stopped may fail first with the connection reset; each reason is logged once.
      const logged = logger.at('error');
      expect(logged.at(-1)).toBe(`consent view: poll failed (stale after 1000 ms without a sync): connect ECONNREFUSED ${host}`);
      expect(logged.slice(0, -1)).toEqual(logged.length === 2 ? [expect.stringMatching(/^consent view: poll failed \(stale after 1000 ms without a sync\): (read ECONNRESET|socket hang up)$/)] : []);
    } finally {
      await node.close();
    }
  });
  it('logs an RPC error by its short message, once while it lasts, and the recovery', async () => {
    const provider = createProvider(chain.anvil.url, chain.anvil.chainId, 50);
    try {
      let down = true;
      let failed = 0;
      const getBlock = provider.getBlock.bind(provider);
      provider.getBlock = (block, prefetch) => {
        if (!down) return getBlock(block, prefetch);
        failed++;
        return Promise.reject(Object.assign(new Error('server busy (code=SERVER_ERROR, version=6) with a long tail'), { shortMessage: 'server busy' }));
      };
      const target = indexer({ maxStalenessMs: 1_000 }, registry.source(provider));
      target.start();
      await until('several failed polls', () => failed >= 3);
      down = false;
      await until('a sync', () => target.lastFreshness().syncedAt !== undefined);
      await until('the recovery logged', () => logger.at('log').length > 0);
      expect(logger.at('error')).toEqual(['consent view: poll failed (stale after 1000 ms without a sync): server busy']);
      expect(logger.at('log')).toEqual([expect.stringMatching(/^consent view: syncing again after \d+ failed poll\(s\)$/)]);
    } finally {
      await subject?.stop();
      provider.destroy();
    }
  });
});
