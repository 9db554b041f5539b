// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title IConsentRegistry
/// @notice Patients' consents to let a grantee use their records for a purpose, signed by the patient (EIP-712)
/// and relayed by anyone (the gateway), so patients need no gas. Only pseudonymous values are stored: the patient's
/// address, hashes of the grantee (issuer and subject), of the purpose code and of the canonical scope JSON.
/// @dev Custom errors follow `<Contract><Problem>(args)` (EIP-6093 style); events are in the past tense and
/// emitted right after the state change.
interface IConsentRegistry {
    /// @notice One consent as recorded.
    /// @param patient The patient's address (their on-chain pseudonym, from their own key).
    /// @param notBefore First second (Unix) at which the consent is active.
    /// @param revoked Whether the patient revoked it.
    /// @param grantee keccak256 of the grantee's identity (issuer and subject), never the identity itself.
    /// @param purpose keccak256 of the purpose code (e.g. "TREATMENT", "DIAGNOSIS").
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
    function revoke(bytes32 consentId) external;

    /// @notice Whether the consent exists, is not revoked and `notBefore <= block.timestamp < notAfter`.
    function isActive(bytes32 consentId) external view returns (bool);

    /// @notice The recorded consent (all zero for an unknown id).
    function consentOf(bytes32 consentId) external view returns (Consent memory);
}
