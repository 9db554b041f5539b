// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IAuditAnchor} from "./interfaces/IAuditAnchor.sol";

/// @title AuditAnchor
/// @notice Public, append-only record of the audit log's RFC 9162 tree heads. The gateway anchors a head
/// periodically; regulators compare the log they are given against these heads (inclusion and consistency
/// proofs, RFC 9162 §2.1.3 and §2.1.4) without trusting the gateway. No health data is ever stored here.
/// @dev Lean layout, two storage writes per anchor: the latest head's size, the head count and the anchoring
/// time share one packed slot (read once and rewritten once), and each root takes a fresh slot keyed by its size
/// (O(1) {rootAt}). The sequence of heads lives in the {TreeHeadAnchored} events, whose gap-free `index` lets
/// verifiers read and check it from logs; no on-chain index-to-head view is kept, as it would cost a third
/// write (a packed array of sizes) on every anchor.
contract AuditAnchor is IAuditAnchor, AccessControl {
    /// @notice Role allowed to call {anchor}; granted and revoked by holders of `DEFAULT_ADMIN_ROLE`.
    bytes32 public constant ANCHORER_ROLE = keccak256("ANCHORER_ROLE");

    /// @dev Bit offset of the head count in {_latest}; the latest tree size takes bits 0..63.
    uint256 private constant _COUNT_SHIFT = 64;

    /// @dev Bit offset of the latest anchoring time in {_latest}; bits 192..255 stay zero.
    uint256 private constant _TIMESTAMP_SHIFT = 128;

    /// @dev Three uint64 in one slot: the latest anchored tree size (bits 0..63, 0 before the first anchor), the
    /// number of heads anchored so far, which is also the next head's index (bits 64..127), and the block
    /// timestamp of the latest anchor (bits 128..191, 0 before the first anchor). Packed by hand rather than as a
    /// struct so that {anchor} reads the slot once and writes it once (a struct costs ~150 gas more with the
    /// legacy code generator).
    uint256 private _latest;

    /// @dev Root hash anchored for each anchored tree size; zero for sizes never anchored.
    mapping(uint64 treeSize => bytes32 rootHash) private _rootHashes;

    /// @notice Sets up the roles.
    /// @param admin Account given `DEFAULT_ADMIN_ROLE` (may grant and revoke {ANCHORER_ROLE}); must not be zero.
    /// @param anchorer Account given {ANCHORER_ROLE} at deployment, or the zero address to grant it later.
    constructor(address admin, address anchorer) {
        if (admin == address(0)) revert AuditAnchorZeroAdmin();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        if (anchorer != address(0)) _grantRole(ANCHORER_ROLE, anchorer);
    }

    /// @inheritdoc IAuditAnchor
    function anchor(uint64 treeSize, bytes32 rootHash) external onlyRole(ANCHORER_ROLE) returns (uint256 index) {
        uint256 latest = _latest;
        uint64 latestSize = uint64(latest);
        uint64 count = uint64(latest >> _COUNT_SHIFT);
        // Strictly growing sizes: an append-only log never shrinks, and an equal size would either repeat a head
        // or fork it (two roots for one size), which RFC 9162 §2.1.4 consistency rules out.
        if (treeSize <= latestSize) revert AuditAnchorSizeNotGrowing(latestSize, treeSize);
        if (rootHash == bytes32(0)) revert AuditAnchorEmptyRoot();
        index = count;
        // Each anchor grows the size by at least one from zero, so count <= latestSize < treeSize and count + 1
        // fits in uint64; block.timestamp fits in uint64 for ~584 billion years, so no field spills into the next.
        unchecked {
            _latest = uint256(treeSize) | (uint256(count + 1) << _COUNT_SHIFT) | (block.timestamp << _TIMESTAMP_SHIFT);
        }
        _rootHashes[treeSize] = rootHash;
        emit TreeHeadAnchored(index, treeSize, rootHash, uint64(block.timestamp));
    }

    /// @inheritdoc IAuditAnchor
    function headCount() external view returns (uint256 count) {
        return uint64(_latest >> _COUNT_SHIFT);
    }

    /// @inheritdoc IAuditAnchor
    function latestHead() external view returns (uint64 treeSize, bytes32 rootHash) {
        treeSize = uint64(_latest);
        // Before the first anchor treeSize is 0, and no root is ever stored under size 0 (sizes start at 1).
        rootHash = _rootHashes[treeSize];
    }

    /// @inheritdoc IAuditAnchor
    function latestHeadTimestamp() external view returns (uint64 timestamp) {
        return uint64(_latest >> _TIMESTAMP_SHIFT);
    }

    /// @inheritdoc IAuditAnchor
    function rootAt(uint64 treeSize) external view returns (bytes32 rootHash) {
        return _rootHashes[treeSize];
    }

    /// @notice ERC-165 detection of {IAuditAnchor} in addition to AccessControl's interfaces.
    /// @param interfaceId The ERC-165 interface identifier to test.
    /// @return supported True when this contract implements `interfaceId`.
    function supportsInterface(bytes4 interfaceId) public view override returns (bool supported) {
        return interfaceId == type(IAuditAnchor).interfaceId || super.supportsInterface(interfaceId);
    }
}
