import type { Contract } from 'ethers';

/** Who gets what on a deployment: the deploying account (the gateway's signer) and the administrator. */
export interface DeploymentRoles {
  /** The deploying account, which is also the gateway's signer. */
  readonly deployer: string;
  /** The account given the admin role: the deployer unless `contracts:deploy --admin` named another. */
  readonly admin: string;
}

/** How the deployer creates and checks one of the gateway's contracts. */
export interface ContractSpec {
  /** Contract name in the compiled artifacts. */
  readonly name: string;
  /** Constructor arguments for these roles. */
  constructorArgs(roles: DeploymentRoles): unknown[];
  /**
   * A problem that stops the gateway from using this contract with `signer` (e.g. a missing role), or, when
   * `admin` is given, that `admin` does not hold the admin role; undefined if none.
   */
  check?(contract: Contract, signer: string, admin?: string): Promise<string | undefined>;
}

/**
 * A check that `signer` holds the contract's `role` (the gateway's working role) and, when `admin` is given, that
 * `admin` holds DEFAULT_ADMIN_ROLE: the shared shape of both contracts' {@link ContractSpec.check}.
 */
function holdsRoles(name: string, role: string): NonNullable<ContractSpec['check']> {
  return async (contract, signer, admin) => {
    const address = await contract.getAddress();
    const hasRole = contract.getFunction('hasRole');
    const working = (await contract.getFunction(role).staticCall()) as string;
    if (!((await hasRole.staticCall(working, signer)) as boolean)) {
      return `signer ${signer} lacks ${role} on ${name} ${address}; an admin must grant it`;
    }
    if (admin === undefined) return undefined;
    const adminRole = (await contract.getFunction('DEFAULT_ADMIN_ROLE').staticCall()) as string;
    const isAdmin = (await hasRole.staticCall(adminRole, admin)) as boolean;
    return isAdmin ? undefined : `admin ${admin} lacks DEFAULT_ADMIN_ROLE on ${name} ${address} (reused from an earlier deployment with another admin); deploy afresh with --force, or have its admin grant the role`;
  };
}

/**
 * AuditAnchor (design §2.4): the deployer is the anchorer, so the gateway can anchor at once, and the admin
 * (who may grant and revoke ANCHORER_ROLE) is the deployer unless another account is named.
 */
const AUDIT_ANCHOR_SPEC: ContractSpec = {
  name: 'AuditAnchor',
  constructorArgs: ({ deployer, admin }) => [admin, deployer],
  check: holdsRoles('AuditAnchor', 'ANCHORER_ROLE'),
};

/**
 * ConsentRegistry (design §2.2): anyone may relay the patients' signed grants and revocations; the deployer is
 * the emergency recorder, so the gateway can record break-glass accesses at once, and the admin (who may grant
 * and revoke EMERGENCY_RECORDER_ROLE) is the deployer unless another account is named.
 */
const CONSENT_REGISTRY_SPEC: ContractSpec = {
  name: 'ConsentRegistry',
  constructorArgs: ({ deployer, admin }) => [admin, deployer],
  check: holdsRoles('ConsentRegistry', 'EMERGENCY_RECORDER_ROLE'),
};

/** The contracts the gateway deploys and binds, in deployment order. */
export const GATEWAY_CONTRACTS: readonly ContractSpec[] = [AUDIT_ANCHOR_SPEC, CONSENT_REGISTRY_SPEC];
