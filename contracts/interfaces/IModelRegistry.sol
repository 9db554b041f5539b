// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title IModelRegistry
/// @notice The model versions the gateway may run (design.md §2.5). A version is a model id and a version string
/// bound to the SHA-256 of its ONNX file and of its model card. A steward records a candidate ({propose}); only the
/// governance timelock, i.e. an executed Governor proposal, approves it or later retires it. The gateway runs a
/// model file only while its version is approved and the file's SHA-256 is the recorded one.
/// @dev Custom errors follow `<Contract><Problem>(args)` (EIP-6093 style); events are in the past tense and
/// emitted right after the state change. A version's key is `keccak256(abi.encode(modelId, version))` ({keyOf}).
interface IModelRegistry {
    /// @notice Where a version is in its life. The order is the only order: Proposed → Approved → Retired, no way
    /// back; a version voted down simply stays Proposed and never runs.
    /// @dev `Unknown` is the zero value, so a key never proposed reads as Unknown.
    enum ModelVersionState {
        Unknown,
        Proposed,
        Approved,
        Retired
    }

    /// @notice One model version as recorded.
    /// @param onnxSha256 SHA-256 of the ONNX file's bytes.
    /// @param cardSha256 SHA-256 of the model card's bytes (its intended use, population, fairness notes, validation).
    /// @param state Where the version is in its life.
    /// @param proposedAt Block timestamp (Unix seconds) of {propose}.
    /// @param approvedAt Block timestamp of {approve}; 0 while not approved.
    /// @param retiredAt Block timestamp of {retire}; 0 while not retired.
    struct ModelVersion {
        bytes32 onnxSha256;
        bytes32 cardSha256;
        ModelVersionState state;
        uint64 proposedAt;
        uint64 approvedAt;
        uint64 retiredAt;
    }

    /// @notice No version with this key was ever proposed.
    /// @param key The version's key.
    error ModelRegistryUnknownVersion(bytes32 key);

    /// @notice This model id and version were proposed before; versions are immutable, so a changed file or card
    /// needs a new version string.
    /// @param key The version's key.
    error ModelRegistryAlreadyProposed(bytes32 key);

    /// @notice The version is not in the state the call needs: {approve} needs Proposed, {retire} needs Approved.
    /// @param key The version's key.
    /// @param current The version's state.
    /// @param expected The state the call needs.
    error ModelRegistryUnexpectedState(bytes32 key, ModelVersionState current, ModelVersionState expected);

    /// @notice The ONNX file hash is zero, which no SHA-256 digest of a real file is taken to be.
    error ModelRegistryZeroOnnxHash();

    /// @notice The model card hash is zero: every version must have a card.
    error ModelRegistryZeroCardHash();

    /// @notice The model id is the empty string.
    error ModelRegistryEmptyModelId();

    /// @notice The version is the empty string.
    error ModelRegistryEmptyVersion();

    /// @notice Only the governance timelock may approve or retire.
    /// @param caller The account that called.
    error ModelRegistryUnauthorizedCaller(address caller);

    /// @notice The constructor was given the zero address as timelock, which would freeze every version as Proposed.
    error ModelRegistryZeroTimelock();

    /// @notice A model version was recorded as a candidate.
    /// @param key `keccak256(abi.encode(modelId, version))`.
    /// @param modelIdHash `keccak256(bytes(modelId))`, so an indexer can follow one model's versions by topic.
    /// @param proposer The account that proposed it.
    /// @param modelId The model id, e.g. `egfr-ckd-epi`.
    /// @param version The version string, e.g. `2021`.
    /// @param onnxSha256 SHA-256 of the ONNX file.
    /// @param cardSha256 SHA-256 of the model card.
    event ModelVersionProposed(
        bytes32 indexed key,
        bytes32 indexed modelIdHash,
        address indexed proposer,
        string modelId,
        string version,
        bytes32 onnxSha256,
        bytes32 cardSha256
    );

    /// @notice A model version was approved by governance: from now on the gateway may run it.
    /// @param key `keccak256(abi.encode(modelId, version))`.
    /// @param modelIdHash `keccak256(bytes(modelId))`.
    /// @param modelId The model id.
    /// @param version The version string.
    /// @param onnxSha256 SHA-256 of the ONNX file that may now run.
    /// @param cardSha256 SHA-256 of the model card.
    event ModelVersionApproved(
        bytes32 indexed key,
        bytes32 indexed modelIdHash,
        string modelId,
        string version,
        bytes32 onnxSha256,
        bytes32 cardSha256
    );

    /// @notice A model version was retired by governance: from now on the gateway refuses to run it.
    /// @param key `keccak256(abi.encode(modelId, version))`.
    /// @param modelIdHash `keccak256(bytes(modelId))`.
    /// @param modelId The model id.
    /// @param version The version string.
    /// @param onnxSha256 SHA-256 of the ONNX file that may no longer run.
    /// @param cardSha256 SHA-256 of the model card.
    event ModelVersionRetired(
        bytes32 indexed key,
        bytes32 indexed modelIdHash,
        string modelId,
        string version,
        bytes32 onnxSha256,
        bytes32 cardSha256
    );

    /// @notice Records a model version as a candidate for approval. Only holders of the proposer role may call it.
    /// @dev Reverts with {ModelRegistryEmptyModelId}, {ModelRegistryEmptyVersion}, {ModelRegistryZeroOnnxHash},
    /// {ModelRegistryZeroCardHash} or {ModelRegistryAlreadyProposed}. Emits {ModelVersionProposed}.
    /// @param modelId The model id.
    /// @param version The version string.
    /// @param onnxSha256 SHA-256 of the ONNX file.
    /// @param cardSha256 SHA-256 of the model card.
    /// @return key The version's key.
    function propose(string calldata modelId, string calldata version, bytes32 onnxSha256, bytes32 cardSha256)
        external
        returns (bytes32 key);

    /// @notice Approves a proposed version. Only the timelock may call it. Approving a version does not retire any
    /// other version of the model: retiring is its own decision (one proposal may batch both).
    /// @dev Reverts with {ModelRegistryUnauthorizedCaller}, {ModelRegistryUnknownVersion} or
    /// {ModelRegistryUnexpectedState} (unless Proposed). Emits {ModelVersionApproved}.
    /// @param modelId The model id.
    /// @param version The version string.
    function approve(string calldata modelId, string calldata version) external;

    /// @notice Retires an approved version for good. Only the timelock may call it.
    /// @dev Reverts with {ModelRegistryUnauthorizedCaller}, {ModelRegistryUnknownVersion} or
    /// {ModelRegistryUnexpectedState} (unless Approved). Emits {ModelVersionRetired}.
    /// @param modelId The model id.
    /// @param version The version string.
    function retire(string calldata modelId, string calldata version) external;

    /// @notice The governance timelock, the only account that may approve or retire.
    /// @return timelockAddress The timelock's address.
    function timelock() external view returns (address timelockAddress);

    /// @notice The key of a model id and version: `keccak256(abi.encode(modelId, version))`.
    /// @param modelId The model id.
    /// @param version The version string.
    /// @return key The version's key.
    function keyOf(string calldata modelId, string calldata version) external pure returns (bytes32 key);

    /// @notice A version as recorded; all zero (state Unknown) for a key never proposed.
    /// @param key The version's key.
    /// @return modelVersion The recorded version.
    function versionOf(bytes32 key) external view returns (ModelVersion memory modelVersion);

    /// @notice The state of a version; Unknown for a key never proposed.
    /// @param key The version's key.
    /// @return state The version's state.
    function stateOf(bytes32 key) external view returns (ModelVersionState state);

    /// @notice Whether a file may run as this version: the version is approved (not retired) and `onnxSha256` is
    /// the SHA-256 recorded for it. The gateway's check before each inference, in one call.
    /// @param key The version's key.
    /// @param onnxSha256 SHA-256 of the ONNX file about to run.
    /// @return approved True when the file may run as this version.
    function isApproved(bytes32 key, bytes32 onnxSha256) external view returns (bool approved);
}
