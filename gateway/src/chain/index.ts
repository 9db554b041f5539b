// The chain's public surface: the module and service the app uses, and what the shared test fixtures and the
// contract tests build on. Everything else is internal to this folder.
export { ChainModule } from './chain.module.js';
export { ChainService, type ChainReadiness } from './chain.service.js';
export type { ConnectChainOptions } from './chain-connector.js';
export type { AnchoredTreeHead, AuditAnchorContract } from './audit-anchor.contract.js';
export { CONSENT_REGISTRY_EVENTS, type ChainLogSource, type ConsentRecord, type ConsentRegistryContract, type EmergencyAccessRecord } from './consent-registry.contract.js';
export { MODEL_REGISTRY_EVENTS, type ModelRegistryContract, type ModelVersionRecord, ModelVersionState, type ModelVersionStateValue } from './model-registry.contract.js';
export { type ModelGovernorContract, type ModelTimelockContract, ProposalState, type ProposalVotes, type StewardTokenContract, VoteType } from './model-governance.contract.js';
export { readAnchoredTreeHeads } from './tree-head.reader.js';
export { ANVIL_ACCOUNT0_PRIVATE_KEY, createProvider, createSigner } from './chain-provider.js';
export { SerialNonceManager } from './serial-nonce-manager.js';
export { EmbeddedAnvil } from './embedded-anvil.js';
export { SolidityCompiler, type CompilationResult } from './solidity-compiler.js';
export { ContractDeployer } from './contract-deployer.js';
export { type Deployment, readDeploymentFile } from './deployment-file.js';
export type { ChainLogger } from './chain-logger.js';
