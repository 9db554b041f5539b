import { getSearchParameters } from '@medplum/core';
import { loadSearchParameterDefinitions } from '../common/index.js';
import { SUPPORTED_RESOURCE_TYPES, type SupportedResourceType } from './supported-types.js';

/**
 * The search parameters the transport parses and the store can answer (design.md §2.1: blind indexes over type,
 * code system|code, date bucket and identifier; plus ids, references, category and status).
 */
const IMPLEMENTED = ['_id', '_lastUpdated', 'patient', 'subject', 'code', 'date', 'category', 'status', 'identifier'] as const;

/** The FHIR search parameter types the gateway parses (FHIR R4 search.html#ptypes). */
export type SearchParamType = 'token' | 'date' | 'reference';

/** What the transport knows about one supported search parameter of one type. */
export interface SearchParamInfo {
  readonly name: string;
  readonly type: SearchParamType;
  /** Canonical URL of the R4 SearchParameter that defines it. */
  readonly definition: string;
  /** For reference parameters: the resource types it may point to. */
  readonly targets: readonly string[];
}

loadSearchParameterDefinitions();

function describe(type: string, name: string): SearchParamInfo | undefined {
  const definition = getSearchParameters(type)?.[name];
  if (!definition || !['token', 'date', 'reference'].includes(definition.type ?? '')) return undefined;
  // Medplum synthesises the Resource-level parameters without a url: theirs are Resource-id and Resource-lastUpdated.
  const url = definition.url ?? `http://hl7.org/fhir/SearchParameter/Resource-${name.slice(1)}`;
  return { name, type: definition.type as SearchParamType, definition: url, targets: definition.target ?? [] };
}

const INFO: ReadonlyMap<string, ReadonlyMap<string, SearchParamInfo>> = new Map(
  SUPPORTED_RESOURCE_TYPES.map((type) => [
    type,
    new Map(IMPLEMENTED.map((name) => [name, describe(type, name)] as const).filter((e): e is [(typeof IMPLEMENTED)[number], SearchParamInfo] => e[1] !== undefined)),
  ]),
);

/**
 * Per supported type, the search parameters that work: the R4 SearchParameter definitions for the type
 * (Medplum's index of search-parameters.json) intersected with the parameters the gateway implements. The
 * CapabilityStatement is built from this table, and the query parser accepts exactly these.
 */
export const SUPPORTED_SEARCH_PARAMS: Readonly<Record<SupportedResourceType, readonly string[]>> = Object.freeze(
  Object.fromEntries(SUPPORTED_RESOURCE_TYPES.map((type) => [type, Object.freeze([...INFO.get(type)!.keys()])])) as Record<SupportedResourceType, readonly string[]>,
);

/** The supported search parameter `name` of `type`, or undefined when it is not supported there. */
export function searchParamInfo(type: SupportedResourceType, name: string): SearchParamInfo | undefined {
  return INFO.get(type)?.get(name);
}

/**
 * The `_include` values a type supports: `<Type>:patient` and `<Type>:subject` where those reference parameters
 * exist (FHIR R4 search.html#include).
 */
export function supportedIncludes(type: SupportedResourceType): readonly string[] {
  return SUPPORTED_SEARCH_PARAMS[type].filter((name) => name === 'patient' || name === 'subject').map((name) => `${type}:${name}`);
}
