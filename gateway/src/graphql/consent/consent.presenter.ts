import type { AccessEvent } from '../../audit/audit-log.js';
import type { ConsentDirectory, ConsentRow, EmergencyAccessView } from '../../consent/index.js';
import { consentStatus } from '../../consent/index.js';
import { parseScope } from '../../crypto/index.js';
import type { AccessEventModel, ConsentModel, EmergencyAccessModel } from './consent.models.js';

/** A consent row as the GraphQL `Consent` type. */
export function presentConsent(row: ConsentRow, directory: ConsentDirectory, chainId: number, now = Math.floor(Date.now() / 1000)): ConsentModel {
  const scope = parseScope(row.scopeJson);
  const grantee = directory.get(row.grantee) ?? { id: row.grantee, kind: 'clinician', name: row.granteeName, reference: row.granteeRef };
  return {
    id: row.consentId,
    patientId: row.patientId,
    grantee: { ...grantee },
    purpose: row.purpose,
    compartments: [...scope.compartments],
    models: [...scope.models],
    notBefore: new Date(row.notBefore * 1000).toISOString(),
    notAfter: new Date(row.notAfter * 1000).toISOString(),
    status: consentStatus(row, now),
    chainId,
    grantTransaction: row.grantTx,
    grantBlock: row.grantBlock,
    revokeTransaction: row.revokeTx,
    revokeBlock: row.revokeBlock,
    fhirConsentId: row.fhirConsentId,
  };
}

export function presentAccessEvent(event: AccessEvent): AccessEventModel {
  return {
    leafIndex: event.leafIndex,
    at: event.at.toISOString(),
    actor: event.actorName,
    actorRole: event.actorRole,
    interaction: event.interaction,
    resourceType: event.resourceType,
    outcome: event.outcome,
    consentId: event.consentId,
    purpose: event.purpose,
    emergencyId: event.emergencyId,
    model: event.model ? { id: event.model.id, version: event.model.version, sha256: event.model.sha256 } : null,
  };
}

export function presentEmergency(view: EmergencyAccessView): EmergencyAccessModel {
  return { ...view, declaredAt: view.declaredAt.toISOString(), expiresAt: view.expiresAt.toISOString() };
}
