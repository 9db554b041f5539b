export { FhirModule } from './fhir.module.js';
export { SUPPORTED_RESOURCE_TYPES, type SupportedResourceType } from './supported-types.js';
export { SUPPORTED_SEARCH_PARAMS } from './search-params.js';
export { runTransactionBundle } from './bundle-runner.js';
