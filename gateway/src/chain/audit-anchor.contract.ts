import type { BaseContractMethod, BigNumberish, BytesLike, Contract, ContractTransactionResponse } from 'ethers';

/** A head as `latestHead()` returns it (an ethers Result: positional and named). */
export type TreeHeadResult = [treeSize: bigint, rootHash: string] & { readonly treeSize: bigint; readonly rootHash: string };

/**
 * AuditAnchor bound with ethers: the typed surface of contracts/interfaces/IAuditAnchor.sol plus the
 * AccessControl calls the gateway uses. Each method also has `.staticCall`, `.estimateGas` and `.send`.
 */
export type AuditAnchorContract = Contract & {
  anchor: BaseContractMethod<[treeSize: BigNumberish, rootHash: BytesLike], bigint, ContractTransactionResponse>;
  headCount: BaseContractMethod<[], bigint, bigint>;
  latestHead: BaseContractMethod<[], TreeHeadResult, TreeHeadResult>;
  latestHeadTimestamp: BaseContractMethod<[], bigint, bigint>;
  rootAt: BaseContractMethod<[treeSize: BigNumberish], string, string>;
  ANCHORER_ROLE: BaseContractMethod<[], string, string>;
  DEFAULT_ADMIN_ROLE: BaseContractMethod<[], string, string>;
  hasRole: BaseContractMethod<[role: BytesLike, account: string], boolean, boolean>;
  grantRole: BaseContractMethod<[role: BytesLike, account: string], void, ContractTransactionResponse>;
  revokeRole: BaseContractMethod<[role: BytesLike, account: string], void, ContractTransactionResponse>;
};

/** One anchored tree head with where and when it was anchored, read from its `TreeHeadAnchored` log. */
export interface AnchoredTreeHead {
  /** Position in anchoring order (0-based, gap-free). */
  readonly index: number;
  /** RFC 9162 tree size (uint64 on-chain, hence bigint). */
  readonly treeSize: bigint;
  /** 0x-prefixed 32-byte root hash. */
  readonly rootHash: string;
  /** Block timestamp of the anchoring transaction, in seconds since the Unix epoch. */
  readonly timestamp: number;
  readonly txHash: string;
  readonly blockNumber: number;
  /** Lets a caller detect that the block was later reorganised away. */
  readonly blockHash: string;
}
