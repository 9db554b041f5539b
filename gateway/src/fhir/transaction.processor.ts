import { randomUUID } from 'node:crypto';
import type { Principal } from '../auth/index.js';
import { badRequest, OperationOutcomeError } from '../common/index.js';
import type { FhirRepository, FhirResource } from '../store/index.js';
import { atEntry, type ParsedBundle, type ParsedEntry } from './bundle-entries.js';
import { collectReferences, isPlaceholder, rewriteReferences } from './bundle-references.js';
import { entryResponse } from './fhir-response.js';
import { execute, type FhirContext, type FhirInteraction, type InteractionResult } from './interaction.js';
import type { Preferences } from './prefer.js';

function resourceOf(interaction: FhirInteraction): FhirResource | undefined {
  return interaction.kind === 'create' || interaction.kind === 'update' ? interaction.resource : undefined;
}

/** A transaction may touch each resource once (FHIR R4 http.html#trules: otherwise the outcome would depend on order). */
function assertDistinctTargets(entries: readonly ParsedEntry[]): void {
  const targets = new Map<string, number>();
  for (const { index, interaction } of entries) {
    if (interaction.kind !== 'update' && interaction.kind !== 'delete') continue;
    const key = `${interaction.type}/${interaction.kind === 'update' ? interaction.resource.id : interaction.id}`;
    const first = targets.get(key);
    if (first !== undefined) throw badRequest(`request.url: the same resource as Bundle.entry[${first}]; a transaction may change each resource once`, `Bundle.entry[${index}].request.url`);
    targets.set(key, index);
  }
}

/** Every placeholder reference must be the fullUrl of an entry of the Bundle (checked before any write). */
function assertResolvable(entries: readonly ParsedEntry[], known: ReadonlyMap<string, string>): void {
  for (const entry of entries) {
    const resource = resourceOf(entry.interaction);
    if (!resource) continue;
    const dangling = collectReferences(resource).find((r) => isPlaceholder(r.reference) && !known.has(r.reference));
    if (dangling) {
      throw badRequest('reference: a urn:uuid or urn:oid placeholder that is not the fullUrl of any entry in this transaction', `Bundle.entry[${entry.index}].resource.${dangling.path}`);
    }
  }
}

/**
 * The writes (POST and PUT) in the order they run. FHIR R4 §3.1.0.11.2 (http.html#trules) processes POSTs before
 * PUTs and requires that the result not depend on the order of the entries. The store places every record in
 * its Patient's store, so a referenced resource must exist first: an entry whose resource refers to another
 * write of the Bundle (by its fullUrl, or as `<Type>/<id>` of a PUT, e.g. `PUT Patient/pat-1` then Observations
 * of `Patient/pat-1`) runs after it; otherwise POSTs before PUTs, each in the Bundle's order. Entries in a
 * reference cycle keep that order.
 */
function orderWrites(writes: readonly ParsedEntry[], base: string): ParsedEntry[] {
  const initial = [...writes.filter((w) => w.method === 'POST'), ...writes.filter((w) => w.method === 'PUT')];
  const owner = new Map<string, number>();
  for (const { index, fullUrl, interaction } of initial) {
    if (fullUrl !== undefined) owner.set(fullUrl, index);
    if (interaction.kind === 'update') {
      owner.set(`${interaction.type}/${interaction.resource.id}`, index);
      owner.set(`${base}/${interaction.type}/${interaction.resource.id}`, index);
    }
  }
  const needs = new Map(
    initial.map((w) => [w.index, new Set(collectReferences(resourceOf(w.interaction)!).flatMap((r) => owner.get(r.reference) ?? []).filter((i) => i !== w.index))]),
  );
  const done = new Set<number>();
  const ordered: ParsedEntry[] = [];
  while (ordered.length < initial.length) {
    const pending = initial.filter((w) => !done.has(w.index));
    const next = pending.find((w) => [...needs.get(w.index)!].every((i) => done.has(i))) ?? pending[0]!;
    done.add(next.index);
    ordered.push(next);
  }
  return ordered;
}

/**
 * Processes a transaction Bundle (FHIR R4 §3.1.0.11, http.html#transaction): every entry was validated before
 * this runs; ids are assigned to the creates up front and every placeholder reference is rewritten to
 * `<Type>/<id>` (a conditional create that finds its match maps its placeholder to the existing id); the writes
 * run in one `repository.transaction`, so that any failure leaves nothing behind and answers with the failing
 * entry's status and an OperationOutcome naming `Bundle.entry[i]`.
 * @returns the `transaction-response` Bundle, entries in the request's order.
 */
export async function processTransaction(repository: FhirRepository, principal: Principal, bundle: ParsedBundle, context: FhirContext, preferences: Preferences): Promise<FhirResource> {
  const entries = bundle.entries.map((entry) => {
    if (entry instanceof OperationOutcomeError) throw entry;
    return entry;
  });
  assertDistinctTargets(entries);
  const ids = new Map<number, string>();
  const replacements = new Map<string, string>();
  for (const { index, fullUrl, interaction } of entries) {
    if (interaction.kind === 'create') {
      ids.set(index, randomUUID());
      if (fullUrl !== undefined) replacements.set(fullUrl, `${interaction.type}/${ids.get(index)}`);
    } else if (interaction.kind === 'update' && fullUrl !== undefined) {
      replacements.set(fullUrl, `${interaction.type}/${interaction.resource.id}`);
    }
  }
  assertResolvable(entries, replacements);
  // FHIR R4 §3.1.0.11.2: deletes first, then the writes, then the reads (which see the writes).
  const ordered = [
    ...entries.filter((e) => e.method === 'DELETE'),
    ...orderWrites(entries.filter((e) => e.method === 'POST' || e.method === 'PUT'), context.base),
    ...entries.filter((e) => e.method === 'GET'),
  ];

  const results = await repository.transaction(async (tx) => {
    const done = new Map<number, InteractionResult>();
    const usedPlaceholders = new Set<string>();
    for (const entry of ordered) {
      const interaction = resolved(entry, ids.get(entry.index), replacements, usedPlaceholders);
      let result: InteractionResult;
      try {
        result = await execute(tx, principal, interaction, context);
      } catch (error) {
        throw atEntry(error, entry);
      }
      // FHIR R4 http.html#trules: a conditional create that matched stands for the existing resource.
      if (interaction.kind === 'create' && entry.fullUrl !== undefined && (result.kind === 'unreadable' || (result.kind === 'resource' && result.status === 200))) {
        if (usedPlaceholders.has(entry.fullUrl)) {
          throw badRequest('fullUrl: this conditional create matched an existing resource, but an entry written before it (a reference cycle) already points to its placeholder', `Bundle.entry[${entry.index}].fullUrl`);
        }
        replacements.set(entry.fullUrl, `${interaction.type}/${result.stored.resource.id}`);
      }
      done.set(entry.index, result);
    }
    return done;
  });
  return { resourceType: 'Bundle', type: 'transaction-response', entry: entries.map((e) => entryResponse(results.get(e.index)!, context, preferences.return)) };
}

/** The entry's interaction with its assigned id and its placeholder references rewritten as they stand now. */
function resolved(entry: ParsedEntry, id: string | undefined, replacements: ReadonlyMap<string, string>, used: Set<string>): FhirInteraction {
  const { interaction } = entry;
  if (interaction.kind !== 'create' && interaction.kind !== 'update') return interaction;
  for (const { reference } of collectReferences(interaction.resource)) if (replacements.has(reference)) used.add(reference);
  if (interaction.kind === 'update') return { ...interaction, resource: rewriteReferences(interaction.resource, replacements) };
  return { ...interaction, resource: rewriteReferences(interaction.resource, replacements), ...(id !== undefined ? { id } : {}) };
}
