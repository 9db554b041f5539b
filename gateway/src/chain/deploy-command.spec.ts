import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Contract, formatEther, id, JsonRpcProvider, Wallet, ZeroHash } from 'ethers';
import { RecordingLogger } from '../../../test/support/chain-fixture.js';
import { ANVIL_ACCOUNT0_PRIVATE_KEY } from './chain-provider.js';
import { runDeployCommand } from './deploy-command.js';
import { EmbeddedAnvil } from './embedded-anvil.js';

describe('contracts:deploy command', () => {
  let dir: string;
  let local: EmbeddedAnvil;
  let plumeLike: EmbeddedAnvil;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'deploy-command-'));
    local = new EmbeddedAnvil({ dataDir: join(dir, 'local'), logger: new RecordingLogger() });
    plumeLike = new EmbeddedAnvil({ dataDir: join(dir, 'plume'), chainId: 98867, logger: new RecordingLogger() });
    await Promise.all([local.start(), plumeLike.start()]);
  });

  afterAll(async () => {
    await Promise.all([local?.stop(), plumeLike?.stop()]);
    await rm(dir, { recursive: true, force: true });
  });

  async function run(argv: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; out: string[]; err: string[] }> {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runDeployCommand(argv, { DATA_DIR: join(dir, 'var'), ...env }, { out: (l) => out.push(l), err: (l) => err.push(l) }, new RecordingLogger());
    return { code, out, err };
  }

  it('deploys, writes the deployment file and prints addresses and transactions; a second run reuses them', async () => {
    const file = join(dir, 'deployment.json');
    const env = { CHAIN_RPC_URL: local.url, CHAIN_PRIVATE_KEY: ANVIL_ACCOUNT0_PRIVATE_KEY, CHAIN_ID: '31337' };
    const first = await run(['--out', file], env);
    const deployment = JSON.parse(await readFile(file, 'utf8'));
    const anchor = deployment.contracts.AuditAnchor;
    const registry = deployment.contracts.ConsentRegistry;
    expect(first).toEqual({
      code: 0,
      err: [],
      out: [
        `chain 31337 at ${local.url}; deployer 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266 (balance 10000.0)`,
        `AuditAnchor ${anchor.address} tx ${anchor.txHash} block ${anchor.blockNumber} (deployed)`,
        `ConsentRegistry ${registry.address} tx ${registry.txHash} block ${registry.blockNumber} (deployed)`,
        `deployment file: ${file}`,
      ],
    });
    const second = await run([], { ...env, CHAIN_DEPLOYMENT_FILE: file });
    expect(second.code).toBe(0);
    expect(second.out.slice(1, 3)).toEqual([
      `AuditAnchor ${anchor.address} tx ${anchor.txHash} block ${anchor.blockNumber} (reused)`,
      `ConsentRegistry ${registry.address} tx ${registry.txHash} block ${registry.blockNumber} (reused)`,
    ]);
  });

  it('gives --admin the admin role and the deploying key only ANCHORER_ROLE and EMERGENCY_RECORDER_ROLE', async () => {
    const file = join(dir, 'with-admin.json');
    const admin = Wallet.createRandom().address;
    const deployerAddress = new Wallet(ANVIL_ACCOUNT0_PRIVATE_KEY).address;
    const provider = new JsonRpcProvider(local.url, 31337, { staticNetwork: true });
    try {
      const balance = formatEther(await provider.getBalance(deployerAddress));
      const result = await run(['--out', file, '--admin', admin.toLowerCase()], { CHAIN_RPC_URL: local.url, CHAIN_PRIVATE_KEY: ANVIL_ACCOUNT0_PRIVATE_KEY });
      expect(result.code).toBe(0);
      expect(result.out[0]).toBe(`chain 31337 at ${local.url}; deployer ${deployerAddress} (balance ${balance}); admin ${admin}`);

      const { AuditAnchor: { address }, ConsentRegistry: { address: registryAddress } } = JSON.parse(await readFile(file, 'utf8')).contracts as Record<string, { address: string }>;
      const hasRoleOn = (at: string) => new Contract(at, ['function hasRole(bytes32 role, address account) view returns (bool)'], provider).getFunction('hasRole');
      const [hasRole, registryHasRole] = [hasRoleOn(address!), hasRoleOn(registryAddress!)];
      const roles = async (account: string) => ({
        admin: [await hasRole(ZeroHash, account), await registryHasRole(ZeroHash, account)],
        anchorer: await hasRole(id('ANCHORER_ROLE'), account),
        emergencyRecorder: await registryHasRole(id('EMERGENCY_RECORDER_ROLE'), account),
      });
      expect(await roles(deployerAddress)).toEqual({ admin: [false, false], anchorer: true, emergencyRecorder: true });
      expect(await roles(admin)).toEqual({ admin: [true, true], anchorer: false, emergencyRecorder: false });

      // Reusing that deployment for another admin would silently keep the old one: refused, naming the way out.
      const other = Wallet.createRandom().address;
      expect(await run(['--out', file, '--admin', other], { CHAIN_RPC_URL: local.url, CHAIN_PRIVATE_KEY: ANVIL_ACCOUNT0_PRIVATE_KEY })).toEqual({
        code: 1,
        out: [],
        err: [
          `admin ${other} lacks DEFAULT_ADMIN_ROLE on AuditAnchor ${address} (reused from an earlier deployment with another admin); deploy afresh with --force, or have its admin grant the role`,
          `admin ${other} lacks DEFAULT_ADMIN_ROLE on ConsentRegistry ${registryAddress} (reused from an earlier deployment with another admin); deploy afresh with --force, or have its admin grant the role`,
        ],
      });
    } finally {
      provider.destroy();
    }
  });

  it('refuses an --admin that is not an address, has a wrong checksum, or is the zero address', async () => {
    const env = { CHAIN_RPC_URL: local.url, CHAIN_PRIVATE_KEY: ANVIL_ACCOUNT0_PRIVATE_KEY, CHAIN_DEPLOYMENT_FILE: join(dir, 'x.json') };
    for (const value of ['0x1234', '0xF39Fd6e51aad88F6F4ce6aB8827279cffFb92266', '0x0000000000000000000000000000000000000000']) {
      const result = await run([`--admin=${value}`], env);
      expect(result.code).toBe(2);
      expect(result.out).toEqual([]);
      expect(result.err.slice(0, -1)).toEqual([`--admin: expected a 0x-prefixed 20-byte address other than zero, got ${JSON.stringify(value)}`]);
    }
  });

  it('refuses a chain other than CHAIN_ID', async () => {
    const result = await run(['--out', join(dir, 'x.json')], { CHAIN_RPC_URL: plumeLike.url, CHAIN_PRIVATE_KEY: new Wallet(ANVIL_ACCOUNT0_PRIVATE_KEY).privateKey, CHAIN_ID: '31337' });
    expect(result).toEqual({ code: 1, out: [], err: [`CHAIN_ID: expected chain 31337, the endpoint ${plumeLike.url} serves chain 98867; refusing to deploy`] });
  });

  it('refuses a publicly known development key on a non-local chain such as Plume testnet', async () => {
    const result = await run(['--out', join(dir, 'x.json')], { CHAIN_RPC_URL: plumeLike.url, CHAIN_PRIVATE_KEY: ANVIL_ACCOUNT0_PRIVATE_KEY, CHAIN_ID: '98867' });
    expect(result).toEqual({ code: 1, out: [], err: ['CHAIN_PRIVATE_KEY: is a publicly known development key; refusing to deploy to chain 98867, where anyone could use its roles'] });
  });

  it('refuses an account without funds, naming it', async () => {
    const wallet = Wallet.createRandom();
    const result = await run(['--out', join(dir, 'x.json')], { CHAIN_RPC_URL: plumeLike.url, CHAIN_PRIVATE_KEY: wallet.privateKey });
    expect(result).toEqual({ code: 1, out: [], err: [`CHAIN_PRIVATE_KEY: account ${wallet.address} has no funds on chain 98867; fund it to pay for deployment gas`] });
  });

  it('lists every missing or malformed setting, without echoing the key', async () => {
    const result = await run(['--bogus'], { CHAIN_PRIVATE_KEY: '0xnot-a-key', CHAIN_ID: 'plume' });
    expect(result.code).toBe(2);
    expect(result.err.slice(0, -1)).toEqual([
      'expected --out <file>, --admin <address>, --force or --help, got "--bogus"',
      'CHAIN_RPC_URL: expected an http(s) URL, got nothing',
      'CHAIN_PRIVATE_KEY: expected a 0x-prefixed 32-byte hex key, got a value of the wrong form',
      'CHAIN_DEPLOYMENT_FILE: expected the path of the deployment file to write (or --out <file>), got nothing',
      'CHAIN_ID: expected a positive integer, got "plume"',
    ]);
    expect(result.err.at(-1)).toMatch(/^usage: npm run contracts:deploy/);
  });
});
