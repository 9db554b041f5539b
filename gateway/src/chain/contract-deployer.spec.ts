import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Contract, hexlify, id, type JsonRpcProvider, keccak256, Wallet, ZeroHash } from 'ethers';
import { type ChainFixture, RecordingLogger, startChainFixture } from '../../../test/support/chain-fixture.js';
import type { AuditAnchorContract } from './audit-anchor.contract.js';
import { ANVIL_ACCOUNT0_PRIVATE_KEY, createProvider, createSigner } from './chain-provider.js';
import { ContractDeployer } from './contract-deployer.js';
import { type ContractDeployment, type Deployment, readDeploymentFile } from './deployment-file.js';
import { EmbeddedAnvil } from './embedded-anvil.js';
import type { SerialNonceManager } from './serial-nonce-manager.js';
import { readAnchoredTreeHeads } from './tree-head.reader.js';

describe('ContractDeployer', () => {
  let chain: ChainFixture;
  let deployer: ContractDeployer;
  let file: string;
  let n = 0;

  beforeAll(async () => {
    chain = await startChainFixture();
    deployer = new ContractDeployer({ provider: chain.provider, signer: chain.admin, compilation: chain.compilation, logger: chain.logger });
  });

  afterAll(async () => {
    await chain?.close();
  });

  beforeEach(() => {
    file = join(chain.dataDir, `deployment-${++n}.json`);
  });

  it('deploys AuditAnchor and ConsentRegistry and records where, when, by whom and what', async () => {
    const { deployment, deployed, reused } = await deployer.ensureDeployed(file);
    expect(deployed).toEqual(['AuditAnchor', 'ConsentRegistry']);
    expect(reused).toEqual([]);
    const recorded = async (name: string) => {
      const entry = deployment.contracts[name]!;
      const receipt = await chain.provider.getTransactionReceipt(entry.txHash);
      const code = await chain.provider.getCode(entry.address);
      return {
        address: receipt!.contractAddress,
        txHash: receipt!.hash,
        blockNumber: receipt!.blockNumber,
        blockHash: receipt!.blockHash,
        runtimeCodeHash: keccak256(code),
        codeFingerprint: expect.stringMatching(/^0x[0-9a-f]{64}$/),
        sourceHash: chain.compilation.buildHash,
        deployedAt: expect.any(String),
      };
    };
    expect(deployment).toEqual({
      format: 1,
      chainId: 31337,
      deployer: await chain.admin.getAddress(),
      compilerVersion: chain.compilation.compilerVersion,
      updatedAt: expect.any(String),
      contracts: { AuditAnchor: await recorded('AuditAnchor'), ConsentRegistry: await recorded('ConsentRegistry') },
    });
    expect(deployment.contracts['ConsentRegistry']!.blockNumber).toBe(deployment.contracts['AuditAnchor']!.blockNumber + 1);
    expect(await readDeploymentFile(file)).toEqual(deployment);
    expect(await deployer.verify(deployment)).toEqual([]);
  });

  it('reuses the recorded contracts on a second run without touching the file', async () => {
    const first = await deployer.ensureDeployed(file);
    const before = await stat(file);
    const second = await deployer.ensureDeployed(file);
    expect(second).toEqual({ deployment: first.deployment, deployed: [], reused: ['AuditAnchor', 'ConsentRegistry'] });
    expect((await stat(file)).mtimeMs).toBe(before.mtimeMs);
  });

  it('deploys afresh when the file describes another chain id', async () => {
    const first = await deployer.ensureDeployed(file);
    const foreign: Deployment = { ...first.deployment, chainId: 98867 };
    await writeFile(file, JSON.stringify(foreign));
    const second = await deployer.ensureDeployed(file);
    expect(second.deployed).toEqual(['AuditAnchor', 'ConsentRegistry']);
    expect(second.deployment.contracts['AuditAnchor']!.address).not.toBe(first.deployment.contracts['AuditAnchor']!.address);
    expect(second.deployment.contracts['ConsentRegistry']!.address).not.toBe(first.deployment.contracts['ConsentRegistry']!.address);
    expect(second.deployment.chainId).toBe(31337);
    expect(chain.logger.at('warn')).toContain(`deployment file ${file} describes chain 98867, running chain is 31337: deploying afresh`);
  });

  it('does not identify the chain by its genesis hash: a file from before, with another genesis, is reused', async () => {
    const first = await deployer.ensureDeployed(file);
    await writeFile(file, JSON.stringify({ ...first.deployment, genesisHash: `0x${'11'.repeat(32)}` }));
    const second = await deployer.ensureDeployed(file);
    expect(second).toEqual({ deployment: first.deployment, deployed: [], reused: ['AuditAnchor', 'ConsentRegistry'] });
  });

  it('deploys afresh when the deployment transaction is on the chain but not where the file says', async () => {
    const first = await deployer.ensureDeployed(file);
    const entry = first.deployment.contracts['AuditAnchor']!;
    for (const moved of [{ blockNumber: entry.blockNumber + 1 }, { blockHash: `0x${'22'.repeat(32)}` }]) {
      await writeFile(file, JSON.stringify({ ...first.deployment, contracts: { ...first.deployment.contracts, AuditAnchor: { ...entry, ...moved } } }));
      const second = await deployer.ensureDeployed(file);
      expect(second).toMatchObject({ deployed: ['AuditAnchor'], reused: ['ConsentRegistry'] });
      expect(chain.logger.at('warn').at(-1)).toBe(
        `${file}: AuditAnchor deployment ${entry.txHash} is recorded in block ${moved.blockNumber ?? entry.blockNumber} (${moved.blockHash ?? entry.blockHash}) at ${entry.address}, `
        + `the chain has it in block ${entry.blockNumber} (${entry.blockHash}), creating ${entry.address}: deploying afresh`,
      );
    }
  });

  it('reuses on matching code when the node has no receipt for the deployment (pruned) or the file predates block hashes', async () => {
    const first = await deployer.ensureDeployed(file);
    const entry: ContractDeployment = { ...first.deployment.contracts['AuditAnchor']! };
    delete entry.blockHash;
    const older = { ...first.deployment, contracts: { ...first.deployment.contracts, AuditAnchor: { ...entry, txHash: `0x${'33'.repeat(32)}` } } };
    await writeFile(file, JSON.stringify(older));
    expect(await deployer.ensureDeployed(file)).toEqual({ deployment: older, deployed: [], reused: ['AuditAnchor', 'ConsentRegistry'] });
  });

  it('deploys afresh when the recorded address holds no code', async () => {
    const first = await deployer.ensureDeployed(file);
    const empty = { ...first.deployment, contracts: { ...first.deployment.contracts, ConsentRegistry: { ...first.deployment.contracts['ConsentRegistry']!, address: '0x000000000000000000000000000000000000dEaD' } } };
    await writeFile(file, JSON.stringify(empty));
    expect(await deployer.ensureDeployed(file)).toMatchObject({ deployed: ['ConsentRegistry'], reused: ['AuditAnchor'] });
  });

  it('deploys afresh when this build\'s code differs from the code at the address, not when only metadata differs', async () => {
    await deployer.ensureDeployed(file);
    const artifact = chain.compilation.contracts['AuditAnchor']!;
    const withArtifact = (deployedBytecode: string) =>
      new ContractDeployer({ provider: chain.provider, signer: chain.admin, logger: chain.logger, compilation: { ...chain.compilation, contracts: { ...chain.compilation.contracts, AuditAnchor: { ...artifact, deployedBytecode } } } });
    const code = artifact.deployedBytecode;
    const cborLength = parseInt(code.slice(-4), 16);
    const metadataStart = code.length - 4 - cborLength * 2;
    const otherMetadata = `${code.slice(0, metadataStart + 20)}${'ab'.repeat(8)}${code.slice(metadataStart + 36)}`;
    expect(otherMetadata).not.toBe(code);
    expect((await withArtifact(otherMetadata).ensureDeployed(file)).reused).toEqual(['AuditAnchor', 'ConsentRegistry']);
    const otherCode = `${code.slice(0, 100)}${code.slice(100, 102) === '00' ? '01' : '00'}${code.slice(102)}`;
    expect((await withArtifact(otherCode).ensureDeployed(file)).deployed).toEqual(['AuditAnchor']);
  });

  it('deploys afresh when forced', async () => {
    const first = await deployer.ensureDeployed(file);
    const forced = await deployer.ensureDeployed(file, { force: true });
    expect(forced.deployed).toEqual(['AuditAnchor', 'ConsentRegistry']);
    expect(forced.deployment.contracts['AuditAnchor']!.address).not.toBe(first.deployment.contracts['AuditAnchor']!.address);
    expect(forced.deployment.contracts['ConsentRegistry']!.address).not.toBe(first.deployment.contracts['ConsentRegistry']!.address);
  });

  it('refuses a deployment file that is present but empty, not JSON or of the wrong shape, and leaves it alone', async () => {
    const cases: Array<[string, string]> = [
      ['', `expected a deployment file at ${file}, got an empty file`],
      ['{"format": 1, "chainId": 31337,', `expected a deployment file at ${file}, got invalid JSON: `],
      ['{"format": 1, "chainId": "x"}', `expected a deployment file at ${file}, got a problem at chainId: `],
    ];
    const nonce = await chain.provider.getTransactionCount(await chain.admin.getAddress());
    for (const [text, message] of cases) {
      await writeFile(file, text);
      await expect(deployer.ensureDeployed(file)).rejects.toThrow(message);
      expect(await readFile(file, 'utf8')).toBe(text);
    }
    expect(await chain.provider.getTransactionCount(await chain.admin.getAddress())).toBe(nonce);
  });

  it('names every problem that makes a deployment unusable', async () => {
    const { deployment } = await deployer.ensureDeployed(file);
    const entry = deployment.contracts['AuditAnchor']!;
    expect(await deployer.verify({ ...deployment, chainId: 98867 })).toEqual(['deployment file is for chain 98867, the RPC endpoint serves chain 31337']);
    expect(await deployer.verify({ ...deployment, contracts: {} })).toEqual([
      'deployment file lists no AuditAnchor; run npm run contracts:deploy',
      'deployment file lists no ConsentRegistry; run npm run contracts:deploy',
    ]);
    const dead = '0x000000000000000000000000000000000000dEaD';
    expect(await deployer.verify({ ...deployment, contracts: { ...deployment.contracts, AuditAnchor: { ...entry, address: dead } } })).toEqual([`no code at ${dead} (AuditAnchor) on chain 31337; run npm run contracts:deploy`]);
    // Each contract's code is checked against its own artifact: the addresses swapped are both the wrong build.
    const registryEntry = deployment.contracts['ConsentRegistry']!;
    expect(await deployer.verify({ ...deployment, contracts: { AuditAnchor: registryEntry, ConsentRegistry: entry } })).toEqual([
      `code at ${registryEntry.address} is not this build's AuditAnchor; redeploy with npm run contracts:deploy`,
      `code at ${entry.address} is not this build's ConsentRegistry; redeploy with npm run contracts:deploy`,
    ]);

    const anchor = new Contract(entry.address, chain.compilation.contracts['AuditAnchor']!.abi, chain.admin);
    const registry = new Contract(registryEntry.address, chain.compilation.contracts['ConsentRegistry']!.abi, chain.admin);
    const admin = await chain.admin.getAddress();
    await (await anchor.getFunction('revokeRole')(await anchor.getFunction('ANCHORER_ROLE')(), admin)).wait();
    expect(await deployer.verify(deployment)).toEqual([`signer ${admin} lacks ANCHORER_ROLE on AuditAnchor ${entry.address}; an admin must grant it`]);
    await (await registry.getFunction('revokeRole')(id('EMERGENCY_RECORDER_ROLE'), admin)).wait();
    expect(await deployer.verify(deployment)).toEqual([
      `signer ${admin} lacks ANCHORER_ROLE on AuditAnchor ${entry.address}; an admin must grant it`,
      `signer ${admin} lacks EMERGENCY_RECORDER_ROLE on ConsentRegistry ${registryEntry.address}; an admin must grant it`,
    ]);
  });

  it('gives a separate admin DEFAULT_ADMIN_ROLE and the deployer only the working roles, and checks the admin on verify', async () => {
    const admin = Wallet.createRandom().address;
    const withAdmin = new ContractDeployer({ provider: chain.provider, signer: chain.admin, compilation: chain.compilation, logger: chain.logger, admin });
    const { deployment } = await withAdmin.ensureDeployed(file);
    const address = deployment.contracts['AuditAnchor']!.address;
    const registryAddress = deployment.contracts['ConsentRegistry']!.address;
    const anchor = new Contract(address, chain.compilation.contracts['AuditAnchor']!.abi, chain.provider);
    const registry = new Contract(registryAddress, chain.compilation.contracts['ConsentRegistry']!.abi, chain.provider);
    const deployerAddress = await chain.admin.getAddress();
    const hasRole = anchor.getFunction('hasRole');
    const registryHasRole = registry.getFunction('hasRole');
    expect([await hasRole(ZeroHash, admin), await hasRole(id('ANCHORER_ROLE'), admin)]).toEqual([true, false]);
    expect([await hasRole(ZeroHash, deployerAddress), await hasRole(id('ANCHORER_ROLE'), deployerAddress)]).toEqual([false, true]);
    expect([await registryHasRole(ZeroHash, admin), await registryHasRole(id('EMERGENCY_RECORDER_ROLE'), admin)]).toEqual([true, false]);
    expect([await registryHasRole(ZeroHash, deployerAddress), await registryHasRole(id('EMERGENCY_RECORDER_ROLE'), deployerAddress)]).toEqual([false, true]);
    expect(deployment.deployer).toBe(deployerAddress);
    expect(await withAdmin.verify(deployment)).toEqual([]);
    // Without an admin to check (the gateway at startup), only the signer's anchorer role matters.
    expect(await deployer.verify(deployment)).toEqual([]);
    const other = Wallet.createRandom().address;
    const withOther = new ContractDeployer({ provider: chain.provider, signer: chain.admin, compilation: chain.compilation, logger: chain.logger, admin: other });
    expect(await withOther.verify(deployment)).toEqual([
      `admin ${other} lacks DEFAULT_ADMIN_ROLE on AuditAnchor ${address} (reused from an earlier deployment with another admin); deploy afresh with --force, or have its admin grant the role`,
      `admin ${other} lacks DEFAULT_ADMIN_ROLE on ConsentRegistry ${registryAddress} (reused from an earlier deployment with another admin); deploy afresh with --force, or have its admin grant the role`,
    ]);
  });

  it('reuses the deployment and keeps its anchors across many restarts of an embedded anvil (whose genesis hash may change)', async () => {
    // anvil's --state reload appends another block 0 to the state file on every start, so block 0's hash differs
    // between some restarts of one and the same chain; the deployment must be reused all the same.
    const dataDir = await mkdtemp(join(tmpdir(), 'deployer-restarts-'));
    const deploymentFile = join(dataDir, 'chain', 'deployment.json');
    const logger = new RecordingLogger();
    const session = async <T>(use: (s: { provider: JsonRpcProvider; signer: SerialNonceManager; deployer: ContractDeployer }) => Promise<T>): Promise<T> => {
      const node = new EmbeddedAnvil({ dataDir, logger });
      try {
        await node.start();
        const provider = createProvider(node.url, node.chainId, 50);
        try {
          const signer = createSigner(ANVIL_ACCOUNT0_PRIVATE_KEY, provider);
          return await use({ provider, signer, deployer: new ContractDeployer({ provider, signer, compilation: chain.compilation, logger }) });
        } finally {
          provider.destroy();
        }
      } finally {
        await node.stop();
      }
    };
    const anchorOf = (deployment: Deployment, signer: SerialNonceManager) =>
      new Contract(deployment.contracts['AuditAnchor']!.address, chain.compilation.contracts['AuditAnchor']!.abi, signer) as AuditAnchorContract;
    const heads = (deployment: Deployment, signer: SerialNonceManager, provider: JsonRpcProvider) =>
      readAnchoredTreeHeads(anchorOf(deployment, signer), provider, { limit: 10, fromBlock: deployment.contracts['AuditAnchor']!.blockNumber });
    try {
      const first = await session(async ({ provider, signer, deployer }) => {
        const { deployment, deployed } = await deployer.ensureDeployed(deploymentFile);
        expect(deployed).toEqual(['AuditAnchor', 'ConsentRegistry']);
        await (await anchorOf(deployment, signer).anchor(5, hexlify(new Uint8Array(32).fill(7)))).wait();
        return { deployment, heads: await heads(deployment, signer, provider), nonce: await provider.getTransactionCount(await signer.getAddress()) };
      });
      expect(first.heads.map((h) => [h.index, h.treeSize, h.rootHash])).toEqual([[0, 5n, hexlify(new Uint8Array(32).fill(7))]]);
      const geneses = new Set<string>();
      for (let restart = 1; restart <= 7; restart++) {
        await session(async ({ provider, signer, deployer }) => {
          geneses.add((await provider.getBlock(0))!.hash!);
          expect([restart, await deployer.ensureDeployed(deploymentFile)]).toEqual([restart, { deployment: first.deployment, deployed: [], reused: ['AuditAnchor', 'ConsentRegistry'] }]);
          expect(await deployer.verify(first.deployment)).toEqual([]);
          expect([restart, await provider.getTransactionCount(await signer.getAddress())]).toEqual([restart, first.nonce]);
          expect([restart, await heads(first.deployment, signer, provider)]).toEqual([restart, first.heads]);
        });
      }
      expect(await readDeploymentFile(deploymentFile)).toEqual(first.deployment);
      expect(logger.at('warn')).toEqual([]);
      expect(logger.at('log').filter((m) => m.startsWith('deployed ')).map((m) => m.split(' ')[1])).toEqual(['AuditAnchor', 'ConsentRegistry']);
      console.log(`deployment reused across 7 restarts; distinct genesis hashes seen: ${geneses.size}`);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 60_000);

  it('leaves the nonce usable after a deployment fails', async () => {
    const broken = new ContractDeployer({
      provider: chain.provider,
      signer: chain.admin,
      compilation: chain.compilation,
      logger: chain.logger,
      contracts: [{ name: 'AuditAnchor', constructorArgs: () => ['0x0000000000000000000000000000000000000000', '0x0000000000000000000000000000000000000000'] }],
    });
    await expect(broken.ensureDeployed(file)).rejects.toThrow(/^expected to deploy AuditAnchor, got execution reverted/);
    await expect(readFile(file)).rejects.toThrow(/ENOENT/);
    expect((await deployer.ensureDeployed(file)).deployed).toEqual(['AuditAnchor', 'ConsentRegistry']);
  });
});
