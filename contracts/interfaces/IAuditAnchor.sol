// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title IAuditAnchor
/// @notice Anchors the tree heads of the gateway's append-only audit log: an RFC 9162 Merkle tree whose head is
/// its size (uint64, RFC 9162 §2.1.1) and its root hash (SHA-256, 32 bytes). Anchored sizes grow strictly, so a
/// verifier can check every pair of successive heads with an RFC 9162 §2.1.4 consistency proof.
/// @dev Custom errors follow `<Contract><Problem>(args)` (EIP-6093 style); events are in the past tense.
interface IAuditAnchor {
    /// @notice The proposed tree size is not larger than the latest anchored one.
    /// @param latestSize The size of the latest anchored head (0 before the first anchor).
    /// @param treeSize The size that was proposed.
    error AuditAnchorSizeNotGrowing(uint64 latestSize, uint64 treeSize);

    /// @notice The proposed root hash is zero, which no SHA-256 tree head can be.
    error AuditAnchorEmptyRoot();

    /// @notice The constructor was given the zero address as administrator, which would lock the roles forever.
    error AuditAnchorZeroAdmin();

    /// @notice A tree head was anchored.
    /// @param index Position of the head in anchoring order (0-based, gap-free), so verifiers can detect a missing log.
    /// @param treeSize Number of leaves in the audit log's Merkle tree (RFC 9162 §2.1.1).
    /// @param rootHash Merkle tree hash of those leaves (RFC 9162 §2.1.1).
    /// @param timestamp Block timestamp at which the head was anchored (seconds since the Unix epoch).
    event TreeHeadAnchored(uint256 indexed index, uint64 treeSize, bytes32 rootHash, uint64 timestamp);

    /// @notice Anchors a tree head. Only accounts holding the anchorer role may call it.
    /// @dev Reverts with {AuditAnchorSizeNotGrowing} unless `treeSize` exceeds the latest anchored size, and with
    /// {AuditAnchorEmptyRoot} when `rootHash` is zero. Emits {TreeHeadAnchored}.
    /// @param treeSize Number of leaves in the tree whose head is anchored.
    /// @param rootHash Merkle tree hash of the first `treeSize` leaves.
    /// @return index The index assigned to this head.
    function anchor(uint64 treeSize, bytes32 rootHash) external returns (uint256 index);

    /// @notice Number of heads anchored so far: the {TreeHeadAnchored} events carry indices `0 .. headCount() - 1`,
    /// so a verifier reading them from logs knows how many it must find.
    /// @return count The number of anchored heads.
    function headCount() external view returns (uint256 count);

    /// @notice The most recently anchored head, or `(0, 0)` when nothing has been anchored yet.
    /// @return treeSize Size of the latest anchored tree.
    /// @return rootHash Root hash of the latest anchored tree.
    function latestHead() external view returns (uint64 treeSize, bytes32 rootHash);

    /// @notice Block timestamp at which the latest head was anchored, or 0 when nothing has been anchored yet;
    /// lets a monitor notice that anchoring has stalled without reading logs.
    /// @return timestamp Seconds since the Unix epoch.
    function latestHeadTimestamp() external view returns (uint64 timestamp);

    /// @notice The root hash anchored for a tree of exactly `treeSize` leaves, or zero if no head of that size
    /// was anchored (zero roots are refused by {anchor}, so zero always means "not anchored").
    /// @param treeSize The tree size to look up.
    /// @return rootHash The anchored root hash, or zero.
    function rootAt(uint64 treeSize) external view returns (bytes32 rootHash);
}
