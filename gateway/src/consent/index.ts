// The consent module's public surface: the module, the services the transports (GraphQL, FHIR) call, and the
// shapes they present.
export { ConsentModule } from './consent.module.js';
export { ConsentService, type ConsentDraft, type ConsentDraftInput, type ConsentGrantInput, type ConsentRevokeInput } from './consent.service.js';
export { EmergencyAccessService, type EmergencyAccessView, DEFAULT_EMERGENCY_MINUTES } from './emergency-access.service.js';
export { ConsentView, type ConsentRow } from './consent-view.js';
export { ConsentDirectory, type Grantee } from './consent-directory.js';
export { consentStatus, fhirConsentId, toFhirConsent } from './consent-fhir.js';
export { ConsentProjection } from './consent-projection.js';
export { ConsentAccessGrants, type DiagnosisGrant, DIAGNOSIS_PURPOSE } from './consent-access.grants.js';
