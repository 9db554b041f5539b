export * from './operation-outcome.js';
export { OperationOutcomeFilter, toOperationOutcome } from './outcome.filter.js';
export { createLogger, PinoNestLogger } from './logger.js';
export { findRepoRoot } from './repo-root.js';
export { ShutdownLogger } from './shutdown-logger.js';
export { freePort } from './free-port.js';
export { settlesWithin, TimeoutError, withTimeout } from './with-timeout.js';
export { loadFhirDefinitions, loadSearchParameterDefinitions } from './fhir-definitions.js';
