import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findRepoRoot } from '../common/index.js';
import type { FhirResource } from '../store/index.js';
import { diagnoseOperationEntry } from './diagnose-operation.js';
import { searchParamInfo, SUPPORTED_SEARCH_PARAMS, supportedIncludes } from './search-params.js';
import { SUPPORTED_RESOURCE_TYPES } from './supported-types.js';

/** What the CapabilityStatement says about the server around the API. */
export interface CapabilityInputs {
  /** `<PUBLIC_URL>/fhir`. */
  readonly base: string;
  readonly software: { readonly name: string; readonly version: string };
  /** The identity provider's OAuth 2.0 endpoints (Keycloak's `protocol/openid-connect/{token,auth}`). */
  readonly oauth: { readonly token: string; readonly authorize: string };
  /** When this statement was built (its `date`). */
  readonly date: string;
}

/** The type-level interactions every supported type offers (FHIR R4 capabilitystatement.html, TypeRestfulInteraction). */
export const TYPE_INTERACTIONS = ['read', 'vread', 'update', 'delete', 'history-instance', 'create', 'search-type'] as const;

/** The gateway's name and version, from the repository's package.json. */
export function readSoftware(root: string = findRepoRoot()): { name: string; version: string } {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string; version: string };
  return { name: pkg.name, version: pkg.version };
}

function resourceEntry(type: (typeof SUPPORTED_RESOURCE_TYPES)[number]): Record<string, unknown> {
  const includes = supportedIncludes(type);
  return {
    type,
    profile: `http://hl7.org/fhir/StructureDefinition/${type}`,
    interaction: TYPE_INTERACTIONS.map((code) => ({ code })),
    versioning: 'versioned',
    readHistory: true,
    // The repository creates on update when the resource does not exist (FHIR R4 §3.1.0.4.1, client-chosen ids).
    updateCreate: true,
    conditionalCreate: true,
    conditionalRead: 'not-supported',
    conditionalUpdate: false,
    conditionalDelete: 'not-supported',
    // Literal references (`Patient/123`) and references to contained resources (`#id`) are kept as sent.
    referencePolicy: ['literal', 'local'],
    ...(includes.length > 0 ? { searchInclude: includes } : {}),
    searchParam: SUPPORTED_SEARCH_PARAMS[type].map((name) => {
      const info = searchParamInfo(type, name)!;
      return { name, definition: info.definition, type: info.type };
    }),
  };
}

/**
 * Consent: read-only, a projection of on-chain consents (consent.controller.ts); patients grant and revoke through
 * the portal with their own signature.
 */
const CONSENT_ENTRY = readOnlyProjection('Consent', 'Read-only projection of on-chain consents (ConsentRegistry): the patient reads their own, a grantee those granted to them.', [
  { name: '_id', definition: 'http://hl7.org/fhir/SearchParameter/Resource-id', type: 'token' },
  { name: 'patient', definition: 'http://hl7.org/fhir/SearchParameter/clinical-patient', type: 'reference' },
  { name: 'status', definition: 'http://hl7.org/fhir/SearchParameter/Consent-status', type: 'token' },
]);

/**
 * AuditEvent: read-only, a projection of the audit log (gateway/src/audit/fhir): auditors read every event,
 * patients their own; newest first, paged with `next` links.
 */
const AUDIT_EVENT_ENTRY = readOnlyProjection('AuditEvent', 'Read-only projection of the verifiable audit log (one event per entry, id audit-<leafIndex>): auditors read all, a patient the events about their own store.', [
  { name: 'date', definition: 'http://hl7.org/fhir/SearchParameter/AuditEvent-date', type: 'date' },
  { name: 'outcome', definition: 'http://hl7.org/fhir/SearchParameter/AuditEvent-outcome', type: 'token' },
  { name: 'agent', definition: 'http://hl7.org/fhir/SearchParameter/AuditEvent-agent', type: 'reference', documentation: 'The actor pseudonym (0x and 64 hex digits).' },
  { name: 'patient', definition: 'http://hl7.org/fhir/SearchParameter/AuditEvent-patient', type: 'reference', documentation: 'The patient pseudonym (32 hex digits).' },
]);

/** The CapabilityStatement entry of a read-only projection: read and search-type, no versions, no writes. */
function readOnlyProjection(type: string, documentation: string, searchParam: readonly Record<string, string>[]): Record<string, unknown> {
  return {
    type,
    profile: `http://hl7.org/fhir/StructureDefinition/${type}`,
    documentation,
    interaction: [{ code: 'read' }, { code: 'search-type' }],
    versioning: 'no-version',
    readHistory: false,
    updateCreate: false,
    conditionalCreate: false,
    conditionalRead: 'not-supported',
    conditionalUpdate: false,
    conditionalDelete: 'not-supported',
    searchParam,
  };
}

/**
 * The server's CapabilityStatement (FHIR R4 http.html#capabilities, capabilitystatement.html): exactly the
 * types, interactions, search parameters and includes that work, built from {@link SUPPORTED_RESOURCE_TYPES} and
 * {@link SUPPORTED_SEARCH_PARAMS}; `_summary`, `_elements`, PATCH, conditional update/delete and system history
 * are not listed because they are not supported.
 */
export function buildCapabilityStatement(inputs: CapabilityInputs): FhirResource {
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: inputs.date,
    kind: 'instance',
    software: { name: inputs.software.name, version: inputs.software.version },
    implementation: { description: 'Consent-gated FHIR R4 gateway', url: inputs.base },
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'json'],
    rest: [
      {
        mode: 'server',
        security: {
          // SMART's oauth-uris extension names the token endpoint; the server itself is plain OAuth 2.0 (Keycloak).
          extension: [
            {
              url: 'http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris',
              extension: [
                { url: 'token', valueUri: inputs.oauth.token },
                { url: 'authorize', valueUri: inputs.oauth.authorize },
              ],
            },
          ],
          service: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/restful-security-service', code: 'OAuth' }] }],
          description: 'Bearer access tokens (RFC 6750) from the Keycloak realm; every interaction but metadata needs one.',
        },
        resource: [...SUPPORTED_RESOURCE_TYPES.map((type) => (type === 'Patient' ? { ...resourceEntry(type), operation: [diagnoseOperationEntry(inputs.base)] } : resourceEntry(type))), CONSENT_ENTRY, AUDIT_EVENT_ENTRY],
        interaction: [{ code: 'transaction' }, { code: 'batch' }],
      },
    ],
  };
}
