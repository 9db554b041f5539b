// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {IConsentRegistry} from "./interfaces/IConsentRegistry.sol";

/// @title ConsentRegistry
/// @notice The on-chain record of patients' consents (design.md §2.2). A consent is valid only with the patient's
/// EIP-712 signature; expiry and revocation are chain state, so every gateway and every verifier reads the same.
/// @dev Signatures are checked with SignatureChecker, so both plain accounts (ECDSA) and contract wallets
/// (ERC-1271) can be patients. Each grant and each signed revoke consumes the patient's nonce (OpenZeppelin
/// Nonces), which makes every signature single-use.
contract ConsentRegistry is IConsentRegistry, EIP712, Nonces {
    /// @notice EIP-712 type of a grant.
    bytes32 public constant GRANT_TYPEHASH = keccak256(
        "Grant(address patient,bytes32 grantee,bytes32 purpose,bytes32 scopeHash,uint64 notBefore,uint64 notAfter,uint256 nonce,uint256 deadline)"
    );

    /// @notice EIP-712 type of a revocation.
    bytes32 public constant REVOKE_TYPEHASH = keccak256("Revoke(bytes32 consentId,uint256 nonce,uint256 deadline)");

    mapping(bytes32 consentId => Consent) private _consents;

    constructor() EIP712("ConsentRegistry", "1") {}

    /// @inheritdoc IConsentRegistry
    function grantBySig(
        address patient,
        bytes32 grantee,
        bytes32 purpose,
        bytes32 scopeHash,
        uint64 notBefore,
        uint64 notAfter,
        uint256 deadline,
        bytes calldata signature
    ) external returns (bytes32 consentId) {
        if (block.timestamp > deadline) revert ConsentRegistryExpiredSignature(deadline);
        if (notAfter <= notBefore) revert ConsentRegistryInvalidWindow(notBefore, notAfter);
        if (patient == address(0)) revert ConsentRegistryZeroPatient();
        uint256 nonce = _useNonce(patient);
        bytes32 digest = _hashTypedDataV4(
            keccak256(abi.encode(GRANT_TYPEHASH, patient, grantee, purpose, scopeHash, notBefore, notAfter, nonce, deadline))
        );
        if (!SignatureChecker.isValidSignatureNow(patient, digest, signature)) revert ConsentRegistryInvalidSignature(patient);
        consentId = keccak256(abi.encode(patient, nonce));
        _consents[consentId] = Consent({
            patient: patient,
            notBefore: notBefore,
            revoked: false,
            grantee: grantee,
            purpose: purpose,
            scopeHash: scopeHash,
            notAfter: notAfter
        });
        emit ConsentGranted(consentId, patient, grantee, purpose, scopeHash, notBefore, notAfter);
    }

    /// @inheritdoc IConsentRegistry
    function revokeBySig(bytes32 consentId, uint256 deadline, bytes calldata signature) external {
        if (block.timestamp > deadline) revert ConsentRegistryExpiredSignature(deadline);
        Consent storage consent = _revocable(consentId);
        address patient = consent.patient;
        bytes32 digest = _hashTypedDataV4(keccak256(abi.encode(REVOKE_TYPEHASH, consentId, _useNonce(patient), deadline)));
        if (!SignatureChecker.isValidSignatureNow(patient, digest, signature)) revert ConsentRegistryInvalidSignature(patient);
        consent.revoked = true;
        emit ConsentRevoked(consentId, patient, consent.grantee);
    }

    /// @inheritdoc IConsentRegistry
    function revoke(bytes32 consentId) external {
        Consent storage consent = _revocable(consentId);
        if (msg.sender != consent.patient) revert ConsentRegistryNotPatient(consentId, msg.sender);
        consent.revoked = true;
        emit ConsentRevoked(consentId, consent.patient, consent.grantee);
    }

    /// @inheritdoc IConsentRegistry
    function isActive(bytes32 consentId) external view returns (bool) {
        Consent storage consent = _consents[consentId];
        return consent.patient != address(0) && !consent.revoked && consent.notBefore <= block.timestamp && block.timestamp < consent.notAfter;
    }

    /// @inheritdoc IConsentRegistry
    function consentOf(bytes32 consentId) external view returns (Consent memory) {
        return _consents[consentId];
    }

    /// @notice The EIP-712 domain separator (for wallets and verifiers).
    // solhint-disable-next-line func-name-mixedcase
    function DOMAIN_SEPARATOR() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    function _revocable(bytes32 consentId) private view returns (Consent storage consent) {
        consent = _consents[consentId];
        if (consent.patient == address(0)) revert ConsentRegistryUnknownConsent(consentId);
        if (consent.revoked) revert ConsentRegistryAlreadyRevoked(consentId);
    }
}
