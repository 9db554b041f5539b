// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title IModelGovernor
/// @notice The errors of the model Governor beyond those of OpenZeppelin's Governor and its extensions
/// (design.md §2.5).
/// @dev Custom errors follow `<Contract><Problem>(args)` (EIP-6093 style).
interface IModelGovernor {
    /// @notice The voting token does not run on the timestamp clock (ERC-6372 `mode=timestamp`), so the voting
    /// delay and period, given in seconds, would be read as block counts.
    /// @param token The token's address.
    error ModelGovernorClockNotTimestamp(address token);
}
