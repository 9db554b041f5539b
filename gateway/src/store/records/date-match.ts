import { evalFhirPathTyped, toTypedValue } from '@medplum/core';
import type { FhirResource, SearchParam } from '../fhir-repository.js';
import { compiledExpression, dateRange } from './search-index.js';

/** A date's range in ms; open ends are infinite. */
type Range = readonly [number, number];

const PREFIX = /^(eq|ne|lt|le|gt|ge)?(.*)$/;

/** The ranges a resource's date parameter (or `_lastUpdated`) takes: instants, dates, periods (open ends infinite). */
function targetRanges(resource: FhirResource, name: string): Range[] {
  if (name === '_lastUpdated') {
    const t = Date.parse(String(resource.meta?.lastUpdated));
    return Number.isNaN(t) ? [] : [[t, t]];
  }
  const atom = compiledExpression(resource.resourceType, name);
  if (!atom) return [];
  const out: Range[] = [];
  for (const typed of evalFhirPathTyped(atom, [toTypedValue(resource)])) {
    if (typeof typed.value === 'string') {
      const r = dateRange(typed.value);
      if (r) out.push(r);
    } else if (typed.type === 'Period') {
      const p = typed.value as { start?: string; end?: string };
      const lo = p.start ? dateRange(p.start)?.[0] : undefined;
      const hi = p.end ? dateRange(p.end)?.[1] : undefined;
      if (lo !== undefined || hi !== undefined) out.push([lo ?? -Infinity, hi ?? Infinity]);
    }
  }
  return out;
}

/**
 * FHIR R4 date search semantics (search.html#prefix), between the search value's range [slo, shi] and the target's
 * range [tlo, thi]: eq — the search range contains the target; ne — it does not; gt — the target reaches above
 * the search range; lt — below it; ge / le — gt / lt, or eq.
 */
function matchesPrefix(prefix: string, [slo, shi]: Range, [tlo, thi]: Range): boolean {
  const contains = slo <= tlo && thi <= shi;
  switch (prefix) {
    case 'ne':
      return !contains;
    case 'gt':
      return thi > shi;
    case 'lt':
      return tlo < slo;
    case 'ge':
      return thi > shi || contains;
    case 'le':
      return tlo < slo || contains;
    default:
      return contains;
  }
}

/**
 * Whether a resource satisfies every date parameter (AND), each with any of its values (OR) matching any of the
 * resource's dates. Values the transport already checked; an unparseable one matches nothing.
 */
export function matchesDates(resource: FhirResource, params: readonly SearchParam[]): boolean {
  return params.every((param) => {
    const targets = targetRanges(resource, param.name);
    return param.values.some((raw) => {
      const [, prefix = 'eq', value = ''] = PREFIX.exec(raw) ?? [];
      const search = dateRange(value);
      return search !== undefined && targets.some((target) => matchesPrefix(prefix, search, target));
    });
  });
}
