// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";

/// @title ModelTimelock
/// @notice OpenZeppelin's TimelockController, unchanged, as the executor of the model Governor's proposals
/// (design.md §2.5): approved decisions wait `minDelay` seconds before they take effect, so anyone can see them
/// coming. It is the only account that may approve or retire a model version in the ModelRegistry.
/// @dev Declared here only so the project's compiler emits its artifact (it extracts contracts of our own sources).
/// Set up as: `ModelTimelock(minDelay, [], [], deployer)`, grant PROPOSER_ROLE, CANCELLER_ROLE and EXECUTOR_ROLE
/// to the Governor, then the deployer renounces DEFAULT_ADMIN_ROLE; the timelock then administers itself (OZ 5
/// grants DEFAULT_ADMIN_ROLE to `address(this)`), so role changes need a Governor proposal too.
contract ModelTimelock is TimelockController {
    /// @notice Creates the timelock.
    /// @param minDelay Minimum delay in seconds between queueing and executing an operation.
    /// @param proposers Accounts given PROPOSER_ROLE and CANCELLER_ROLE (the Governor, or empty to grant later).
    /// @param executors Accounts given EXECUTOR_ROLE (the Governor; `address(0)` would open execution to anyone).
    /// @param admin Optional temporary administrator for the setup, renounced afterwards; zero for none.
    constructor(uint256 minDelay, address[] memory proposers, address[] memory executors, address admin)
        TimelockController(minDelay, proposers, executors, admin)
    {}
}
