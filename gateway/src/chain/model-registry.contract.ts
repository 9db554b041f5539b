import type { AddressLike, BaseContractMethod, BytesLike, Contract, ContractTransactionResponse } from 'ethers';

/** `IModelRegistry.ModelVersionState` as its uint8 values: a version only ever moves forward. */
export const ModelVersionState = { Unknown: 0n, Proposed: 1n, Approved: 2n, Retired: 3n } as const;
/** One of {@link ModelVersionState}'s values, as ethers decodes a uint8 enum. */
export type ModelVersionStateValue = (typeof ModelVersionState)[keyof typeof ModelVersionState];

/** A version as `versionOf()` returns it (an ethers Result: positional and named); all zero for an unknown key. */
export type ModelVersionRecord = [onnxSha256: string, cardSha256: string, state: bigint, proposedAt: bigint, approvedAt: bigint, retiredAt: bigint] & {
  readonly onnxSha256: string;
  readonly cardSha256: string;
  readonly state: bigint;
  readonly proposedAt: bigint;
  readonly approvedAt: bigint;
  readonly retiredAt: bigint;
};

/**
 * ModelRegistry bound with ethers: the typed surface of contracts/interfaces/IModelRegistry.sol plus the
 * AccessControl calls for its proposer role. Each method also has `.staticCall`, `.estimateGas` and `.send`.
 */
export type ModelRegistryContract = Contract & {
  propose: BaseContractMethod<[modelId: string, version: string, onnxSha256: BytesLike, cardSha256: BytesLike], string, ContractTransactionResponse>;
  approve: BaseContractMethod<[modelId: string, version: string], void, ContractTransactionResponse>;
  retire: BaseContractMethod<[modelId: string, version: string], void, ContractTransactionResponse>;
  timelock: BaseContractMethod<[], string, string>;
  keyOf: BaseContractMethod<[modelId: string, version: string], string, string>;
  versionOf: BaseContractMethod<[key: BytesLike], ModelVersionRecord, ModelVersionRecord>;
  stateOf: BaseContractMethod<[key: BytesLike], bigint, bigint>;
  isApproved: BaseContractMethod<[key: BytesLike, onnxSha256: BytesLike], boolean, boolean>;
  PROPOSER_ROLE: BaseContractMethod<[], string, string>;
  DEFAULT_ADMIN_ROLE: BaseContractMethod<[], string, string>;
  hasRole: BaseContractMethod<[role: BytesLike, account: AddressLike], boolean, boolean>;
};

/** The events of ModelRegistry that the gateway's indexer follows (design §2.5), in the ABI's names. */
export const MODEL_REGISTRY_EVENTS = ['ModelVersionProposed', 'ModelVersionApproved', 'ModelVersionRetired'] as const;
