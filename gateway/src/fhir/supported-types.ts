import { OperationOutcomeError, outcome } from '../common/index.js';

/**
 * The resource types the gateway stores and serves at `/fhir` (design.md §3). Everything else is answered as
 * not supported; the CapabilityStatement lists exactly these.
 */
export const SUPPORTED_RESOURCE_TYPES = [
  'Patient',
  'Observation',
  'Condition',
  'MedicationStatement',
  'MedicationRequest',
  'AllergyIntolerance',
  'Procedure',
  'Encounter',
  'DiagnosticReport',
  'Immunization',
  'DocumentReference',
] as const;

/** One of {@link SUPPORTED_RESOURCE_TYPES}. */
export type SupportedResourceType = (typeof SUPPORTED_RESOURCE_TYPES)[number];

const SUPPORTED: ReadonlySet<string> = new Set(SUPPORTED_RESOURCE_TYPES);

/** A name shaped like a FHIR type (safe to repeat in a message); anything else is described, not echoed. */
const TYPE_NAME = /^[A-Z][A-Za-z]{0,63}$/;

/** True for one of {@link SUPPORTED_RESOURCE_TYPES}. */
export function isSupportedResourceType(type: string): type is SupportedResourceType {
  return SUPPORTED.has(type);
}

/**
 * The URL's type segment as a supported type.
 * @throws OperationOutcomeError 404 `not-supported` for any other type (FHIR R4 http.html#create, #read: "404 Not
 *   Found - resource type not supported").
 */
export function supportedType(type: string): SupportedResourceType {
  if (isSupportedResourceType(type)) return type;
  const named = TYPE_NAME.test(type) ? `resource type ${type} is not supported` : 'the path does not name a supported resource type';
  throw new OperationOutcomeError(404, outcome('error', 'not-supported', `${named}: supported are ${SUPPORTED_RESOURCE_TYPES.join(', ')}`));
}

/** A FHIR type name as it may appear in a message: repeated when it looks like one, described otherwise. */
export function describeType(type: unknown): string {
  return typeof type === 'string' && TYPE_NAME.test(type) ? type : 'an unknown type';
}
