// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IERC5805} from "@openzeppelin/contracts/interfaces/IERC5805.sol";
import {Governor} from "@openzeppelin/contracts/governance/Governor.sol";
import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";
import {GovernorCountingSimple} from "@openzeppelin/contracts/governance/extensions/GovernorCountingSimple.sol";
import {GovernorSettings} from "@openzeppelin/contracts/governance/extensions/GovernorSettings.sol";
import {GovernorTimelockControl} from "@openzeppelin/contracts/governance/extensions/GovernorTimelockControl.sol";
import {GovernorVotes} from "@openzeppelin/contracts/governance/extensions/GovernorVotes.sol";
import {GovernorVotesQuorumFraction} from "@openzeppelin/contracts/governance/extensions/GovernorVotesQuorumFraction.sol";
import {IModelGovernor} from "../interfaces/IModelGovernor.sol";

/// @title ModelGovernor
/// @notice The stakeholders' vote on model versions and bias corrections (design.md §2.5): holders of the
/// StewardToken propose, vote for, against or abstain, and a proposal that passes is queued in the ModelTimelock
/// and executed after its delay, e.g. `ModelRegistry.approve("egfr-ckd-epi", "2021")` batched with
/// `ModelRegistry.retire("egfr-ckd-epi", "2009")`.
/// @dev OpenZeppelin's Governor composed as its Wizard does, with nothing added but a constructor check of the
/// token's clock. Counting: for, against, abstain; a proposal passes when for > against and for + abstain reaches
/// the quorum, a fraction of the total supply at the proposal's snapshot. All timepoints and durations are seconds
/// (the token's timestamp clock). The settings and the quorum can change only through proposals (`onlyGovernance`).
contract ModelGovernor is
    IModelGovernor,
    Governor,
    GovernorSettings,
    GovernorCountingSimple,
    GovernorVotes,
    GovernorVotesQuorumFraction,
    GovernorTimelockControl
{
    /// @dev keccak256 of the ERC-6372 clock mode the voting settings assume.
    bytes32 private constant _TIMESTAMP_MODE = keccak256("mode=timestamp");

    /// @notice Creates the Governor.
    /// @param token The voting token; must run on the timestamp clock.
    /// @param timelockController The timelock that executes passed proposals.
    /// @param initialVotingDelay Seconds between a proposal and the start of its vote (the votes' snapshot).
    /// @param initialVotingPeriod Seconds the vote lasts; must not be zero.
    /// @param initialProposalThreshold Votes (token units) an account needs to create a proposal.
    /// @param quorumNumerator Quorum as a percentage of the total supply (denominator 100).
    constructor(
        IERC5805 token,
        TimelockController timelockController,
        uint48 initialVotingDelay,
        uint32 initialVotingPeriod,
        uint256 initialProposalThreshold,
        uint256 quorumNumerator
    )
        Governor("ModelGovernor")
        GovernorSettings(initialVotingDelay, initialVotingPeriod, initialProposalThreshold)
        GovernorVotes(token)
        GovernorVotesQuorumFraction(quorumNumerator)
        GovernorTimelockControl(timelockController)
    {
        // A block-number token would read the delays, given in seconds, as block counts.
        try token.CLOCK_MODE() returns (string memory mode) {
            if (keccak256(bytes(mode)) != _TIMESTAMP_MODE) revert ModelGovernorClockNotTimestamp(address(token));
        } catch {
            revert ModelGovernorClockNotTimestamp(address(token));
        }
    }

    /// @notice Seconds between a proposal and the start of its vote.
    /// @return delay The voting delay.
    function votingDelay() public view override(Governor, GovernorSettings) returns (uint256 delay) {
        return super.votingDelay();
    }

    /// @notice Seconds a vote lasts.
    /// @return period The voting period.
    function votingPeriod() public view override(Governor, GovernorSettings) returns (uint256 period) {
        return super.votingPeriod();
    }

    /// @notice Votes needed at `timepoint` for a proposal to pass: the quorum fraction of the supply then.
    /// @param timepoint A past timepoint (Unix seconds).
    /// @return votes The quorum, in token units.
    function quorum(uint256 timepoint)
        public
        view
        override(Governor, GovernorVotesQuorumFraction)
        returns (uint256 votes)
    {
        return super.quorum(timepoint);
    }

    /// @notice The state of a proposal, including Queued and Executed as the timelock sees them.
    /// @param proposalId The proposal's id.
    /// @return proposalState The proposal's state.
    function state(uint256 proposalId)
        public
        view
        override(Governor, GovernorTimelockControl)
        returns (ProposalState proposalState)
    {
        return super.state(proposalId);
    }

    /// @notice Whether passed proposals must be queued before execution: always, through the timelock.
    /// @param proposalId The proposal's id.
    /// @return needsQueuing True.
    function proposalNeedsQueuing(uint256 proposalId)
        public
        view
        override(Governor, GovernorTimelockControl)
        returns (bool needsQueuing)
    {
        return super.proposalNeedsQueuing(proposalId);
    }

    /// @notice Votes an account needs to create a proposal.
    /// @return threshold The proposal threshold, in token units.
    function proposalThreshold() public view override(Governor, GovernorSettings) returns (uint256 threshold) {
        return super.proposalThreshold();
    }

    /// @dev Schedules a passed proposal's calls in the timelock.
    /// @param proposalId The proposal's id.
    /// @param targets The called contracts.
    /// @param values The wei sent with each call.
    /// @param calldatas The calls' data.
    /// @param descriptionHash keccak256 of the proposal's description.
    /// @return eta The timestamp from which it may be executed.
    function _queueOperations(
        uint256 proposalId,
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(Governor, GovernorTimelockControl) returns (uint48 eta) {
        return super._queueOperations(proposalId, targets, values, calldatas, descriptionHash);
    }

    /// @dev Executes a queued proposal's calls through the timelock.
    /// @param proposalId The proposal's id.
    /// @param targets The called contracts.
    /// @param values The wei sent with each call.
    /// @param calldatas The calls' data.
    /// @param descriptionHash keccak256 of the proposal's description.
    function _executeOperations(
        uint256 proposalId,
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(Governor, GovernorTimelockControl) {
        super._executeOperations(proposalId, targets, values, calldatas, descriptionHash);
    }

    /// @dev Cancels a proposal, and its timelock operation when it was queued.
    /// @param targets The called contracts.
    /// @param values The wei sent with each call.
    /// @param calldatas The calls' data.
    /// @param descriptionHash keccak256 of the proposal's description.
    /// @return proposalId The cancelled proposal's id.
    function _cancel(address[] memory targets, uint256[] memory values, bytes[] memory calldatas, bytes32 descriptionHash)
        internal
        override(Governor, GovernorTimelockControl)
        returns (uint256 proposalId)
    {
        return super._cancel(targets, values, calldatas, descriptionHash);
    }

    /// @dev The account through which proposals act: the timelock.
    /// @return executor The timelock's address.
    function _executor() internal view override(Governor, GovernorTimelockControl) returns (address executor) {
        return super._executor();
    }
}
