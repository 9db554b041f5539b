import type { Principal } from '../auth/index.js';
import { gone } from '../common/index.js';
import type { FhirRepository, FhirResource, SearchParam, StoredResource } from '../store/index.js';
import { historyBundle, searchsetBundle } from './bundles.js';
import type { ParsedSearch } from './search-query.parser.js';
import type { SupportedResourceType } from './supported-types.js';

/** One parsed and validated FHIR interaction (FHIR R4 http.html), from a REST request or a Bundle entry. */
export type FhirInteraction =
  | { readonly kind: 'read'; readonly type: SupportedResourceType; readonly id: string }
  | { readonly kind: 'vread'; readonly type: SupportedResourceType; readonly id: string; readonly versionId: string }
  | {
      readonly kind: 'create';
      readonly type: SupportedResourceType;
      readonly resource: FhirResource;
      readonly ifNoneExist?: readonly SearchParam[];
      /** The id a transaction assigned to resolve `urn:uuid` placeholders (FHIR R4 http.html#trules). */
      readonly id?: string;
    }
  | { readonly kind: 'update'; readonly type: SupportedResourceType; readonly resource: FhirResource & { id: string }; readonly ifMatch?: string }
  | { readonly kind: 'delete'; readonly type: SupportedResourceType; readonly id: string }
  | { readonly kind: 'search'; readonly type: SupportedResourceType; readonly search: ParsedSearch }
  | { readonly kind: 'history'; readonly type: SupportedResourceType; readonly id: string; readonly count: number; readonly cursor?: string; readonly used: readonly (readonly [string, string])[] };

/** What an interaction produced, before it is rendered as an HTTP response or as a Bundle entry's response. */
export type InteractionResult =
  /** A resource version: read/vread (200), create (201), update (200, or 201 when it created), conditional create that matched (200). */
  | { readonly kind: 'resource'; readonly status: 200 | 201; readonly stored: StoredResource; readonly write: boolean }
  /** A conditional create matched a resource the caller may know of but not read: no content is returned. */
  | { readonly kind: 'unreadable'; readonly stored: StoredResource }
  | { readonly kind: 'deleted' }
  /** A searchset or history Bundle. */
  | { readonly kind: 'bundle'; readonly bundle: FhirResource };

/** Where this server's FHIR API lives: `<PUBLIC_URL>/fhir`, for fullUrls, links and Location headers. */
export interface FhirContext {
  readonly base: string;
}

/** A read must not return a tombstone: a deleted resource is 410 Gone (FHIR R4 http.html#read). */
function live(stored: StoredResource): StoredResource {
  if (stored.deleted) throw gone(`${stored.resource.resourceType} was deleted`);
  return stored;
}

/**
 * Runs one interaction against the repository (the one enforcement point: it decides who may do what and throws
 * OperationOutcomeErrors such as notFound, gone or preconditionFailed).
 */
export async function execute(repository: FhirRepository, principal: Principal, interaction: FhirInteraction, context: FhirContext): Promise<InteractionResult> {
  switch (interaction.kind) {
    case 'read':
      return { kind: 'resource', status: 200, stored: live(await repository.read(principal, interaction.type, interaction.id)), write: false };
    case 'vread':
      return { kind: 'resource', status: 200, stored: live(await repository.vread(principal, interaction.type, interaction.id, interaction.versionId)), write: false };
    case 'create': {
      const options = { ...(interaction.ifNoneExist ? { ifNoneExist: interaction.ifNoneExist } : {}), ...(interaction.id ? { id: interaction.id } : {}) };
      const result = await repository.create(principal, interaction.resource, options);
      // FHIR R4 http.html#ccreate: one match means the create is skipped and the answer is 200 OK.
      if (result.created) return { kind: 'resource', status: 201, stored: result.stored, write: true };
      return result.readable ? { kind: 'resource', status: 200, stored: result.stored, write: true } : { kind: 'unreadable', stored: result.stored };
    }
    case 'update': {
      const options = interaction.ifMatch !== undefined ? { ifMatch: interaction.ifMatch } : {};
      const stored = await repository.update(principal, interaction.resource, options);
      // Update as create (FHIR R4 §3.1.0.4.1): the repository creates a resource it does not have, and versions
      // count from 1, so version 1 is a creation: 201 Created.
      return { kind: 'resource', status: stored.resource.meta.versionId === '1' ? 201 : 200, stored, write: true };
    }
    case 'delete':
      await repository.delete(principal, interaction.type, interaction.id);
      return { kind: 'deleted' };
    case 'search':
      return { kind: 'bundle', bundle: searchsetBundle(await repository.search(principal, interaction.search.query), interaction.search, context.base) };
    case 'history': {
      const page = await repository.history(principal, interaction.type, interaction.id, { count: interaction.count, ...(interaction.cursor !== undefined ? { cursor: interaction.cursor } : {}) });
      return { kind: 'bundle', bundle: historyBundle(interaction, page, context.base) };
    }
  }
}
