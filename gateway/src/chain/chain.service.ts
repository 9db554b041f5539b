import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { withTimeout } from '../common/index.js';
import { Contract, type JsonRpcProvider } from 'ethers';
import type { AnchoredTreeHead, AuditAnchorContract } from './audit-anchor.contract.js';
import type { ChainContext } from './chain-connector.js';
import type { ChainLogSource, ConsentRegistryContract } from './consent-registry.contract.js';
import { CHAIN_CONTEXT } from './chain.tokens.js';
import type { Deployment } from './deployment-file.js';
import type { EmbeddedAnvil } from './embedded-anvil.js';
import type { SerialNonceManager } from './serial-nonce-manager.js';
import type { CompilationResult } from './solidity-compiler.js';
import { readAnchoredTreeHeads } from './tree-head.reader.js';

/** Readiness of the chain, in the shape the health endpoint aggregates. */
export interface ChainReadiness {
  readonly up: boolean;
  readonly detail: string;
}

const READY_TIMEOUT_MS = 2_500;
/** Widest eth_getLogs range on external RPCs, which commonly cap it around 10k blocks. */
const EXTERNAL_LOG_RANGE = 10_000;

/**
 * The gateway's port to the chain: provider, the one signer, the deployment and bound contracts, readiness and
 * the regulator's view of anchored heads. Exists only once the chain is connected (see ChainModule).
 */
@Injectable()
export class ChainService implements OnApplicationShutdown {
  /** AuditAnchor bound to the gateway's signer (design §2.4). */
  readonly auditAnchor: AuditAnchorContract;
  /**
   * ConsentRegistry bound to the gateway's signer (design §2.2): relays the patients' signed grants and
   * revocations, records break-glass accesses (the signer holds EMERGENCY_RECORDER_ROLE) and answers `isActive`.
   */
  readonly consentRegistry: ConsentRegistryContract;
  private readonly bound = new Map<string, Contract>();

  constructor(@Inject(CHAIN_CONTEXT) private readonly context: ChainContext) {
    this.auditAnchor = this.contract('AuditAnchor') as AuditAnchorContract;
    this.consentRegistry = this.contract('ConsentRegistry') as ConsentRegistryContract;
  }

  /** `embedded` (anvil child process) or `external` (CHAIN_RPC_URL). */
  get mode(): ChainContext['mode'] {
    return this.context.mode;
  }
  get provider(): JsonRpcProvider {
    return this.context.provider;
  }
  /**
   * The gateway's one sender. Share it (contracts from {@link contract} are bound to it): it sends one
   * transaction at a time, so concurrent callers never collide on a nonce, and it recovers from a failed send
   * by itself.
   */
  get signer(): SerialNonceManager {
    return this.context.signer;
  }
  get chainId(): number {
    return this.context.chainId;
  }
  get deployment(): Deployment {
    return this.context.deployment;
  }
  get compilation(): CompilationResult {
    return this.context.compilation;
  }
  /** The embedded node in embedded mode (diagnostics and tests); undefined for an external chain. */
  get anvil(): EmbeddedAnvil | undefined {
    return this.context.anvil;
  }

  /**
   * A deployed contract bound to the signer, by artifact name.
   * @throws Error when the deployment has no contract of that name.
   */
  contract(name: string): Contract {
    let contract = this.bound.get(name);
    if (!contract) {
      const entry = this.context.deployment.contracts[name];
      const artifact = this.context.compilation.contracts[name];
      if (!entry || !artifact) throw new Error(`expected a deployed contract named ${name}, got only ${Object.keys(this.context.deployment.contracts).join(', ')}`);
      contract = new Contract(entry.address, artifact.abi, this.context.signer);
      this.bound.set(name, contract);
    }
    return contract;
  }

  /**
   * Where ConsentRegistry's logs are read from (its address, deployment block and ABI, on the gateway's provider):
   * the source of the consent module's chain indexer.
   */
  consentLogSource(): ChainLogSource {
    const entry = this.context.deployment.contracts['ConsentRegistry'];
    if (!entry) throw new Error(`expected a deployed contract named ConsentRegistry, got only ${Object.keys(this.context.deployment.contracts).join(', ')}`);
    return { provider: this.provider, address: entry.address, fromBlock: entry.blockNumber, interface: this.consentRegistry.interface };
  }

  /**
   * Readiness: the embedded node has not crashed, the chain answers (block number) and every deployed contract
   * still has code. Never throws; a failure is `up: false` with the reason.
   */
  async checkReady(): Promise<ChainReadiness> {
    const anvil = this.context.anvil?.status();
    if (anvil && anvil.state !== 'running') return { up: false, detail: `embedded anvil is ${anvil.state}: ${anvil.detail}` };
    try {
      return await withTimeout(this.probe(), READY_TIMEOUT_MS);
    } catch (error) {
      const reason = (error as { shortMessage?: string }).shortMessage ?? (error as Error).message;
      return { up: false, detail: `chain ${this.chainId} unreachable: ${reason}` };
    }
  }

  /**
   * The most recent anchored tree heads (newest first) with their transaction, block and timestamp, for the
   * regulator API: read from `TreeHeadAnchored` logs, consistent with the contract's head count.
   * @param limit How many heads (at most 1,000).
   */
  latestAnchors(limit = 10): Promise<AnchoredTreeHead[]> {
    const entry = this.context.deployment.contracts['AuditAnchor'];
    return readAnchoredTreeHeads(this.auditAnchor, this.provider, {
      limit,
      fromBlock: entry?.blockNumber ?? 0,
      ...(this.mode === 'external' ? { maxBlockRange: EXTERNAL_LOG_RANGE } : {}),
    });
  }

  /**
   * Stops the embedded node in the onApplicationShutdown phase, which Nest runs only after every module's
   * onModuleDestroy and beforeApplicationShutdown hooks: those may still need the chain (e.g. anchoring the final
   * tree head). It is not the last hook: other modules' onApplicationShutdown hooks (e.g. Store, Auth, Config)
   * may run after it, and must not use the chain.
   */
  async onApplicationShutdown(): Promise<void> {
    await this.context.close();
  }

  private async probe(): Promise<ChainReadiness> {
    const block = await this.provider.getBlockNumber();
    const entries = Object.entries(this.context.deployment.contracts);
    const codes = await Promise.all(entries.map(([, c]) => this.provider.getCode(c.address)));
    const missing = entries.filter((_, i) => codes[i] === '0x').map(([name, c]) => `${name} at ${c.address}`);
    if (missing.length > 0) return { up: false, detail: `chain ${this.chainId} at block ${block} has no code for ${missing.join(', ')}` };
    return { up: true, detail: `chain ${this.chainId} at block ${block}; ${entries.map(([name, c]) => `${name} at ${c.address}`).join(', ')}` };
  }
}
