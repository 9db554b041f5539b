// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {IConsentRegistry} from "./interfaces/IConsentRegistry.sol";

/// @title ConsentRegistry
/// @notice The on-chain record of patients' consents (design.md §2.2). A consent is valid only with the patient's
/// EIP-712 signature; expiry and revocation are chain state, so every gateway and every verifier reads the same.
/// @dev Signatures are checked with SignatureChecker, so both plain accounts (ECDSA) and contract wallets
/// (ERC-1271) can be patients. Each grant and each signed revoke consumes the patient's nonce (OpenZeppelin
/// Nonces), which makes every signature single-use. Break-glass accesses ({recordEmergencyAccess}) need no
/// signature from the patient at the time (the patient is, by definition, not available): they rest on the
/// patient's earlier, signed EMERGENCY consent, and only {EMERGENCY_RECORDER_ROLE} (the gateway) may record them
/// (OpenZeppelin AccessControl; `DEFAULT_ADMIN_ROLE` grants and revokes the role).
contract ConsentRegistry is IConsentRegistry, EIP712, Nonces, AccessControl {
    /// @notice EIP-712 type of a grant.
    bytes32 public constant GRANT_TYPEHASH = keccak256(
        "Grant(address patient,bytes32 grantee,bytes32 purpose,bytes32 scopeHash,uint64 notBefore,uint64 notAfter,uint256 nonce,uint256 deadline)"
    );

    /// @notice EIP-712 type of a revocation.
    bytes32 public constant REVOKE_TYPEHASH = keccak256("Revoke(bytes32 consentId,uint256 nonce,uint256 deadline)");

    /// @notice Role allowed to call {recordEmergencyAccess}; granted and revoked by holders of `DEFAULT_ADMIN_ROLE`.
    bytes32 public constant EMERGENCY_RECORDER_ROLE = keccak256("EMERGENCY_RECORDER_ROLE");

    /// @notice The purpose of a patient's standing break-glass consent: "EMERGENCY" as a bytes32 string.
    bytes32 public constant EMERGENCY_PURPOSE = bytes32("EMERGENCY");

    /// @notice The longest a break-glass access may last; a longer need is declared again (with a new reason).
    uint64 public constant MAX_EMERGENCY_DURATION = 24 hours;

    /// @dev Every consent granted, by id (keccak256(abi.encode(patient, nonce))).
    mapping(bytes32 consentId => Consent) private _consents;

    /// @dev Every break-glass access recorded, by id.
    mapping(bytes32 accessId => EmergencyAccess) private _emergencyAccesses;

    /// @dev Number of break-glass accesses recorded so far; part of each access id, so ids never repeat.
    uint256 private _emergencyCount;

    /// @notice Sets up the EIP-712 domain and the roles.
    /// @param admin Account given `DEFAULT_ADMIN_ROLE` (may grant and revoke {EMERGENCY_RECORDER_ROLE}); not zero.
    /// @param emergencyRecorder Account given {EMERGENCY_RECORDER_ROLE} at deployment (the gateway's signer), or the
    /// zero address to grant it later.
    constructor(address admin, address emergencyRecorder) EIP712("ConsentRegistry", "1") {
        if (admin == address(0)) revert ConsentRegistryZeroAdmin();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        if (emergencyRecorder != address(0)) _grantRole(EMERGENCY_RECORDER_ROLE, emergencyRecorder);
    }

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
    function recordEmergencyAccess(bytes32 consentId, bytes32 grantee, bytes32 reasonHash, uint64 notAfter)
        external
        onlyRole(EMERGENCY_RECORDER_ROLE)
        returns (bytes32 accessId)
    {
        if (grantee == bytes32(0)) revert ConsentRegistryZeroGrantee();
        if (reasonHash == bytes32(0)) revert ConsentRegistryEmptyReason();
        Consent storage consent = _consents[consentId];
        address patient = consent.patient;
        if (patient == address(0)) revert ConsentRegistryUnknownConsent(consentId);
        if (consent.purpose != EMERGENCY_PURPOSE) revert ConsentRegistryNotEmergencyConsent(consentId);
        if (!_isActive(consent)) revert ConsentRegistryInactiveConsent(consentId);
        // The access never outlives the patient's standing permission, nor a day: break-glass is for the moment.
        uint64 consentEnd = consent.notAfter;
        uint64 dayEnd = uint64(block.timestamp) + MAX_EMERGENCY_DURATION;
        uint64 maxNotAfter = consentEnd < dayEnd ? consentEnd : dayEnd;
        if (notAfter <= block.timestamp || notAfter > maxNotAfter) revert ConsentRegistryInvalidEmergencyWindow(notAfter, maxNotAfter);
        accessId = keccak256(abi.encode(consentId, grantee, reasonHash, block.timestamp, _emergencyCount++));
        _emergencyAccesses[accessId] = EmergencyAccess({
            consentId: consentId,
            grantee: grantee,
            reasonHash: reasonHash,
            declaredAt: uint64(block.timestamp),
            notAfter: notAfter
        });
        emit EmergencyAccessRecorded(accessId, patient, grantee, consentId, reasonHash, notAfter);
    }

    /// @inheritdoc IConsentRegistry
    function isActive(bytes32 consentId) external view returns (bool) {
        return _isActive(_consents[consentId]);
    }

    /// @inheritdoc IConsentRegistry
    function consentOf(bytes32 consentId) external view returns (Consent memory) {
        return _consents[consentId];
    }

    /// @inheritdoc IConsentRegistry
    function emergencyAccessOf(bytes32 accessId) external view returns (EmergencyAccess memory) {
        return _emergencyAccesses[accessId];
    }

    /// @inheritdoc IConsentRegistry
    function isEmergencyAccessActive(bytes32 accessId) external view returns (bool) {
        EmergencyAccess storage access = _emergencyAccesses[accessId];
        return access.declaredAt != 0 && block.timestamp < access.notAfter && _isActive(_consents[access.consentId]);
    }

    /// @notice ERC-165 detection of {IConsentRegistry} in addition to AccessControl's interfaces.
    /// @param interfaceId The ERC-165 interface identifier to test.
    /// @return supported True when this contract implements `interfaceId`.
    function supportsInterface(bytes4 interfaceId) public view override returns (bool supported) {
        return interfaceId == type(IConsentRegistry).interfaceId || super.supportsInterface(interfaceId);
    }

    /// @notice The EIP-712 domain separator (for wallets and verifiers).
    // solhint-disable-next-line func-name-mixedcase
    function DOMAIN_SEPARATOR() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    /// @dev Whether `consent` exists, is not revoked and `notBefore <= block.timestamp < notAfter`.
    function _isActive(Consent storage consent) private view returns (bool) {
        return consent.patient != address(0) && !consent.revoked && consent.notBefore <= block.timestamp && block.timestamp < consent.notAfter;
    }

    /// @dev The consent to revoke; reverts when it does not exist or is already revoked.
    function _revocable(bytes32 consentId) private view returns (Consent storage consent) {
        consent = _consents[consentId];
        if (consent.patient == address(0)) revert ConsentRegistryUnknownConsent(consentId);
        if (consent.revoked) revert ConsentRegistryAlreadyRevoked(consentId);
    }
}
