import type { AddressLike, BaseContractMethod, BigNumberish, BytesLike, Contract, ContractTransactionResponse } from 'ethers';

/** OpenZeppelin `IGovernor.ProposalState` as its uint8 values. */
export const ProposalState = { Pending: 0n, Active: 1n, Canceled: 2n, Defeated: 3n, Succeeded: 4n, Queued: 5n, Expired: 6n, Executed: 7n } as const;

/** GovernorCountingSimple's vote types, the `support` argument of `castVote`. */
export const VoteType = { Against: 0, For: 1, Abstain: 2 } as const;

/** A proposal's calls as `propose`, `queue` and `execute` take them (the latter two with the description's hash). */
type ProposalCalls = [targets: AddressLike[], values: BigNumberish[], calldatas: BytesLike[]];

/** `proposalVotes()`: GovernorCountingSimple's tally. */
export type ProposalVotes = [againstVotes: bigint, forVotes: bigint, abstainVotes: bigint] & {
  readonly againstVotes: bigint;
  readonly forVotes: bigint;
  readonly abstainVotes: bigint;
};

/** ModelGovernor (OpenZeppelin Governor with settings, simple counting, votes, quorum fraction, timelock control). */
export type ModelGovernorContract = Contract & {
  propose: BaseContractMethod<[...ProposalCalls, description: string], bigint, ContractTransactionResponse>;
  queue: BaseContractMethod<[...ProposalCalls, descriptionHash: BytesLike], bigint, ContractTransactionResponse>;
  execute: BaseContractMethod<[...ProposalCalls, descriptionHash: BytesLike], bigint, ContractTransactionResponse>;
  cancel: BaseContractMethod<[...ProposalCalls, descriptionHash: BytesLike], bigint, ContractTransactionResponse>;
  castVote: BaseContractMethod<[proposalId: BigNumberish, support: BigNumberish], bigint, ContractTransactionResponse>;
  castVoteWithReason: BaseContractMethod<[proposalId: BigNumberish, support: BigNumberish, reason: string], bigint, ContractTransactionResponse>;
  hashProposal: BaseContractMethod<[...ProposalCalls, descriptionHash: BytesLike], bigint, bigint>;
  state: BaseContractMethod<[proposalId: BigNumberish], bigint, bigint>;
  proposalSnapshot: BaseContractMethod<[proposalId: BigNumberish], bigint, bigint>;
  proposalDeadline: BaseContractMethod<[proposalId: BigNumberish], bigint, bigint>;
  proposalEta: BaseContractMethod<[proposalId: BigNumberish], bigint, bigint>;
  proposalProposer: BaseContractMethod<[proposalId: BigNumberish], string, string>;
  proposalVotes: BaseContractMethod<[proposalId: BigNumberish], ProposalVotes, ProposalVotes>;
  hasVoted: BaseContractMethod<[proposalId: BigNumberish, account: AddressLike], boolean, boolean>;
  getVotes: BaseContractMethod<[account: AddressLike, timepoint: BigNumberish], bigint, bigint>;
  quorum: BaseContractMethod<[timepoint: BigNumberish], bigint, bigint>;
  votingDelay: BaseContractMethod<[], bigint, bigint>;
  votingPeriod: BaseContractMethod<[], bigint, bigint>;
  proposalThreshold: BaseContractMethod<[], bigint, bigint>;
  timelock: BaseContractMethod<[], string, string>;
  token: BaseContractMethod<[], string, string>;
  clock: BaseContractMethod<[], bigint, bigint>;
  CLOCK_MODE: BaseContractMethod<[], string, string>;
};

/** StewardToken: ERC20 + ERC20Permit + ERC20Votes on the timestamp clock. */
export type StewardTokenContract = Contract & {
  balanceOf: BaseContractMethod<[account: AddressLike], bigint, bigint>;
  totalSupply: BaseContractMethod<[], bigint, bigint>;
  transfer: BaseContractMethod<[to: AddressLike, value: BigNumberish], boolean, ContractTransactionResponse>;
  delegate: BaseContractMethod<[delegatee: AddressLike], void, ContractTransactionResponse>;
  delegates: BaseContractMethod<[account: AddressLike], string, string>;
  getVotes: BaseContractMethod<[account: AddressLike], bigint, bigint>;
  getPastVotes: BaseContractMethod<[account: AddressLike, timepoint: BigNumberish], bigint, bigint>;
  getPastTotalSupply: BaseContractMethod<[timepoint: BigNumberish], bigint, bigint>;
  clock: BaseContractMethod<[], bigint, bigint>;
  CLOCK_MODE: BaseContractMethod<[], string, string>;
};

/** ModelTimelock (OpenZeppelin TimelockController): the executor of passed proposals. */
export type ModelTimelockContract = Contract & {
  getMinDelay: BaseContractMethod<[], bigint, bigint>;
  hashOperationBatch: BaseContractMethod<[...ProposalCalls, predecessor: BytesLike, salt: BytesLike], string, string>;
  isOperationPending: BaseContractMethod<[id: BytesLike], boolean, boolean>;
  isOperationReady: BaseContractMethod<[id: BytesLike], boolean, boolean>;
  isOperationDone: BaseContractMethod<[id: BytesLike], boolean, boolean>;
  schedule: BaseContractMethod<
    [target: AddressLike, value: BigNumberish, data: BytesLike, predecessor: BytesLike, salt: BytesLike, delay: BigNumberish],
    void,
    ContractTransactionResponse
  >;
  execute: BaseContractMethod<[target: AddressLike, value: BigNumberish, payload: BytesLike, predecessor: BytesLike, salt: BytesLike], void, ContractTransactionResponse>;
  PROPOSER_ROLE: BaseContractMethod<[], string, string>;
  CANCELLER_ROLE: BaseContractMethod<[], string, string>;
  EXECUTOR_ROLE: BaseContractMethod<[], string, string>;
  DEFAULT_ADMIN_ROLE: BaseContractMethod<[], string, string>;
  hasRole: BaseContractMethod<[role: BytesLike, account: AddressLike], boolean, boolean>;
  grantRole: BaseContractMethod<[role: BytesLike, account: AddressLike], void, ContractTransactionResponse>;
  renounceRole: BaseContractMethod<[role: BytesLike, callerConfirmation: AddressLike], void, ContractTransactionResponse>;
};
