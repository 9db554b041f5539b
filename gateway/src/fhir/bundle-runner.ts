import type { Principal } from '../auth/index.js';
import type { FhirRepository, FhirResource } from '../store/index.js';
import { parseBundle } from './bundle-entries.js';
import { parsePrefer } from './prefer.js';
import { processTransaction } from './transaction.processor.js';

/**
 * Runs a transaction Bundle exactly as `POST /fhir` does (validation, placeholder rewriting, one atomic write),
 * for in-process callers such as the embedded mode's demo seeding.
 * @param base the public base URL of `/fhir` (for the response's locations).
 * @returns the `transaction-response` Bundle.
 */
export function runTransactionBundle(repository: FhirRepository, principal: Principal, bundle: unknown, base: string): Promise<FhirResource> {
  const context = { base };
  const preferences = parsePrefer('return=minimal');
  return processTransaction(repository, principal, parseBundle(bundle, context, preferences.handling), context, preferences);
}
