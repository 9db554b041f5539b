import { AbiCoder, type BaseWallet, ContractFactory, encodeBytes32String, id, keccak256, type TransactionReceipt, type TypedDataDomain } from 'ethers';
import type { ChainFixture } from '../../../../../test/support/chain-fixture.js';
import type { ChainLogSource, ConsentRegistryContract } from '../../../chain/index.js';

const GRANT_TYPES = {
  Grant: [
    { name: 'patient', type: 'address' },
    { name: 'grantee', type: 'bytes32' },
    { name: 'purpose', type: 'bytes32' },
    { name: 'scopeHash', type: 'bytes32' },
    { name: 'notBefore', type: 'uint64' },
    { name: 'notAfter', type: 'uint64' },
    { name: 'nonce', type: 'uint256' },
    { name: 'deadline', type: 'uint256' },
  ],
};
const REVOKE_TYPES = { Revoke: [{ name: 'consentId', type: 'bytes32' }, { name: 'nonce', type: 'uint256' }, { name: 'deadline', type: 'uint256' }] };

/** Grantee ids as the consent terms derive them (here simply hashes of readable names). */
export const DR_CHEN = id('test-issuer|user:dr-chen');
export const ANY_CLINICIAN = id('test-issuer|role:clinician');
export const SCOPE_HASH = id('scope');

/** The fields of a grant; purpose is the code (`TREATMENT`), or a raw bytes32 when it starts with 0x. */
export interface GrantFields {
  readonly grantee?: string;
  readonly purpose?: string;
  readonly scopeHash?: string;
  readonly notBefore?: bigint;
  readonly notAfter?: bigint;
}

/**
 * A freshly deployed ConsentRegistry on a test chain, driven as the gateway drives it: patients sign (EIP-712),
 * anvil account 0 relays and records break-glass accesses.
 */
export class ConsentRegistryDriver {
  private constructor(
    private readonly chain: ChainFixture,
    readonly registry: ConsentRegistryContract,
    readonly address: string,
    /** The deployment block: where the registry's logs start. */
    readonly fromBlock: number,
    private readonly domain: TypedDataDomain,
  ) {}

  static async deploy(chain: ChainFixture): Promise<ConsentRegistryDriver> {
    const artifact = chain.compilation.contracts['ConsentRegistry']!;
    const admin = await chain.admin.getAddress();
    const contract = await new ContractFactory(artifact.abi, artifact.bytecode, chain.admin).deploy(admin, admin);
    const receipt = (await contract.deploymentTransaction()!.wait())!;
    const address = (await contract.getAddress()).toLowerCase();
    const domain = { name: 'ConsentRegistry', version: '1', chainId: chain.anvil.chainId, verifyingContract: address };
    return new ConsentRegistryDriver(chain, contract as unknown as ConsentRegistryContract, address, receipt.blockNumber, domain);
  }

  /** The log source the indexer reads, on `provider` (default: the fixture's). */
  source(provider = this.chain.provider): ChainLogSource {
    return { provider, address: this.address, fromBlock: this.fromBlock, interface: this.registry.interface };
  }

  /** The latest block's timestamp (unix seconds). */
  async now(): Promise<bigint> {
    return BigInt((await this.chain.provider.getBlock('latest'))!.timestamp);
  }

  /** Signs a grant as `patient` and relays it; returns the consent id and the receipt. */
  async grant(patient: BaseWallet, fields: GrantFields = {}): Promise<{ consentId: string; receipt: TransactionReceipt }> {
    const t = await this.now();
    const nonce = await this.registry.nonces(patient.address);
    const purpose = fields.purpose?.startsWith('0x') ? fields.purpose : encodeBytes32String(fields.purpose ?? 'TREATMENT');
    const message = {
      patient: patient.address,
      grantee: fields.grantee ?? DR_CHEN,
      purpose,
      scopeHash: fields.scopeHash ?? SCOPE_HASH,
      notBefore: fields.notBefore ?? t,
      notAfter: fields.notAfter ?? t + 86_400n,
      nonce,
      deadline: t + 3_600n,
    };
    const signature = await patient.signTypedData(this.domain, GRANT_TYPES, message);
    const m = message;
    const receipt = (await (await this.registry.grantBySig(m.patient, m.grantee, m.purpose, m.scopeHash, m.notBefore, m.notAfter, m.deadline, signature)).wait())!;
    return { consentId: keccak256(AbiCoder.defaultAbiCoder().encode(['address', 'uint256'], [patient.address, nonce])).toLowerCase(), receipt };
  }

  /** Signs a revocation as `patient` and relays it. */
  async revoke(patient: BaseWallet, consentId: string): Promise<TransactionReceipt> {
    const nonce = await this.registry.nonces(patient.address);
    const deadline = (await this.now()) + 3_600n;
    const signature = await patient.signTypedData(this.domain, REVOKE_TYPES, { consentId, nonce, deadline });
    return (await (await this.registry.revokeBySig(consentId, deadline, signature)).wait())!;
  }

  /** Records a break-glass access by `grantee` under the EMERGENCY consent `consentId`; returns its id. */
  async emergency(consentId: string, grantee: string, reasonHash: string, notAfter: bigint): Promise<{ accessId: string; receipt: TransactionReceipt }> {
    const receipt = (await (await this.registry.recordEmergencyAccess(consentId, grantee, reasonHash, notAfter)).wait())!;
    const accessId = this.registry.interface.parseLog(receipt.logs[0]!)!.args.getValue('accessId') as string;
    return { accessId: accessId.toLowerCase(), receipt };
  }
}

/** Resolves once `condition` holds, checking every 10 ms; rejects after `timeoutMs` naming `what`. */
export async function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`expected ${what} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
