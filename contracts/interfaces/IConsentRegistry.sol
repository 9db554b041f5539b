// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title IConsentRegistry
/// @notice Patients' consents to let a grantee use their records for a purpose, signed by the patient (EIP-712)
/// and relayed by anyone (the gateway), so patients need no gas; and the break-glass accesses that clinicians
/// declare under a patient's standing EMERGENCY consent, recorded by the gateway. Only pseudonymous values are
/// stored: the patient's address, hashes of the grantee (issuer and subject) and of the canonical scope JSON, the
/// purpose code, and the hash of an emergency's reason.
/// @dev Custom errors follow `<Contract><Problem>(args)` (EIP-6093 style); events are in the past tense and
/// emitted right after the state change.
interface IConsentRegistry {
    /// @notice One consent as recorded.
    /// @param patient The patient's address (their on-chain pseudonym, from their own key).
    /// @param notBefore First second (Unix) at which the consent is active.
    /// @param revoked Whether the patient revoked it.
    /// @param grantee keccak256 of the grantee's identity (issuer and subject), never the identity itself.
    /// @param purpose The purpose code as a left-aligned, zero-padded ASCII bytes32 (ethers `encodeBytes32String`):
    /// TREATMENT, DIAGNOSIS, RESEARCH or EMERGENCY (the patient's standing permission for break-glass access).
    /// @param scopeHash SHA-256 of the RFC 8785 canonical JSON of the scope (compartments, models, types).
    /// @param notAfter First second (Unix) at which the consent is no longer active.
    struct Consent {
        address patient;
        uint64 notBefore;
        bool revoked;
        bytes32 grantee;
        bytes32 purpose;
        bytes32 scopeHash;
        uint64 notAfter;
    }

    /// @notice One break-glass access as recorded by {recordEmergencyAccess}.
    /// @param consentId The patient's standing EMERGENCY consent it was declared under (its patient is the patient).
    /// @param grantee keccak256 of the declaring clinician's identity (issuer and subject).
    /// @param reasonHash Hash of the reason the clinician gave (the reason itself stays off-chain, sealed).
    /// @param declaredAt Block timestamp (Unix seconds) of the declaration.
    /// @param notAfter First second (Unix) at which the access is over.
    struct EmergencyAccess {
        bytes32 consentId;
        bytes32 grantee;
        bytes32 reasonHash;
        uint64 declaredAt;
        uint64 notAfter;
    }

    /// @notice The signature is not the patient's over this request (wrong signer, altered fields or used nonce).
    error ConsentRegistryInvalidSignature(address patient);

    /// @notice The signed request's deadline has passed.
    error ConsentRegistryExpiredSignature(uint256 deadline);

    /// @notice The validity window is empty or inverted (`notAfter` must be after `notBefore`).
    error ConsentRegistryInvalidWindow(uint64 notBefore, uint64 notAfter);

    /// @notice The patient address is zero.
    error ConsentRegistryZeroPatient();

    /// @notice No consent has this id.
    error ConsentRegistryUnknownConsent(bytes32 consentId);

    /// @notice The consent was already revoked.
    error ConsentRegistryAlreadyRevoked(bytes32 consentId);

    /// @notice Only the consent's patient may revoke it directly.
    error ConsentRegistryNotPatient(bytes32 consentId, address caller);

    /// @notice The constructor was given the zero address as administrator, which would lock the roles forever.
    error ConsentRegistryZeroAdmin();

    /// @notice A break-glass access was declared under a consent whose purpose is not EMERGENCY.
    error ConsentRegistryNotEmergencyConsent(bytes32 consentId);

    /// @notice A break-glass access was declared under a consent that is revoked, not yet valid or expired.
    error ConsentRegistryInactiveConsent(bytes32 consentId);

    /// @notice A break-glass access must end after now and no later than `maxNotAfter`: the earlier of now plus
    /// the maximum emergency duration and the end of the consent it was declared under.
    error ConsentRegistryInvalidEmergencyWindow(uint64 notAfter, uint64 maxNotAfter);

    /// @notice A break-glass access names no clinician (zero grantee).
    error ConsentRegistryZeroGrantee();

    /// @notice A break-glass access gives no reason (zero reason hash).
    error ConsentRegistryEmptyReason();

    /// @notice A consent was granted.
    event ConsentGranted(
        bytes32 indexed consentId,
        address indexed patient,
        bytes32 indexed grantee,
        bytes32 purpose,
        bytes32 scopeHash,
        uint64 notBefore,
        uint64 notAfter
    );

    /// @notice A consent was revoked.
    event ConsentRevoked(bytes32 indexed consentId, address indexed patient, bytes32 indexed grantee);

    /// @notice A clinician's break-glass access to a patient's records was recorded.
    /// @param accessId Id of the access (see {recordEmergencyAccess}).
    /// @param patient The patient whose records are accessed.
    /// @param grantee keccak256 of the declaring clinician's identity.
    /// @param consentId The patient's EMERGENCY consent the access was declared under.
    /// @param reasonHash Hash of the reason given.
    /// @param notAfter First second (Unix) at which the access is over.
    event EmergencyAccessRecorded(
        bytes32 indexed accessId,
        address indexed patient,
        bytes32 indexed grantee,
        bytes32 consentId,
        bytes32 reasonHash,
        uint64 notAfter
    );

    /// @notice Records a consent signed by `patient` (EIP-712 `Grant`, with the patient's current nonce).
    /// @dev Reverts with {ConsentRegistryExpiredSignature}, {ConsentRegistryInvalidWindow},
    /// {ConsentRegistryZeroPatient} or {ConsentRegistryInvalidSignature}. Emits {ConsentGranted}.
    /// @return consentId keccak256(abi.encode(patient, nonce)): computable before submission.
    function grantBySig(
        address patient,
        bytes32 grantee,
        bytes32 purpose,
        bytes32 scopeHash,
        uint64 notBefore,
        uint64 notAfter,
        uint256 deadline,
        bytes calldata signature
    ) external returns (bytes32 consentId);

    /// @notice Revokes a consent on the patient's signature (EIP-712 `Revoke`, with the patient's current nonce).
    /// @dev Reverts with {ConsentRegistryExpiredSignature}, {ConsentRegistryUnknownConsent},
    /// {ConsentRegistryAlreadyRevoked} or {ConsentRegistryInvalidSignature}. Emits {ConsentRevoked}.
    function revokeBySig(bytes32 consentId, uint256 deadline, bytes calldata signature) external;

    /// @notice Revokes a consent from the patient's own account (for patients with a wallet and gas).
    /// @dev Reverts with {ConsentRegistryUnknownConsent}, {ConsentRegistryAlreadyRevoked} or
    /// {ConsentRegistryNotPatient}. Emits {ConsentRevoked}.
    function revoke(bytes32 consentId) external;

    /// @notice Records a clinician's break-glass access under the patient's standing EMERGENCY consent, whose
    /// grantee is the realm-wide "any clinician" id while `grantee` names the one clinician who declares it.
    /// Only the emergency recorder (the gateway, after authenticating the clinician) may call it.
    /// @dev Reverts with {ConsentRegistryZeroGrantee}, {ConsentRegistryEmptyReason},
    /// {ConsentRegistryUnknownConsent}, {ConsentRegistryNotEmergencyConsent}, {ConsentRegistryInactiveConsent} or
    /// {ConsentRegistryInvalidEmergencyWindow}; other callers get AccessControl's
    /// `AccessControlUnauthorizedAccount(account, role)`. Emits {EmergencyAccessRecorded}.
    /// @param consentId The patient's active consent with purpose EMERGENCY.
    /// @param grantee keccak256 of the declaring clinician's identity (issuer and subject).
    /// @param reasonHash Hash of the reason the clinician gave.
    /// @param notAfter End of the access: after now, at most the maximum emergency duration from now, and no
    /// later than the consent's own end.
    /// @return accessId keccak256(abi.encode(consentId, grantee, reasonHash, block.timestamp, counter)), where the
    /// counter counts every access recorded before, so ids never repeat.
    function recordEmergencyAccess(bytes32 consentId, bytes32 grantee, bytes32 reasonHash, uint64 notAfter) external returns (bytes32 accessId);

    /// @notice Whether the consent exists, is not revoked and `notBefore <= block.timestamp < notAfter`.
    function isActive(bytes32 consentId) external view returns (bool);

    /// @notice The recorded consent (all zero for an unknown id).
    function consentOf(bytes32 consentId) external view returns (Consent memory);

    /// @notice The recorded break-glass access (all zero for an unknown id).
    function emergencyAccessOf(bytes32 accessId) external view returns (EmergencyAccess memory);

    /// @notice Whether the break-glass access exists, has not ended (`block.timestamp < notAfter`) and the
    /// EMERGENCY consent it was declared under is still active (a revocation ends its accesses too).
    function isEmergencyAccessActive(bytes32 accessId) external view returns (bool);
}
