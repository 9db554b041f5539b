import type { AuditEntry } from '../audit-entry.js';

/** `AuditEvent.id` of leaf `leafIndex`. */
export const auditEventId = (leafIndex: number): string => `audit-${leafIndex}`;

/** The leaf index an `AuditEvent.id` names, or undefined when it is not one of ours. */
export function leafIndexOf(id: string): number | undefined {
  const match = /^audit-(0|[1-9]\d{0,15})$/.exec(id);
  const index = match ? Number(match[1]) : NaN;
  return Number.isSafeInteger(index) ? index : undefined;
}

const DCM = 'http://dicom.nema.org/resources/ontology/DCM';
const EVENT_TYPE = 'http://terminology.hl7.org/CodeSystem/audit-event-type';
const RESTFUL = 'http://hl7.org/fhir/restful-interaction';
const ENTITY_TYPE = 'http://terminology.hl7.org/CodeSystem/audit-entity-type';
const OBJECT_ROLE = 'http://terminology.hl7.org/CodeSystem/object-role';
const ACT_REASON = 'http://terminology.hl7.org/CodeSystem/v3-ActReason';
/** The gateway's own purpose codes, as the Consent projection names them (consent-fhir.ts). */
const PURPOSE_SYSTEM = 'https://fhir-gateway.dev/fhir/CodeSystem/consent-purpose';
/** The log's own action vocabulary ({@link AUDIT_ACTIONS}), kept as a subtype so nothing of the entry is lost. */
export const ACTION_SYSTEM = 'urn:fhir-gateway:audit-action';
export const ACTOR_SYSTEM = 'urn:fhir-gateway:actor';
export const PSEUDONYM_SYSTEM = 'urn:fhir-gateway:patient-pseudonym';
export const LOG_SYSTEM = 'urn:fhir-gateway:audit-log';

/**
 * Actions that are FHIR RESTful interactions (FHIR R4 AuditEvent "rest" type with a restful-interaction
 * subtype, auditevent.html#6.4.4.1): the log's `history` is always of one instance, its `search` of one type, and
 * `$diagnose` is an operation.
 */
const RESTFUL_INTERACTION: Readonly<Record<string, string>> = {
  read: 'read',
  vread: 'vread',
  history: 'history-instance',
  search: 'search-type',
  create: 'create',
  update: 'update',
  delete: 'delete',
  diagnose: 'operation',
};

/** FHIR R4 AuditEventAction: C create, R read/view/print/query, U update, D delete, E execute (everything else). */
const ACTION_CODE: Readonly<Record<string, string>> = { create: 'C', read: 'R', vread: 'R', history: 'R', search: 'R', update: 'U', delete: 'D' };

/**
 * HL7 v3 ActReason (PurposeOfUse) for each consent purpose: TREATMENT → TREAT, EMERGENCY → ETREAT, RESEARCH →
 * HRESCH as the Consent projection maps them; DIAGNOSIS → TREAT too, since v3 has no narrower code for diagnostic
 * decision support and it serves the patient's treatment.
 */
const V3_PURPOSE: Readonly<Record<string, { code: string; display: string }>> = {
  TREATMENT: { code: 'TREAT', display: 'treatment' },
  DIAGNOSIS: { code: 'TREAT', display: 'treatment' },
  EMERGENCY: { code: 'ETREAT', display: 'Emergency Treatment' },
  RESEARCH: { code: 'HRESCH', display: 'healthcare research' },
};

type Detail = { type: string; valueString: string };

/**
 * The FHIR R4 AuditEvent projection of one log entry (auditevent.html). Everything comes from the entry, its leaf
 * index and leaf hash; nothing from the clinical store. The mapping:
 * - `type`: `rest` (audit-event-type) for RESTful interactions and `$diagnose`, with the restful-interaction
 *   subtype; DICOM 110100 Application Activity for consent decisions, key releases, break-glass and feedback.
 *   Every event also carries the log's own action as a subtype ({@link ACTION_SYSTEM}).
 * - `action` C/R/U/D/E; `recorded` = entry.at; `outcome` 0 (success) when allowed, 4 (minor failure) when denied,
 *   with the denial's reason code as `outcomeDesc`.
 * - `agent[0]`: the actor pseudonym (the grantee id consents name on-chain) as identifier, requestor, the realm
 *   role as text. `source.observer`: the gateway.
 * - `purposeOfEvent`: the consent's purpose (the gateway's code and the v3 ActReason, see {@link V3_PURPOSE}).
 * - `entity`: the patient pseudonym (role Patient); the consent and break-glass ids (on-chain, `urn:ethereum`);
 *   the model (`id@version`, detail sha256); the diagnosis (details input/output/explanation sha256); and the log
 *   entry itself (details leafIndex and leafHash), which links the event to its inclusion proof.
 */
export function toAuditEvent(entry: AuditEntry, leafHash: string): Record<string, unknown> {
  const restful = RESTFUL_INTERACTION[entry.action];
  const purpose = entry.purpose !== undefined ? V3_PURPOSE[entry.purpose] : undefined;
  const entities: Record<string, unknown>[] = [];
  if (entry.patient !== undefined) {
    entities.push({
      what: { identifier: { system: PSEUDONYM_SYSTEM, value: entry.patient } },
      type: { system: ENTITY_TYPE, code: '1', display: 'Person' },
      role: { system: OBJECT_ROLE, code: '1', display: 'Patient' },
    });
  }
  if (entry.consent !== undefined) entities.push({ what: { identifier: { system: 'urn:ethereum', value: entry.consent } }, type: systemObject(), name: 'consent' });
  if (entry.emergency !== undefined) entities.push({ what: { identifier: { system: 'urn:ethereum', value: entry.emergency } }, type: systemObject(), name: 'break-glass access' });
  if (entry.model !== undefined) {
    entities.push({ what: { identifier: { system: 'urn:fhir-gateway:model', value: `${entry.model.id}@${entry.model.version}` } }, type: systemObject(), name: 'model', detail: [{ type: 'sha256', valueString: entry.model.sha256 }] });
  }
  const hashes: Detail[] = [
    ...(entry.inputs ?? []).map((sha256) => ({ type: 'input-sha256', valueString: sha256 })),
    ...(entry.output !== undefined ? [{ type: 'output-sha256', valueString: entry.output }] : []),
    ...(entry.explanation !== undefined ? [{ type: 'explanation-sha256', valueString: entry.explanation }] : []),
  ];
  if (entry.result !== undefined || hashes.length > 0) {
    entities.push({ ...(entry.result !== undefined ? { what: { identifier: { system: 'urn:fhir-gateway:diagnosis', value: entry.result } } } : {}), type: systemObject(), name: 'diagnosis', ...(hashes.length > 0 ? { detail: hashes } : {}) });
  }
  const about: Detail[] = [
    { type: 'leafIndex', valueString: String(entry.seq) },
    { type: 'leafHash', valueString: leafHash },
    ...(entry.resourceType !== undefined ? [{ type: 'resourceType', valueString: entry.resourceType }] : []),
    ...(entry.compartment !== undefined ? [{ type: 'compartment', valueString: entry.compartment }] : []),
  ];
  entities.push({ what: { identifier: { system: LOG_SYSTEM, value: String(entry.seq) } }, type: systemObject(), name: 'audit log entry', detail: about });
  return {
    resourceType: 'AuditEvent',
    id: auditEventId(entry.seq),
    type: restful ? { system: EVENT_TYPE, code: 'rest', display: 'RESTful Operation' } : { system: DCM, code: '110100', display: 'Application Activity' },
    subtype: [...(restful ? [{ system: RESTFUL, code: restful }] : []), { system: ACTION_SYSTEM, code: entry.action }],
    action: ACTION_CODE[entry.action] ?? 'E',
    recorded: entry.at,
    outcome: entry.outcome === 'allowed' ? '0' : '4',
    ...(entry.reason !== undefined ? { outcomeDesc: entry.reason } : {}),
    ...(entry.purpose !== undefined
      ? { purposeOfEvent: [{ coding: [{ system: PURPOSE_SYSTEM, code: entry.purpose }, ...(purpose ? [{ system: ACT_REASON, ...purpose }] : [])] }] }
      : {}),
    agent: [{ who: { identifier: { system: ACTOR_SYSTEM, value: entry.actor } }, requestor: true, role: [{ text: entry.role }] }],
    source: { observer: { display: 'fhir-gateway' } },
    entity: entities,
  };
}

function systemObject(): { system: string; code: string; display: string } {
  return { system: ENTITY_TYPE, code: '2', display: 'System Object' };
}
