// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IModelRegistry} from "./interfaces/IModelRegistry.sol";

/// @title ModelRegistry
/// @notice Which diagnostic model versions may run (design.md §2.5). Stewards holding {PROPOSER_ROLE} record a
/// candidate version with the hashes of its ONNX file and model card; the stakeholders then vote on a Governor
/// proposal whose execution, through the timelock, approves it, and a later proposal retires it. The gateway runs a
/// file only while {isApproved} says so.
/// @dev "Proposed" means recorded here before the vote, not created by the Governor proposal: the hashes are then
/// on-chain state that voters and the governance page read while the vote runs, and the Governor proposal's calldata
/// is a readable `approve(modelId, version)` that cannot point at other hashes, since a recorded version never
/// changes. Proposing is role-gated rather than open because a key is the (model id, version) pair: an open
/// {propose} would let anyone squat a version string with wrong hashes before the steward does. The proposer role's
/// admin is the timelock alone, so governance adds and removes proposers. {approve} and {retire} check an immutable
/// timelock address rather than a role, so "only governance decides" is visible in the code and no grant can widen it.
/// Storage: two slots for the hashes and one packed slot for the state and three timestamps, so {approve} and
/// {retire} rewrite a single slot; the id and version strings live only in calldata and events, never in storage.
contract ModelRegistry is IModelRegistry, AccessControl {
    /// @notice Role allowed to call {propose}; its admin is `DEFAULT_ADMIN_ROLE`, held by the timelock alone.
    bytes32 public constant PROPOSER_ROLE = keccak256("PROPOSER_ROLE");

    /// @inheritdoc IModelRegistry
    address public immutable timelock;

    /// @dev Every version ever proposed, by key; the zero struct (state Unknown) for the rest.
    mapping(bytes32 key => ModelVersion modelVersion) private _versions;

    /// @dev Restricts a function to the governance timelock.
    modifier onlyTimelock() {
        if (msg.sender != timelock) revert ModelRegistryUnauthorizedCaller(msg.sender);
        _;
    }

    /// @notice Binds the registry to the governance timelock and names the first proposers.
    /// @param timelockAddress The TimelockController that executes Governor proposals; gets `DEFAULT_ADMIN_ROLE`
    /// (grants and revokes {PROPOSER_ROLE}) and is the only account that may approve or retire. Must not be zero.
    /// @param proposers Accounts given {PROPOSER_ROLE} at deployment (stewards, and the gateway that registers its
    /// bundled models); may be empty, leaving the grants to governance.
    constructor(address timelockAddress, address[] memory proposers) {
        if (timelockAddress == address(0)) revert ModelRegistryZeroTimelock();
        timelock = timelockAddress;
        _grantRole(DEFAULT_ADMIN_ROLE, timelockAddress);
        for (uint256 i = 0; i < proposers.length; ++i) {
            _grantRole(PROPOSER_ROLE, proposers[i]);
        }
    }

    /// @inheritdoc IModelRegistry
    function propose(string calldata modelId, string calldata version, bytes32 onnxSha256, bytes32 cardSha256)
        external
        onlyRole(PROPOSER_ROLE)
        returns (bytes32 key)
    {
        if (bytes(modelId).length == 0) revert ModelRegistryEmptyModelId();
        if (bytes(version).length == 0) revert ModelRegistryEmptyVersion();
        if (onnxSha256 == bytes32(0)) revert ModelRegistryZeroOnnxHash();
        if (cardSha256 == bytes32(0)) revert ModelRegistryZeroCardHash();
        key = _keyOf(modelId, version);
        ModelVersion storage stored = _versions[key];
        if (stored.state != ModelVersionState.Unknown) revert ModelRegistryAlreadyProposed(key);
        stored.onnxSha256 = onnxSha256;
        stored.cardSha256 = cardSha256;
        stored.state = ModelVersionState.Proposed;
        stored.proposedAt = uint64(block.timestamp);
        emit ModelVersionProposed(key, keccak256(bytes(modelId)), msg.sender, modelId, version, onnxSha256, cardSha256);
    }

    /// @inheritdoc IModelRegistry
    function approve(string calldata modelId, string calldata version) external onlyTimelock {
        bytes32 key = _keyOf(modelId, version);
        ModelVersion storage stored = _require(key, ModelVersionState.Proposed);
        // state and approvedAt share the packed slot: one write.
        stored.state = ModelVersionState.Approved;
        stored.approvedAt = uint64(block.timestamp);
        emit ModelVersionApproved(key, keccak256(bytes(modelId)), modelId, version, stored.onnxSha256, stored.cardSha256);
    }

    /// @inheritdoc IModelRegistry
    function retire(string calldata modelId, string calldata version) external onlyTimelock {
        bytes32 key = _keyOf(modelId, version);
        ModelVersion storage stored = _require(key, ModelVersionState.Approved);
        stored.state = ModelVersionState.Retired;
        stored.retiredAt = uint64(block.timestamp);
        emit ModelVersionRetired(key, keccak256(bytes(modelId)), modelId, version, stored.onnxSha256, stored.cardSha256);
    }

    /// @inheritdoc IModelRegistry
    function keyOf(string calldata modelId, string calldata version) external pure returns (bytes32 key) {
        return _keyOf(modelId, version);
    }

    /// @inheritdoc IModelRegistry
    function versionOf(bytes32 key) external view returns (ModelVersion memory modelVersion) {
        return _versions[key];
    }

    /// @inheritdoc IModelRegistry
    function stateOf(bytes32 key) external view returns (ModelVersionState state) {
        return _versions[key].state;
    }

    /// @inheritdoc IModelRegistry
    function isApproved(bytes32 key, bytes32 onnxSha256) external view returns (bool approved) {
        ModelVersion storage stored = _versions[key];
        // A zero hash never matches: proposals refuse it, and an unknown key's stored hash is zero.
        return stored.state == ModelVersionState.Approved && onnxSha256 != bytes32(0) && stored.onnxSha256 == onnxSha256;
    }

    /// @notice ERC-165 detection of {IModelRegistry} in addition to AccessControl's interfaces.
    /// @param interfaceId The ERC-165 interface identifier to test.
    /// @return supported True when this contract implements `interfaceId`.
    function supportsInterface(bytes4 interfaceId) public view override returns (bool supported) {
        return interfaceId == type(IModelRegistry).interfaceId || super.supportsInterface(interfaceId);
    }

    /// @dev `abi.encode`, not `encodePacked`: ("ab", "c") and ("a", "bc") must not share a key.
    /// @param modelId The model id.
    /// @param version The version string.
    /// @return key `keccak256(abi.encode(modelId, version))`.
    function _keyOf(string calldata modelId, string calldata version) private pure returns (bytes32 key) {
        return keccak256(abi.encode(modelId, version));
    }

    /// @dev The stored version under `key`, which must be in state `expected`.
    /// @param key The version's key.
    /// @param expected The state the caller needs.
    /// @return stored The version's storage.
    function _require(bytes32 key, ModelVersionState expected) private view returns (ModelVersion storage stored) {
        stored = _versions[key];
        ModelVersionState current = stored.state;
        if (current == ModelVersionState.Unknown) revert ModelRegistryUnknownVersion(key);
        if (current != expected) revert ModelRegistryUnexpectedState(key, current, expected);
    }
}
