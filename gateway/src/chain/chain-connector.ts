import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Logger } from '@nestjs/common';
import type { JsonRpcProvider } from 'ethers';
import type { AppConfig } from '../config/index.js';
import type { ChainLogger } from './chain-logger.js';
import { ANVIL_ACCOUNT0_PRIVATE_KEY, createProvider, createSigner, fetchConfiguredChainId, redactRpcUrl } from './chain-provider.js';
import { ContractDeployer } from './contract-deployer.js';
import { type Deployment, readDeploymentFile } from './deployment-file.js';
import { EmbeddedAnvil, EMBEDDED_CHAIN_ID, type EmbeddedAnvilOptions } from './embedded-anvil.js';
import type { SerialNonceManager } from './serial-nonce-manager.js';
import { type CompilationResult, SolidityCompiler, type SolidityCompilerOptions } from './solidity-compiler.js';

/** Everything the gateway holds about its chain once connected. */
export interface ChainContext {
  readonly mode: 'embedded' | 'external';
  readonly chainId: number;
  readonly provider: JsonRpcProvider;
  /** The gateway's one sender: a Wallet behind a queue that sends one transaction at a time. */
  readonly signer: SerialNonceManager;
  readonly compilation: CompilationResult;
  readonly deployment: Deployment;
  /** The embedded node, in embedded mode. */
  readonly anvil?: EmbeddedAnvil;
  /** Stops the embedded node (if any) and releases the provider. Idempotent. */
  close(): Promise<void>;
}

/** Test and tuning hooks of {@link connectChain}. */
export interface ConnectChainOptions {
  readonly logger?: ChainLogger;
  readonly anvil?: Partial<Omit<EmbeddedAnvilOptions, 'dataDir' | 'logger'>>;
  readonly compiler?: Partial<Omit<SolidityCompilerOptions, 'logger'>>;
}

/**
 * Connects to the configured chain. Embedded: start anvil and compile (in parallel), then deploy or reuse the
 * contracts (deploying only when the deployment file is missing or does not describe this chain). External: check
 * the endpoint's chain id against CHAIN_ID, then require a deployment file whose addresses hold this build's code
 * and grant the signer its roles. In both modes a deployment file that exists but is not valid is refused.
 * @throws Error with a message naming the setting to fix; nothing is left running on failure.
 */
export async function connectChain(config: Pick<AppConfig, 'dataDir' | 'chain'>, options: ConnectChainOptions = {}): Promise<ChainContext> {
  const logger = options.logger ?? new Logger('Chain');
  const compiler = new SolidityCompiler({ cacheDir: join(config.dataDir, 'chain', 'artifacts'), ...options.compiler, logger });
  return config.chain.mode === 'embedded' ? connectEmbedded(config, compiler, logger, options) : connectExternal(config, compiler, logger);
}

async function connectEmbedded(config: Pick<AppConfig, 'dataDir' | 'chain'>, compiler: SolidityCompiler, logger: ChainLogger, options: ConnectChainOptions): Promise<ChainContext> {
  const started = performance.now();
  const anvil = new EmbeddedAnvil({ chainId: config.chain.chainId ?? EMBEDDED_CHAIN_ID, ...options.anvil, dataDir: config.dataDir, logger });
  // Before anything starts: a present but broken deployment file may be the only record of the contracts that
  // hold the anchors, so it is never replaced by a fresh deployment; a missing one is a first start.
  await readDeploymentFileOrExplain(config.chain.deploymentFile, `restore it, or delete it (and ${anvil.stateFile}) to start a fresh embedded chain`);
  let provider: JsonRpcProvider | undefined;
  try {
    // Both settle before we go on, so a failure of one never leaves the other half-started behind us.
    const [node, compiled] = await Promise.allSettled([anvil.start(), compiler.compile()]);
    if (node.status === 'rejected') throw node.reason;
    if (compiled.status === 'rejected') throw compiled.reason;
    const compilation = compiled.value;
    provider = createProvider(anvil.url, anvil.chainId, 100);
    const signer = createSigner(ANVIL_ACCOUNT0_PRIVATE_KEY, provider);
    const deployer = new ContractDeployer({ provider, signer, compilation, logger });
    const { deployment, deployed } = await deployer.ensureDeployed(config.chain.deploymentFile);
    await assertUsable(deployer, deployment, config.chain.deploymentFile);
    logger.log(`embedded chain ${anvil.chainId} ready in ${Math.round(performance.now() - started)} ms (artifacts ${compilation.cacheHit ? 'cached' : 'compiled'}, contracts ${deployed.length > 0 ? `deployed: ${deployed.join(', ')}` : 'reused'})`);
    return context('embedded', anvil.chainId, provider, signer, compilation, deployment, anvil);
  } catch (error) {
    provider?.destroy();
    await anvil.stop();
    throw error;
  }
}

async function connectExternal(config: Pick<AppConfig, 'dataDir' | 'chain'>, compiler: SolidityCompiler, logger: ChainLogger): Promise<ChainContext> {
  const { rpcUrl, privateKey, deploymentFile } = config.chain;
  if (!rpcUrl || !privateKey) throw new Error('CHAIN_RPC_URL and CHAIN_PRIVATE_KEY: both required for an external chain, got only one');
  const chainId = await fetchConfiguredChainId(rpcUrl);
  if (config.chain.chainId !== undefined && config.chain.chainId !== chainId) {
    throw new Error(`CHAIN_ID: expected chain ${config.chain.chainId}, the endpoint ${redactRpcUrl(rpcUrl)} serves chain ${chainId}`);
  }
  const deployment = await readDeploymentFileOrExplain(deploymentFile, 'restore it, or write it afresh with npm run contracts:deploy');
  if (!deployment) {
    throw new Error(`CHAIN_DEPLOYMENT_FILE: expected a deployment file at ${deploymentFile}, found none; create it with npm run contracts:deploy`);
  }
  const compilation = await compiler.compile();
  const provider = createProvider(rpcUrl, chainId);
  const signer = createSigner(privateKey, provider);
  try {
    await assertUsable(new ContractDeployer({ provider, signer, compilation, logger }), deployment, deploymentFile);
  } catch (error) {
    provider.destroy();
    throw error;
  }
  logger.log(`external chain ${chainId} at ${redactRpcUrl(rpcUrl)}: ${Object.entries(deployment.contracts).map(([n, c]) => `${n} ${c.address}`).join(', ')}`);
  return context('external', chainId, provider, signer, compilation, deployment);
}

/**
 * {@link readDeploymentFile}, with an error that names the setting and says what to do (`remedy`).
 * @returns undefined when the file does not exist.
 */
async function readDeploymentFileOrExplain(file: string, remedy: string): Promise<Deployment | undefined> {
  try {
    return await readDeploymentFile(file);
  } catch (error) {
    throw new Error(`CHAIN_DEPLOYMENT_FILE: ${(error as Error).message} — ${remedy}`, { cause: error });
  }
}

async function assertUsable(deployer: ContractDeployer, deployment: Deployment, file: string): Promise<void> {
  const problems = await deployer.verify(deployment);
  if (problems.length > 0) throw new Error(`CHAIN_DEPLOYMENT_FILE: ${file} cannot be used:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
}

function context(mode: ChainContext['mode'], chainId: number, provider: JsonRpcProvider, signer: SerialNonceManager, compilation: CompilationResult, deployment: Deployment, anvil?: EmbeddedAnvil): ChainContext {
  let closing: Promise<void> | undefined;
  return {
    mode,
    chainId,
    provider,
    signer,
    compilation,
    deployment,
    ...(anvil ? { anvil } : {}),
    close() {
      closing ??= (async () => {
        provider.destroy();
        await anvil?.stop();
      })();
      return closing;
    },
  };
}
