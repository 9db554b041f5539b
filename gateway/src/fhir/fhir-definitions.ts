import { Injectable, type OnModuleInit } from '@nestjs/common';
import { isResourceType } from '@medplum/core';
import { loadFhirDefinitions } from '../common/index.js';
import { loadValueSets } from './required-bindings.js';

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
