import type { FhirResource, SearchPage, StoredResource } from '../store/index.js';
import { etagOf } from './etag.js';
import type { ParsedSearch } from './search-query.parser.js';

/**
 * A query string for a link: percent-encoded (RFC 3986 §3.4), leaving `,`, `:` and `/` readable as FHIR's own
 * examples do.
 */
export function queryString(entries: readonly (readonly [string, string])[]): string {
  const encode = (s: string) => encodeURIComponent(s).replace(/%2C/g, ',').replace(/%3A/g, ':').replace(/%2F/g, '/');
  return entries.map(([name, value]) => `${encode(name)}=${encode(value)}`).join('&');
}

function link(base: string, path: string, entries: readonly (readonly [string, string])[]): string {
  const query = queryString(entries);
  return query === '' ? `${base}/${path}` : `${base}/${path}?${query}`;
}

/** `self` with the parameters used; `next` the same without `_cursor`, plus the page's cursor (FHIR R4 http.html#paging). */
function links(base: string, path: string, used: readonly (readonly [string, string])[], next: string | undefined): { relation: string; url: string }[] {
  const withoutCursor = used.filter(([name]) => name !== '_cursor');
  return [
    { relation: 'self', url: link(base, path, used) },
    ...(next !== undefined ? [{ relation: 'next', url: link(base, path, [...withoutCursor, ['_cursor', next] as const]) }] : []),
  ];
}

const fullUrl = (base: string, stored: StoredResource) => `${base}/${stored.resource.resourceType}/${stored.resource.id}`;

/**
 * A `searchset` Bundle (FHIR R4 search.html#return): matches, then included resources, then, when parameters were
 * ignored, an OperationOutcome entry with `search.mode: outcome`. `total` only when the repository says so (it
 * never counts what the caller may not see).
 */
export function searchsetBundle(page: SearchPage, search: ParsedSearch, base: string): FhirResource {
  const type = search.query.resourceType;
  const entries = [
    ...page.matches.filter((s) => !s.deleted).map((stored) => ({ fullUrl: fullUrl(base, stored), resource: stored.resource, search: { mode: 'match' } })),
    ...page.included.filter((s) => !s.deleted).map((stored) => ({ fullUrl: fullUrl(base, stored), resource: stored.resource, search: { mode: 'include' } })),
    ...(search.warnings.length > 0 ? [{ resource: { resourceType: 'OperationOutcome', issue: search.warnings }, search: { mode: 'outcome' } }] : []),
  ];
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    ...(page.total !== undefined ? { total: page.total } : {}),
    link: links(base, type, search.used, page.next),
    entry: entries,
  };
}

/** The request that produced a version, as a history entry states it (FHIR R4 http.html#history). */
function historyRequest(stored: StoredResource): { request: { method: string; url: string }; status: string } {
  const { resourceType, id, meta } = stored.resource;
  if (stored.deleted) return { request: { method: 'DELETE', url: `${resourceType}/${id}` }, status: '204 No Content' };
  // Version ids count up from 1 (ETag W/"1" after a create): the first version was a create.
  if (meta.versionId === '1') return { request: { method: 'POST', url: resourceType }, status: '201 Created' };
  return { request: { method: 'PUT', url: `${resourceType}/${id}` }, status: '200 OK' };
}

/** A `history` Bundle of one resource, newest first; a deletion is an entry without a resource. */
export function historyBundle(
  interaction: { readonly type: string; readonly id: string; readonly used: readonly (readonly [string, string])[] },
  page: { readonly versions: readonly StoredResource[]; readonly next?: string },
  base: string,
): FhirResource {
  return {
    resourceType: 'Bundle',
    type: 'history',
    link: links(base, `${interaction.type}/${interaction.id}/_history`, interaction.used, page.next),
    entry: page.versions.map((stored) => {
      const { request, status } = historyRequest(stored);
      return {
        fullUrl: fullUrl(base, stored),
        ...(stored.deleted ? {} : { resource: stored.resource }),
        request,
        response: { status, etag: etagOf(stored.resource.meta.versionId), lastModified: stored.resource.meta.lastUpdated },
      };
    }),
  };
}
