import { validateResource } from '@medplum/core';
import { badRequest, type IssueType, loadFhirDefinitions, OperationOutcomeError, type OperationOutcomeIssue } from '../common/index.js';
import type { FhirResource } from '../store/index.js';
import { FHIR_ID } from './etag.js';
import { isFhirResourceType } from './fhir-definitions.js';
import { assertJsonShape } from './json-shape.js';
import { requiredBindingIssues } from './required-bindings.js';
import { describeType } from './supported-types.js';

/** Longest Medplum message passed on; longer ones (a huge property name) are cut. */
const MAX_MESSAGE = 200;

const ISSUE_TYPES: Readonly<Record<string, IssueType>> = { structure: 'structure', required: 'required', value: 'value', processing: 'processing' };

interface MedplumIssue {
  severity?: string;
  code?: string;
  details?: { text?: string };
  expression?: string[];
}

/** Moves a Medplum expression (`Observation.code`, rooted at the type) under `where` (e.g. `Bundle.entry[2].resource`). */
function relocate(expression: string, type: string, where: string): string {
  if (expression === type) return where;
  if (expression.startsWith(`${type}.`) || expression.startsWith(`${type}[`)) return where + expression.slice(type.length);
  return `${where}.${expression}`;
}

/**
 * Medplum names choice elements by their definition (`Observation.value[x].value`), which is neither FHIRPath nor
 * what the client sent: resolve each `name[x]` to the property present in the resource (`valueQuantity`), so the
 * expression points at the offending JSON element (FHIR R4 OperationOutcome.issue.expression is FHIRPath).
 */
export function concreteExpression(expression: string, resource: unknown): string {
  if (!expression.includes('[x]')) return expression;
  const [head, ...segments] = expression.split('.');
  let node: unknown = resource;
  const out = [head];
  for (const segment of segments) {
    const m = /^([A-Za-z0-9_]+)(\[x\])?((?:\[\d+\])*)$/.exec(segment);
    if (!m || node === null || typeof node !== 'object') {
      out.push(segment);
      node = undefined;
      continue;
    }
    let name = m[1]!;
    if (m[2]) name = Object.keys(node).find((k) => k.startsWith(name) && /^[A-Z]/.test(k.slice(name.length))) ?? `${name}[x]`;
    out.push(name + m[3]);
    node = (node as Record<string, unknown>)[name];
    for (const index of m[3]!.match(/\d+/g) ?? []) node = Array.isArray(node) ? node[Number(index)] : undefined;
  }
  return out.join('.');
}

/**
 * Medplum's issues as the gateway's: its message (which names the kind of problem, e.g. "Invalid JSON type:
 * expected number, but got string") and the element path; its `diagnostics` (FHIRPath, error objects) dropped.
 */
function toIssues(issues: readonly MedplumIssue[], type: string, where: string, resource: unknown): OperationOutcomeIssue[] {
  return issues.map((issue) => {
    const text = issue.details?.text ?? 'invalid resource';
    return {
      severity: issue.severity === 'warning' || issue.severity === 'information' ? issue.severity : 'error',
      code: ISSUE_TYPES[issue.code ?? ''] ?? 'invalid',
      diagnostics: text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE)}…` : text,
      expression: issue.expression?.length ? issue.expression.map((e) => relocate(concreteExpression(e, resource), type, where)) : [where],
    };
  });
}

/**
 * Checks a request body is a valid FHIR R4 resource of `expectedType`: a JSON object, a resourceType that is a
 * FHIR type and the expected one, bounded nesting, then Medplum's validator against the R4 StructureDefinitions
 * (FHIR R4 validation.html), then the required terminology bindings of code elements.
 * @param where FHIRPath of the resource in the request: the type for REST, `Bundle.entry[i].resource` in Bundles.
 * @throws OperationOutcomeError 400 with one issue per problem, each naming the element path.
 */
export function readResourceBody(body: unknown, expectedType: string, where: string = expectedType): FhirResource {
  loadFhirDefinitions();
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw badRequest(`expected a JSON object holding a ${expectedType} resource`, where);
  }
  const resourceType = (body as { resourceType?: unknown }).resourceType;
  if (typeof resourceType !== 'string') throw badRequest(`resourceType: required, expected ${expectedType}`, `${where}.resourceType`);
  if (!isFhirResourceType(resourceType)) throw badRequest(`resourceType: expected a FHIR R4 resource type (${expectedType})`, `${where}.resourceType`);
  if (resourceType !== expectedType) {
    throw badRequest(`resourceType: expected ${expectedType} (the type in the URL), got ${describeType(resourceType)}`, `${where}.resourceType`);
  }
  assertJsonShape(body, where);
  try {
    validateResource(body as never);
  } catch (error) {
    const issues = (error as { outcome?: { issue?: MedplumIssue[] } }).outcome?.issue;
    if (!Array.isArray(issues)) throw error;
    throw new OperationOutcomeError(400, { resourceType: 'OperationOutcome', issue: toIssues(issues, resourceType, where, body) });
  }
  const terminology = requiredBindingIssues(body as FhirResource);
  if (terminology.length > 0) {
    throw new OperationOutcomeError(400, { resourceType: 'OperationOutcome', issue: terminology.map((i) => ({ ...i, expression: i.expression!.map((e) => relocate(e, resourceType, where)) })) });
  }
  return body as FhirResource;
}

/** The server keeps `meta.versionId` and `meta.lastUpdated` (FHIR R4 resource.html#Meta): a client's are dropped. */
function withoutServerMeta(resource: FhirResource): FhirResource {
  if (resource.meta === undefined) return resource;
  const { versionId: _versionId, lastUpdated: _lastUpdated, ...meta } = resource.meta;
  const { meta: _meta, ...rest } = resource;
  return Object.keys(meta).length > 0 ? { ...rest, meta } : rest;
}

/** A resource to create: the id a client sent is ignored, the server assigns one (FHIR R4 http.html#create). */
export function forCreate(resource: FhirResource): FhirResource {
  const { id: _id, ...rest } = withoutServerMeta(resource);
  return rest as FhirResource;
}

/**
 * A resource to update: it must carry the id in the URL (FHIR R4 http.html#update: "If no id element is provided,
 * or the id disagrees with the id in the URL, the server SHALL respond with an HTTP 400").
 * @throws OperationOutcomeError 400.
 */
export function forUpdate(resource: FhirResource, id: string, where: string = resource.resourceType): FhirResource & { id: string } {
  if (resource.id === undefined) throw badRequest('id: required in the body of an update, and equal to the id in the URL', `${where}.id`);
  if (typeof resource.id !== 'string' || !FHIR_ID.test(resource.id) || resource.id !== id) {
    throw badRequest('id: the id in the body does not match the id in the URL', `${where}.id`);
  }
  return withoutServerMeta(resource) as FhirResource & { id: string };
}

/**
 * Checks a logical id from a URL (FHIR R4 datatypes.html#id).
 * @throws OperationOutcomeError 400.
 */
export function assertId(id: string, expression = 'id'): string {
  if (!FHIR_ID.test(id)) throw badRequest(`${expression}: expected 1 to 64 of A-Z a-z 0-9 - .`, expression);
  return id;
}
