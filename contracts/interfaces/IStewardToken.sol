// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title IStewardToken
/// @notice The errors of the stewards' voting token beyond those of OpenZeppelin's ERC20, ERC20Permit and
/// ERC20Votes (design.md §2.5).
/// @dev Custom errors follow `<Contract><Problem>(args)` (EIP-6093 style).
interface IStewardToken {
    /// @notice The constructor's recipients and amounts differ in length.
    /// @param recipients Number of recipients given.
    /// @param amounts Number of amounts given.
    error StewardTokenLengthMismatch(uint256 recipients, uint256 amounts);

    /// @notice The constructor would mint nothing: with a fixed supply, governance would have no voting power ever.
    error StewardTokenNoSupply();
}
