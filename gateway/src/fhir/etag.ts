import { badRequest } from '../common/index.js';

/** FHIR R4 id (and versionId) pattern: `[A-Za-z0-9\-\.]{1,64}` (FHIR R4 datatypes.html#id). */
export const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;

/** The weak ETag of a version (FHIR R4 http.html#versioning: `ETag: W/"<versionId>"`). */
export function etagOf(versionId: string): string {
  return `W/"${versionId}"`;
}

/** An instant as an HTTP date (RFC 9110 §5.6.7), for `Last-Modified`. */
export function httpDate(instant: string): string {
  return new Date(instant).toUTCString();
}

const IF_MATCH = /^(?:W\/)?"([A-Za-z0-9\-.]{1,64})"$/;

/**
 * The expected versionId from an `If-Match` header (FHIR R4 http.html#concurrency: `If-Match: W/"<versionId>"`).
 * The strong form `"<versionId>"` is accepted too; `*` (any current version) means no version check.
 * @throws OperationOutcomeError 400 when the header is present but not one quoted version id.
 */
export function parseIfMatch(header: string | readonly string[] | undefined, expression = 'If-Match'): string | undefined {
  if (header === undefined) return undefined;
  const value = typeof header === 'string' ? header.trim() : header.length === 1 ? header[0]!.trim() : undefined;
  if (value === '*') return undefined;
  const match = value === undefined ? null : IF_MATCH.exec(value);
  if (!match) throw badRequest(`${expression}: expected one version as W/"<versionId>" (versionId: 1 to 64 of A-Z a-z 0-9 - .)`, expression);
  return match[1]!;
}
