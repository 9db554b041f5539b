import type { Principal } from '../auth/index.js';
import { badRequest, OperationOutcomeError } from '../common/index.js';
import type { FhirRepository, FhirResource } from '../store/index.js';
import { atEntry, type ParsedBundle, type ParsedEntry } from './bundle-entries.js';
import { collectReferences, isPlaceholder } from './bundle-references.js';
import { entryResponse, errorEntry } from './fhir-response.js';
import { execute, type FhirContext } from './interaction.js';
import type { Preferences } from './prefer.js';

/** Batch entries are independent (FHIR R4 http.html#brules): none may refer to another. */
function assertSelfContained(entry: ParsedEntry, fullUrls: ReadonlySet<string>): void {
  const { interaction } = entry;
  if (interaction.kind !== 'create' && interaction.kind !== 'update') return;
  const linked = collectReferences(interaction.resource).find((r) => isPlaceholder(r.reference) || fullUrls.has(r.reference));
  if (linked) {
    throw badRequest('reference: entries of a batch may not refer to each other; send a transaction to link new resources', `Bundle.entry[${entry.index}].resource.${linked.path}`);
  }
}

/**
 * Processes a batch Bundle (FHIR R4 http.html#brules): each entry on its own, in the Bundle's order, each write
 * atomic by itself; a failing entry gets its status and OperationOutcome in `response.outcome` and the others
 * go on. Errors that are not OperationOutcomes (bugs) fail the whole request as a 500.
 * @returns the `batch-response` Bundle, entries in the request's order.
 */
export async function processBatch(repository: FhirRepository, principal: Principal, bundle: ParsedBundle, context: FhirContext, preferences: Preferences): Promise<FhirResource> {
  const fullUrls = new Set(bundle.entries.flatMap((e) => (e instanceof OperationOutcomeError || e.fullUrl === undefined ? [] : [e.fullUrl])));
  const entry: Record<string, unknown>[] = [];
  for (const parsed of bundle.entries) {
    if (parsed instanceof OperationOutcomeError) {
      entry.push(errorEntry(parsed));
      continue;
    }
    try {
      assertSelfContained(parsed, fullUrls);
    } catch (error) {
      entry.push(errorEntry(error as OperationOutcomeError));
      continue;
    }
    try {
      entry.push(entryResponse(await execute(repository, principal, parsed.interaction, context), context, preferences.return));
    } catch (error) {
      const mapped = atEntry(error, parsed);
      if (!(mapped instanceof OperationOutcomeError)) throw mapped;
      entry.push(errorEntry(mapped));
    }
  }
  return { resourceType: 'Bundle', type: 'batch-response', entry };
}
