import 'reflect-metadata';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Test, type TestingModule } from '@nestjs/testing';
import { hexlify } from 'ethers';
import { RecordingLogger } from '../../../test/support/chain-fixture.js';
import { type AppConfig, loadConfig } from '../config/index.js';
import { isProcessAlive } from './anvil-process.js';
import { connectChain } from './chain-connector.js';
import { ChainModule } from './chain.module.js';
import { ChainService } from './chain.service.js';

const root = (n: number) => hexlify(new Uint8Array(32).fill(n));

async function boot(config: AppConfig, logger: RecordingLogger): Promise<{ moduleRef: TestingModule; chain: ChainService; ms: number }> {
  const started = performance.now();
  const moduleRef = await Test.createTestingModule({ imports: [ChainModule.forRoot(config, { logger })] }).compile();
  const ms = Math.round(performance.now() - started);
  return { moduleRef, chain: moduleRef.get(ChainService), ms };
}

describe('ChainModule (embedded)', () => {
  let dataDir: string;
  let config: AppConfig;
  const timings: Record<string, number> = {};

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'chain-module-'));
    config = loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir }, dataDir);
  });

  afterAll(async () => {
    console.log(`embedded chain boot: cold ${timings.cold} ms, warm ${timings.warm} ms`);
    await rm(dataDir, { recursive: true, force: true });
  });

  it('boots anvil, compiles, deploys, reports ready and serves the anchored heads newest first', async () => {
    const logger = new RecordingLogger();
    const { moduleRef, chain, ms } = await boot(config, logger);
    timings.cold = ms;
    try {
      expect(chain.mode).toBe('embedded');
      expect(chain.chainId).toBe(31337);
      expect(logger.at('log')).toContainEqual(expect.stringMatching(/^compiled 11 contracts with solc/));
      const address = chain.deployment.contracts['AuditAnchor']!.address;
      const registry = chain.deployment.contracts['ConsentRegistry']!;
      expect(await chain.checkReady()).toEqual({ up: true, detail: `chain 31337 at block 2; AuditAnchor at ${address}, ConsentRegistry at ${registry.address}` });
      expect(await chain.consentRegistry.getAddress()).toBe(registry.address);
      expect(await chain.consentRegistry.hasRole(await chain.consentRegistry.EMERGENCY_RECORDER_ROLE(), await chain.signer.getAddress())).toBe(true);
      const source = chain.consentLogSource();
      expect({ ...source, interface: source.interface.format() }).toEqual({ provider: chain.provider, address: registry.address, fromBlock: 2, interface: chain.consentRegistry.interface.format() });

      const first = await (await chain.auditAnchor.anchor(3, root(1))).wait();
      const second = await (await chain.auditAnchor.anchor(8, root(2))).wait();
      const blocks = await Promise.all([first, second].map((r) => chain.provider.getBlock(r!.blockNumber)));
      const expected = [
        { index: 1, treeSize: 8n, rootHash: root(2), timestamp: blocks[1]!.timestamp, txHash: second!.hash, blockNumber: second!.blockNumber, blockHash: second!.blockHash },
        { index: 0, treeSize: 3n, rootHash: root(1), timestamp: blocks[0]!.timestamp, txHash: first!.hash, blockNumber: first!.blockNumber, blockHash: first!.blockHash },
      ];
      expect(await chain.latestAnchors(10)).toEqual(expected);
      expect(await chain.latestAnchors(1)).toEqual([expected[0]]);
      expect(await chain.latestAnchors(0)).toEqual([]);
    } finally {
      await moduleRef.close();
    }
  });

  it('starts warm from cached artifacts, kept state and the recorded deployment', async () => {
    const logger = new RecordingLogger();
    const { moduleRef, chain, ms } = await boot(config, logger);
    timings.warm = ms;
    try {
      expect(logger.at('log')).toContainEqual(expect.stringMatching(/^cache hit [0-9a-f]{12}: 11 contracts/));
      const { AuditAnchor: anchor, ConsentRegistry: registry } = chain.deployment.contracts;
      expect(logger.at('log')).toContainEqual(`reusing AuditAnchor at ${anchor!.address}, ConsentRegistry at ${registry!.address} from ${config.chain.deploymentFile}`);
      expect((await chain.latestAnchors(5)).map((h) => [h.index, h.treeSize, h.rootHash])).toEqual([[1, 8n, root(2)], [0, 3n, root(1)]]);
      expect([...(await chain.auditAnchor.latestHead())]).toEqual([8n, root(2)]);
    } finally {
      await moduleRef.close();
    }
  });

  it('stops anvil when the application shuts down', async () => {
    const { moduleRef, chain } = await boot(config, new RecordingLogger());
    const pid = chain.anvil!.pid!;
    expect(isProcessAlive(pid)).toBe(true);
    await moduleRef.close();
    expect(isProcessAlive(pid)).toBe(false);
  });

  it('reports a crashed anvil as down with its exit signal', async () => {
    const logger = new RecordingLogger();
    const { moduleRef, chain } = await boot(config, logger);
    try {
      const pid = chain.anvil!.pid!;
      process.kill(pid, 'SIGKILL');
      // Until the exit is noticed, readiness already fails as "unreachable"; then it names the crash.
      for (let i = 0; i < 200 && !(await chain.checkReady()).detail.startsWith('embedded anvil'); i++) await sleep(10);
      expect(await chain.checkReady()).toEqual({ up: false, detail: `embedded anvil is crashed: anvil pid ${pid} exited unexpectedly with signal SIGKILL` });
      expect(logger.at('error')).toEqual([`anvil pid ${pid} exited unexpectedly with signal SIGKILL`]);
    } finally {
      await moduleRef.close();
    }
  });
});

function jsonError(text: string): string {
  try {
    JSON.parse(text);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error(`expected ${text} not to be JSON`);
}

describe('connectChain (embedded) with a broken deployment file', () => {
  let dataDir: string;

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'chain-broken-'));
    await mkdir(join(dataDir, 'chain'), { recursive: true });
  });

  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it.each([
    ['empty', '', 'an empty file'],
    ['truncated', '{"format": 1, "chainId": 31337, "contr', `invalid JSON: ${jsonError('{"format": 1, "chainId": 31337, "contr')}`],
  ])('refuses to boot on an %s file instead of deploying over it, before starting anything', async (_, text, got) => {
    const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir }, dataDir);
    const file = config.chain.deploymentFile;
    expect(file).toBe(join(dataDir, 'chain', 'deployment.json'));
    await writeFile(file, text);
    await expect(connectChain(config, { logger: new RecordingLogger() })).rejects.toThrow(expect.objectContaining({
      message: `CHAIN_DEPLOYMENT_FILE: expected a deployment file at ${file}, got ${got} — restore it, or delete it (and ${join(dataDir, 'chain', 'anvil-state.json')}) to start a fresh embedded chain`,
    }));
    expect(await readFile(file, 'utf8')).toBe(text);
    await expect(readFile(join(dataDir, 'chain', 'anvil.pid'))).rejects.toThrow(/ENOENT/);
  });
});

describe('connectChain (external)', () => {
  let dataDir: string;
  let remoteDir: string;
  let remote: Awaited<ReturnType<typeof connectChain>>;
  let config: AppConfig;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'chain-external-'));
    remoteDir = await mkdtemp(join(tmpdir(), 'chain-remote-'));
    // The "remote" chain: an embedded node with the contracts deployed, as `contracts:deploy` would leave it.
    remote = await connectChain(loadConfig({ NODE_ENV: 'test', DATA_DIR: remoteDir }, remoteDir), { logger: new RecordingLogger() });
    config = loadConfig({
      NODE_ENV: 'test',
      DATA_DIR: dataDir,
      CHAIN_RPC_URL: remote.anvil!.url,
      CHAIN_ID: '31337',
      CHAIN_PRIVATE_KEY: '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80',
      CHAIN_DEPLOYMENT_FILE: join(remoteDir, 'chain', 'deployment.json'),
    }, dataDir);
  });

  afterAll(async () => {
    await remote?.close();
    await rm(dataDir, { recursive: true, force: true });
    await rm(remoteDir, { recursive: true, force: true });
  });

  it('connects to a deployed chain and leaves the node running when it closes', async () => {
    const { moduleRef, chain } = await boot(config, new RecordingLogger());
    expect(chain.mode).toBe('external');
    expect(chain.deployment).toEqual(remote.deployment);
    expect((await chain.checkReady()).up).toBe(true);
    await moduleRef.close();
    expect(remote.anvil!.status().state).toBe('running');
  });

  it('refuses a chain whose id differs from CHAIN_ID', async () => {
    await expect(connectChain({ ...config, chain: { ...config.chain, chainId: 98867 } }, { logger: new RecordingLogger() })).rejects.toThrow(
      `CHAIN_ID: expected chain 98867, the endpoint ${remote.anvil!.url} serves chain 31337`,
    );
  });

  it('refuses to start without the deployment file', async () => {
    const missing = join(dataDir, 'none.json');
    await expect(connectChain({ ...config, chain: { ...config.chain, deploymentFile: missing } }, { logger: new RecordingLogger() })).rejects.toThrow(
      `CHAIN_DEPLOYMENT_FILE: expected a deployment file at ${missing}, found none; create it with npm run contracts:deploy`,
    );
  });

  it('refuses an endpoint that does not answer, naming the setting and without echoing its path', async () => {
    const connecting = connectChain({ ...config, chain: { ...config.chain, rpcUrl: 'http://127.0.0.1:9/v3/secret-api-key' } }, { logger: new RecordingLogger() });
    await expect(connecting).rejects.toThrow(expect.objectContaining({
      message: 'CHAIN_RPC_URL: expected a JSON-RPC answer to eth_chainId from http://127.0.0.1:9/…, got fetch failed',
    }));
  });

  it('refuses a deployment file that is present but not valid, naming it and what to do', async () => {
    const broken = join(dataDir, 'broken.json');
    await writeFile(broken, '{"format": 1,');
    await expect(connectChain({ ...config, chain: { ...config.chain, deploymentFile: broken } }, { logger: new RecordingLogger() })).rejects.toThrow(expect.objectContaining({
      message: `CHAIN_DEPLOYMENT_FILE: expected a deployment file at ${broken}, got invalid JSON: ${jsonError('{"format": 1,')} — restore it, or write it afresh with npm run contracts:deploy`,
    }));
  });
});
