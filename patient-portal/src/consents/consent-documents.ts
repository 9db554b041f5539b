/**
 * The GraphQL documents the portal sends for consents (gateway/src/consent/README.md "GraphQL"; the schema is
 * gateway/src/graphql/consent). Static text: every value travels in `variables`, never spliced into a document.
 * Drafts are mutations there, like the grants and revocations they prepare.
 */

const CONSENT_FIELDS = `fragment ConsentFields on Consent {
  id
  patientId
  grantee { id kind name reference }
  purpose
  compartments
  models
  notBefore
  notAfter
  status
  chainId
  grantTransaction
  grantBlock
  revokeTransaction
  revokeBlock
  fhirConsentId
}`;

export const CONSENT_DIRECTORY = `query ConsentDirectory {
  consentDirectory { id kind name reference }
}`;

export const DRAFT_CONSENT = `mutation DraftConsent($input: ConsentDraftInput!) {
  draftConsent(input: $input) { consentId typedData scope scopeHash releaseKey patientAddress notBefore notAfter deadline }
}`;

export const GRANT_CONSENT = `mutation GrantConsent($input: ConsentGrantInput!) {
  grantConsent(input: $input) { ...ConsentFields }
}
${CONSENT_FIELDS}`;

export const DRAFT_REVOCATION = `mutation DraftRevocation($consentId: String!) {
  draftRevocation(consentId: $consentId) { consentId typedData deadline }
}`;

export const REVOKE_CONSENT = `mutation RevokeConsent($input: ConsentRevokeInput!) {
  revokeConsent(input: $input) { ...ConsentFields }
}
${CONSENT_FIELDS}`;

export const MY_CONSENTS = `query MyConsents {
  myConsents { ...ConsentFields }
}
${CONSENT_FIELDS}`;

export const ACCESS_TIMELINE = `query AccessTimeline($limit: Int!) {
  accessTimeline(limit: $limit) { leafIndex at actor actorRole interaction resourceType outcome consentId purpose emergencyId model { id version sha256 } }
}`;

export const MY_AUDIT_PSEUDONYM = 'query MyAuditPseudonym { myAuditPseudonym }';

export const EMERGENCY_ACCESSES = `query EmergencyAccesses {
  emergencyAccesses { id patientId clinician reason declaredAt expiresAt transaction block active }
}`;

export const MODELS = `query Models {
  models { id version title kind sha256 latest intendedUse compartments }
}`;
