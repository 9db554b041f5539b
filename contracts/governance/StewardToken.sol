// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {ERC20Votes} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Votes.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {Time} from "@openzeppelin/contracts/utils/types/Time.sol";
import {IStewardToken} from "../interfaces/IStewardToken.sol";

/// @title StewardToken
/// @notice The stewards' voting power over model versions (design.md §2.5): ERC20 with ERC-2612 permits and
/// ERC-5805 vote delegation, on the timestamp clock (ERC-6372 `mode=timestamp`), so voting delays and periods are
/// seconds on every chain, including L2s whose block numbers follow L1.
/// @dev The whole supply is minted at deployment and there is no mint function: voting power can then only move by
/// transfer between holders, never be created, so no key and no single proposal can outvote the stewards by
/// minting. Onboarding a steward means a holder transferring tokens (or governance transferring tokens held by the
/// timelock, if the deployment names the timelock among the recipients). Each recipient is self-delegated at
/// minting, because ERC20Votes counts only delegated balances and a steward who forgot to delegate would
/// silently hold no votes; anyone may still delegate elsewhere. Tokens received later by transfer count only once
/// their holder delegates.
contract StewardToken is IStewardToken, ERC20, ERC20Permit, ERC20Votes {
    /// @notice Mints the whole, fixed supply to the stewards and self-delegates each of them.
    /// @param name_ The token's name, also its EIP-712 domain name for permits.
    /// @param symbol_ The token's symbol.
    /// @param recipients The stewards (or other holders); zero addresses are refused by ERC20 (`ERC20InvalidReceiver`).
    /// @param amounts Each recipient's amount, in the smallest unit (18 decimals).
    constructor(string memory name_, string memory symbol_, address[] memory recipients, uint256[] memory amounts)
        ERC20(name_, symbol_)
        ERC20Permit(name_)
    {
        if (recipients.length != amounts.length) revert StewardTokenLengthMismatch(recipients.length, amounts.length);
        for (uint256 i = 0; i < recipients.length; ++i) {
            _mint(recipients[i], amounts[i]);
            if (delegates(recipients[i]) == address(0)) _delegate(recipients[i], recipients[i]);
        }
        if (totalSupply() == 0) revert StewardTokenNoSupply();
    }

    /// @notice The current timepoint of the votes' clock: the block timestamp (ERC-6372).
    /// @return timepoint Seconds since the Unix epoch, as uint48.
    function clock() public view override returns (uint48 timepoint) {
        return Time.timestamp();
    }

    /// @notice Machine-readable description of the clock (ERC-6372).
    /// @return mode Always `mode=timestamp`.
    // solhint-disable-next-line func-name-mixedcase
    function CLOCK_MODE() public pure override returns (string memory mode) {
        return "mode=timestamp";
    }

    /// @notice The next ERC-2612 permit nonce of `owner` (one counter shared with delegation by signature).
    /// @param owner The account whose nonce is read.
    /// @return nonce The nonce the next signature must use.
    function nonces(address owner) public view override(ERC20Permit, Nonces) returns (uint256 nonce) {
        return super.nonces(owner);
    }

    /// @dev Moves balances and the delegates' vote checkpoints together (ERC20Votes).
    /// @param from Sender, or zero when minting.
    /// @param to Recipient, or zero when burning.
    /// @param value Amount moved.
    function _update(address from, address to, uint256 value) internal override(ERC20, ERC20Votes) {
        super._update(from, to, value);
    }
}
