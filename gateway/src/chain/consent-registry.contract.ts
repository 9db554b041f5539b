import type { AddressLike, BaseContractMethod, BigNumberish, BytesLike, Contract, ContractTransactionResponse, Interface, JsonRpcProvider } from 'ethers';

/** A consent as `consentOf()` returns it (an ethers Result: positional and named); all zero for an unknown id. */
export type ConsentRecord = [patient: string, notBefore: bigint, revoked: boolean, grantee: string, purpose: string, scopeHash: string, notAfter: bigint] & {
  readonly patient: string;
  readonly notBefore: bigint;
  readonly revoked: boolean;
  readonly grantee: string;
  readonly purpose: string;
  readonly scopeHash: string;
  readonly notAfter: bigint;
};

/** A break-glass access as `emergencyAccessOf()` returns it; all zero for an unknown id. */
export type EmergencyAccessRecord = [consentId: string, grantee: string, reasonHash: string, declaredAt: bigint, notAfter: bigint] & {
  readonly consentId: string;
  readonly grantee: string;
  readonly reasonHash: string;
  readonly declaredAt: bigint;
  readonly notAfter: bigint;
};

/**
 * ConsentRegistry bound with ethers: the typed surface of contracts/interfaces/IConsentRegistry.sol plus the
 * constants, nonces and AccessControl calls the gateway uses. Each method also has `.staticCall`, `.estimateGas`
 * and `.send`.
 */
export type ConsentRegistryContract = Contract & {
  grantBySig: BaseContractMethod<
    [patient: AddressLike, grantee: BytesLike, purpose: BytesLike, scopeHash: BytesLike, notBefore: BigNumberish, notAfter: BigNumberish, deadline: BigNumberish, signature: BytesLike],
    string,
    ContractTransactionResponse
  >;
  revokeBySig: BaseContractMethod<[consentId: BytesLike, deadline: BigNumberish, signature: BytesLike], void, ContractTransactionResponse>;
  revoke: BaseContractMethod<[consentId: BytesLike], void, ContractTransactionResponse>;
  recordEmergencyAccess: BaseContractMethod<[consentId: BytesLike, grantee: BytesLike, reasonHash: BytesLike, notAfter: BigNumberish], string, ContractTransactionResponse>;
  isActive: BaseContractMethod<[consentId: BytesLike], boolean, boolean>;
  consentOf: BaseContractMethod<[consentId: BytesLike], ConsentRecord, ConsentRecord>;
  emergencyAccessOf: BaseContractMethod<[accessId: BytesLike], EmergencyAccessRecord, EmergencyAccessRecord>;
  isEmergencyAccessActive: BaseContractMethod<[accessId: BytesLike], boolean, boolean>;
  /** The patient's next EIP-712 nonce (OpenZeppelin Nonces). */
  nonces: BaseContractMethod<[owner: AddressLike], bigint, bigint>;
  DOMAIN_SEPARATOR: BaseContractMethod<[], string, string>;
  GRANT_TYPEHASH: BaseContractMethod<[], string, string>;
  REVOKE_TYPEHASH: BaseContractMethod<[], string, string>;
  EMERGENCY_RECORDER_ROLE: BaseContractMethod<[], string, string>;
  EMERGENCY_PURPOSE: BaseContractMethod<[], string, string>;
  MAX_EMERGENCY_DURATION: BaseContractMethod<[], bigint, bigint>;
  DEFAULT_ADMIN_ROLE: BaseContractMethod<[], string, string>;
  hasRole: BaseContractMethod<[role: BytesLike, account: AddressLike], boolean, boolean>;
  grantRole: BaseContractMethod<[role: BytesLike, account: AddressLike], void, ContractTransactionResponse>;
  revokeRole: BaseContractMethod<[role: BytesLike, account: AddressLike], void, ContractTransactionResponse>;
};

/** The events of ConsentRegistry that make up the consent view (design §2.2), in the ABI's names. */
export const CONSENT_REGISTRY_EVENTS = ['ConsentGranted', 'ConsentRevoked', 'EmergencyAccessRecorded'] as const;

/**
 * Where a contract's logs are read from: the provider, the contract's address, the first block that can hold its
 * logs (its deployment block) and its ABI. What the consent indexer is built on.
 */
export interface ChainLogSource {
  readonly provider: JsonRpcProvider;
  readonly address: string;
  readonly fromBlock: number;
  readonly interface: Interface;
}
