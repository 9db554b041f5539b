import { resolve } from 'node:path';
import { formatEther, getAddress, isAddress, ZeroAddress } from 'ethers';
import { WELL_KNOWN_DEV_KEYS } from '../config/index.js';
import type { ChainLogger } from './chain-logger.js';
import { createProvider, createSigner, fetchConfiguredChainId, redactRpcUrl } from './chain-provider.js';
import { ContractDeployer } from './contract-deployer.js';
import { SolidityCompiler } from './solidity-compiler.js';

/** Where the command writes its report and its errors. */
export interface DeployCommandIo {
  out(line: string): void;
  err(line: string): void;
}

/** Chains on which anvil's publicly known keys are acceptable: local development nodes. */
const LOCAL_CHAIN_IDS: ReadonlySet<number> = new Set([31337, 1337]);

const USAGE = `usage: npm run contracts:deploy -- [--out <deployment.json>] [--admin <0x address>] [--force]
  --admin  account given the admin role (may grant and revoke ANCHORER_ROLE); default: the deploying account
environment: CHAIN_RPC_URL (required), CHAIN_PRIVATE_KEY (required), CHAIN_DEPLOYMENT_FILE (unless --out),
             CHAIN_ID (optional: refuse any other chain), DATA_DIR (artifact cache, default var)`;

/**
 * `npm run contracts:deploy`: compiles the contracts, deploys them to CHAIN_RPC_URL with CHAIN_PRIVATE_KEY (reusing
 * contracts the deployment file already records on that chain, unless --force) and writes the deployment file
 * the gateway reads in external mode. Works against any EVM RPC, e.g. Plume testnet (chain id 98867).
 * With `--admin <address>` the contracts' admin role goes to that account and the deploying key (the one the
 * gateway then runs with) only gets ANCHORER_ROLE, so a leaked gateway key cannot hand out roles.
 * @returns The process exit code: 0 done, 1 refused or failed, 2 usage error.
 */
export async function runDeployCommand(argv: readonly string[], env: NodeJS.ProcessEnv, io: DeployCommandIo, logger?: ChainLogger): Promise<number> {
  const args = parseArgs(argv);
  if (args.help) {
    io.out(USAGE);
    return 0;
  }
  const rpcUrl = env.CHAIN_RPC_URL;
  const privateKey = env.CHAIN_PRIVATE_KEY;
  const file = args.out ?? env.CHAIN_DEPLOYMENT_FILE;
  const expectedChainId = env.CHAIN_ID === undefined || env.CHAIN_ID === '' ? undefined : Number(env.CHAIN_ID);
  const problems = [
    ...args.problems,
    ...(rpcUrl && /^https?:\/\//.test(rpcUrl) ? [] : [`CHAIN_RPC_URL: expected an http(s) URL, got ${rpcUrl ? 'another form' : 'nothing'}`]),
    ...(privateKey && /^0x[0-9a-fA-F]{64}$/.test(privateKey) ? [] : [`CHAIN_PRIVATE_KEY: expected a 0x-prefixed 32-byte hex key, got ${privateKey ? 'a value of the wrong form' : 'nothing'}`]),
    ...(file ? [] : ['CHAIN_DEPLOYMENT_FILE: expected the path of the deployment file to write (or --out <file>), got nothing']),
    ...(expectedChainId === undefined || (Number.isSafeInteger(expectedChainId) && expectedChainId > 0) ? [] : [`CHAIN_ID: expected a positive integer, got ${JSON.stringify(env.CHAIN_ID)}`]),
  ];
  if (problems.length > 0 || !rpcUrl || !privateKey || !file) {
    for (const p of problems) io.err(p);
    io.err(USAGE);
    return 2;
  }

  const chainId = await fetchConfiguredChainId(rpcUrl);
  if (expectedChainId !== undefined && expectedChainId !== chainId) {
    io.err(`CHAIN_ID: expected chain ${expectedChainId}, the endpoint ${redactRpcUrl(rpcUrl)} serves chain ${chainId}; refusing to deploy`);
    return 1;
  }
  if (WELL_KNOWN_DEV_KEYS.has(privateKey.toLowerCase()) && !LOCAL_CHAIN_IDS.has(chainId)) {
    io.err(`CHAIN_PRIVATE_KEY: is a publicly known development key; refusing to deploy to chain ${chainId}, where anyone could use its roles`);
    return 1;
  }

  const provider = createProvider(rpcUrl, chainId);
  try {
    const signer = createSigner(privateKey, provider);
    const account = await signer.getAddress();
    const balance = await provider.getBalance(account);
    if (balance === 0n) {
      io.err(`CHAIN_PRIVATE_KEY: account ${account} has no funds on chain ${chainId}; fund it to pay for deployment gas`);
      return 1;
    }
    const compilation = await new SolidityCompiler({ cacheDir: resolve(env.DATA_DIR ?? 'var', 'chain', 'artifacts'), ...(logger ? { logger } : {}) }).compile();
    const deployer = new ContractDeployer({ provider, signer, compilation, ...(args.admin ? { admin: args.admin } : {}), ...(logger ? { logger } : {}) });
    const target = resolve(file);
    const { deployment, deployed } = await deployer.ensureDeployed(target, { force: args.force });
    const unusable = await deployer.verify(deployment);
    if (unusable.length > 0) {
      for (const p of unusable) io.err(p);
      return 1;
    }
    io.out(`chain ${chainId} at ${redactRpcUrl(rpcUrl)}; deployer ${account} (balance ${formatEther(balance)})${args.admin ? `; admin ${args.admin}` : ''}`);
    for (const [name, c] of Object.entries(deployment.contracts)) {
      io.out(`${name} ${c.address} tx ${c.txHash} block ${c.blockNumber} (${deployed.includes(name) ? 'deployed' : 'reused'})`);
    }
    io.out(`deployment file: ${target}`);
    return 0;
  } finally {
    provider.destroy();
  }
}

interface DeployArgs {
  out?: string;
  /** Checksummed admin address, when `--admin` named a valid one. */
  admin?: string;
  force: boolean;
  help: boolean;
  problems: string[];
}

function parseArgs(argv: readonly string[]): DeployArgs {
  const result: DeployArgs = { force: false, help: false, problems: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--force') result.force = true;
    else if (arg === '--help' || arg === '-h') result.help = true;
    else if (arg === '--out' && argv[i + 1]) result.out = argv[++i];
    else if (arg?.startsWith('--out=')) result.out = arg.slice('--out='.length);
    else if (arg === '--admin' && argv[i + 1]) setAdmin(result, argv[++i] ?? '');
    else if (arg?.startsWith('--admin=')) setAdmin(result, arg.slice('--admin='.length));
    else result.problems.push(`expected --out <file>, --admin <address>, --force or --help, got ${JSON.stringify(arg)}`);
  }
  return result;
}

function setAdmin(result: DeployArgs, value: string): void {
  // The zero address would lock the roles forever (the contract refuses it with AuditAnchorZeroAdmin()).
  if (isAddress(value) && getAddress(value) !== ZeroAddress) result.admin = getAddress(value);
  else result.problems.push(`--admin: expected a 0x-prefixed 20-byte address other than zero, got ${JSON.stringify(value)}`);
}
