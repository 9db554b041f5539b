import { Logger } from '@nestjs/common';
import { Contract, ContractFactory, type JsonRpcProvider, keccak256, type Signer } from 'ethers';
import type { ChainLogger } from './chain-logger.js';
import { codeFingerprint } from './code-fingerprint.js';
import { type ContractDeployment, type Deployment, readDeploymentFile, writeDeploymentFile } from './deployment-file.js';
import { type ContractSpec, type DeploymentRoles, GATEWAY_CONTRACTS } from './gateway-contracts.js';
import type { CompilationResult, ContractArtifact } from './solidity-compiler.js';

/** Options of {@link ContractDeployer}. */
export interface ContractDeployerOptions {
  readonly provider: JsonRpcProvider;
  /**
   * The gateway's signer (from `createSigner`, which recovers its nonce count after a failed send by itself):
   * deploys, and becomes the anchorer, and the admin unless {@link admin} is given.
   */
  readonly signer: Signer;
  /**
   * Account given the contracts' admin role (AuditAnchor's `DEFAULT_ADMIN_ROLE`) instead of the signer: for
   * production, a separate (e.g. multisig or cold) key, so that the hot key the gateway runs with cannot grant
   * roles. Defaults to the signer.
   */
  readonly admin?: string;
  readonly compilation: CompilationResult;
  /** Defaults to {@link GATEWAY_CONTRACTS}. */
  readonly contracts?: readonly ContractSpec[];
  /** Confirmations to wait for per deployment; 1 is final on anvil and soft-final on L2 sequencers. */
  readonly confirmations?: number;
  readonly logger?: ChainLogger;
}

/** What {@link ContractDeployer.ensureDeployed} did. */
export interface DeployResult {
  readonly deployment: Deployment;
  /** Contracts deployed by this call. */
  readonly deployed: readonly string[];
  /** Contracts taken over from the existing deployment file. */
  readonly reused: readonly string[];
}

/**
 * Deploys the gateway's contracts and keeps the deployment file in step with the chain. Idempotent: a contract
 * is reused when the file is for this chain id, the code at its address is this build's code and its deployment
 * transaction, if the node still has its receipt, is where the file says; otherwise it is deployed afresh and the
 * file rewritten. The genesis hash is deliberately not part of this: anvil's `--state` reload appends a new block 0
 * on every start, so the embedded chain's genesis hash can change between restarts of the same chain.
 */
export class ContractDeployer {
  private readonly specs: readonly ContractSpec[];
  private readonly logger: ChainLogger;

  constructor(private readonly options: ContractDeployerOptions) {
    this.specs = options.contracts ?? GATEWAY_CONTRACTS;
    this.logger = options.logger ?? new Logger('ContractDeployer');
  }

  /**
   * Makes sure every contract is deployed and recorded in `file`. A missing file means a first deployment.
   * @param force Deploy every contract afresh even if the file could be reused (an unusable file is then ignored).
   * @throws Error from {@link readDeploymentFile} when the file exists but is not a valid deployment file: it may
   *   be the only record of contracts that hold anchors, so it is never silently replaced.
   */
  async ensureDeployed(file: string, { force = false }: { force?: boolean } = {}): Promise<DeployResult> {
    const chainId = await this.chainId();
    const existing = force ? undefined : await readDeploymentFile(file);
    const sameChain = existing !== undefined && existing.chainId === chainId;
    if (existing && !sameChain) {
      this.logger.warn(`deployment file ${file} describes chain ${existing.chainId}, running chain is ${chainId}: deploying afresh`);
    }
    const deployer = await this.options.signer.getAddress();
    const contracts: Record<string, ContractDeployment> = {};
    const deployed: string[] = [];
    const reused: string[] = [];
    for (const spec of this.specs) {
      const prior = sameChain ? existing.contracts[spec.name] : undefined;
      if (prior && (await this.reusable(spec.name, prior, file))) {
        contracts[spec.name] = prior;
        reused.push(spec.name);
      } else {
        contracts[spec.name] = await this.deploy(spec, { deployer, admin: this.options.admin ?? deployer });
        deployed.push(spec.name);
      }
    }
    const deployment: Deployment = deployed.length === 0 && existing
      ? existing
      : { format: 1, chainId, deployer, compilerVersion: this.options.compilation.compilerVersion, updatedAt: new Date().toISOString(), contracts };
    if (deployment !== existing) await writeDeploymentFile(file, deployment);
    if (reused.length > 0) this.logger.log(`reusing ${reused.map((n) => `${n} at ${contracts[n]?.address}`).join(', ')} from ${file}`);
    return { deployment, deployed, reused };
  }

  /**
   * Checks that `deployment` can serve this gateway on the connected chain: same chain id, this build's code at
   * every address, and each contract's own check (the signer's roles, and the admin's when
   * {@link ContractDeployerOptions.admin} is given).
   * @returns The problems found; empty when the deployment is usable.
   */
  async verify(deployment: Deployment): Promise<string[]> {
    const problems: string[] = [];
    const chainId = await this.chainId();
    if (deployment.chainId !== chainId) return [`deployment file is for chain ${deployment.chainId}, the RPC endpoint serves chain ${chainId}`];
    const signer = await this.options.signer.getAddress();
    for (const spec of this.specs) {
      const entry = deployment.contracts[spec.name];
      if (!entry) {
        problems.push(`deployment file lists no ${spec.name}; run npm run contracts:deploy`);
        continue;
      }
      const code = await this.options.provider.getCode(entry.address);
      if (code === '0x') {
        problems.push(`no code at ${entry.address} (${spec.name}) on chain ${chainId}; run npm run contracts:deploy`);
      } else if (!this.isThisBuild(spec.name, code)) {
        problems.push(`code at ${entry.address} is not this build's ${spec.name}; redeploy with npm run contracts:deploy`);
      } else {
        const problem = await spec.check?.(new Contract(entry.address, this.artifact(spec.name).abi, this.options.provider), signer, this.options.admin);
        if (problem) problems.push(problem);
      }
    }
    return problems;
  }

  /**
   * Whether a recorded contract can be taken over: this build's code is at its address, and its deployment
   * transaction's receipt, when the node has it (nodes may prune old transaction indexes), created that address
   * in the recorded block. Logs why not.
   */
  private async reusable(name: string, prior: ContractDeployment, file: string): Promise<boolean> {
    const code = await this.options.provider.getCode(prior.address);
    if (code === '0x' || !this.isThisBuild(name, code)) {
      this.logger.warn(`${file}: ${name} at ${prior.address} does not hold this build's code: deploying afresh`);
      return false;
    }
    const receipt = await this.options.provider.getTransactionReceipt(prior.txHash);
    if (!receipt) return true;
    const where = `block ${receipt.blockNumber} (${receipt.blockHash}), creating ${receipt.contractAddress ?? 'no contract'}`;
    const matches = receipt.status === 1
      && receipt.blockNumber === prior.blockNumber
      && (prior.blockHash === undefined || receipt.blockHash === prior.blockHash)
      && receipt.contractAddress?.toLowerCase() === prior.address.toLowerCase();
    if (!matches) {
      this.logger.warn(`${file}: ${name} deployment ${prior.txHash} is recorded in block ${prior.blockNumber}${prior.blockHash ? ` (${prior.blockHash})` : ''} at ${prior.address}, the chain has it in ${where}: deploying afresh`);
    }
    return matches;
  }

  private async deploy(spec: ContractSpec, roles: DeploymentRoles): Promise<ContractDeployment> {
    const artifact = this.artifact(spec.name);
    if (artifact.bytecode === '0x') throw new Error(`expected deployable bytecode for ${spec.name}, got none (abstract contract or interface?)`);
    const factory = new ContractFactory(artifact.abi, artifact.bytecode, this.options.signer);
    try {
      const contract = await factory.deploy(...spec.constructorArgs(roles));
      const tx = contract.deploymentTransaction();
      const receipt = await tx?.wait(this.options.confirmations ?? 1);
      if (!tx || !receipt || receipt.status !== 1) throw new Error('transaction did not succeed');
      const address = await contract.getAddress();
      const code = await this.options.provider.getCode(address);
      this.logger.log(`deployed ${spec.name} at ${address} (tx ${tx.hash}, block ${receipt.blockNumber}, gas ${receipt.gasUsed})`);
      return {
        address,
        txHash: tx.hash,
        blockNumber: receipt.blockNumber,
        blockHash: receipt.blockHash,
        runtimeCodeHash: keccak256(code),
        codeFingerprint: codeFingerprint(code, artifact.immutableReferences),
        sourceHash: this.options.compilation.buildHash,
        deployedAt: new Date().toISOString(),
      };
    } catch (error) {
      const reason = (error as { shortMessage?: string }).shortMessage ?? (error as Error).message;
      throw new Error(`expected to deploy ${spec.name}, got ${reason}`, { cause: error });
    }
  }

  /** Whether deployed runtime `code` (not `0x`) is this build's `name`, immutables and metadata aside. */
  private isThisBuild(name: string, code: string): boolean {
    const artifact = this.artifact(name);
    return codeFingerprint(code, artifact.immutableReferences) === codeFingerprint(artifact.deployedBytecode, artifact.immutableReferences);
  }

  private artifact(name: string): ContractArtifact {
    const artifact = this.options.compilation.contracts[name];
    if (!artifact) throw new Error(`expected a compiled contract named ${name}, got only ${Object.keys(this.options.compilation.contracts).join(', ')}`);
    return artifact;
  }

  private async chainId(): Promise<number> {
    return Number((await this.options.provider.getNetwork()).chainId);
  }
}
