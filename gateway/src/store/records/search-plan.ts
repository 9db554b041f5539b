import type { SearchParam, SearchQuery } from '../fhir-repository.js';
import { DATE_PARAM, dateBuckets, dateRange, TOKEN_PARAMS } from './search-index.js';

/** How a search selects candidates in SQL before decryption, and how it then matches exactly. */
export interface SearchPlan {
  /** Patient ids from `patient`/`subject` (or `_id` on Patient); undefined = every patient in scope. */
  readonly patients?: readonly string[];
  /** `_id` values. */
  readonly ids?: readonly string[];
  /** Patient identifiers (`identifier` on Patient), as system/value pairs for the matching hash. */
  readonly patientIdentifiers?: readonly { system?: string; value: string }[];
  /** Blind-index groups: a candidate must carry at least one token value of every group (AND of ORs). */
  readonly tokenGroups: readonly { readonly name: string; readonly values: readonly string[] }[];
  /** Date parameters (`date`, `_lastUpdated`) matched after decryption with FHIR R4 prefix semantics (date-match.ts). */
  readonly exact: readonly SearchParam[];
  readonly impossible: boolean;
}

const REFERENCE = /^(?:Patient\/)?([A-Za-z0-9\-.]{1,64})$/;

function patientIds(param: SearchParam): string[] | undefined {
  const ids: string[] = [];
  for (const value of param.values) {
    const m = REFERENCE.exec(value);
    if (!m) return undefined;
    ids.push(m[1]!);
  }
  return ids;
}

function intersect(a: readonly string[] | undefined, b: readonly string[]): string[] {
  return a === undefined ? [...b] : a.filter((x) => b.includes(x));
}

function splitSystem(value: string): { system?: string; value: string } {
  const bar = value.indexOf('|');
  return bar < 0 ? { value } : { system: value.slice(0, bar), value: value.slice(bar + 1) };
}

/** Date buckets for one date param's values (OR), or undefined when any value leaves the range unbounded. */
function dateGroup(values: readonly string[]): string[] | undefined {
  const out = new Set<string>();
  for (const raw of values) {
    const prefix = /^(eq|ne|lt|le|gt|ge|sa|eb|ap)/.exec(raw)?.[1] ?? 'eq';
    if (prefix !== 'eq') return undefined;
    const range = dateRange(raw.slice(/^(eq)/.test(raw) ? 2 : 0));
    const buckets = range && dateBuckets(range[0], range[1]);
    if (!buckets) return undefined;
    for (const b of buckets) out.add(b);
  }
  return [...out];
}

/** A bounded interval from single-valued `ge/gt/le/lt` date params combined (e.g. `date=ge2020&date=lt2021`). */
function combinedDateGroup(params: readonly SearchParam[]): string[] | undefined {
  let lo = -Infinity;
  let hi = Infinity;
  for (const p of params) {
    if (p.values.length !== 1) continue;
    const m = /^(lt|le|gt|ge)(.*)$/.exec(p.values[0]!);
    const range = m && dateRange(m[2]!);
    if (!m || !range) continue;
    if (m[1] === 'gt' || m[1] === 'ge') lo = Math.max(lo, range[0]);
    else hi = Math.min(hi, range[1]);
  }
  return Number.isFinite(lo) && Number.isFinite(hi) && lo <= hi ? dateBuckets(lo, hi) : undefined;
}

/** Plans a search from the transport's parsed query (the transport has already refused unsupported params). */
export function planSearch(query: SearchQuery): SearchPlan {
  let patients: string[] | undefined;
  let ids: string[] | undefined;
  let impossible = false;
  const tokenGroups: { name: string; values: string[] }[] = [];
  const exactParams: SearchParam[] = [];
  const patientIdentifiers: { system?: string; value: string }[] = [];
  const dateParams: SearchParam[] = [];
  for (const param of query.params) {
    if (param.name === 'patient' || param.name === 'subject') {
      const refs = patientIds(param);
      if (!refs) impossible = true;
      else patients = intersect(patients, refs);
      continue;
    }
    if (param.name === '_id') {
      ids = intersect(ids, param.values);
      if (query.resourceType === 'Patient') patients = intersect(patients, param.values);
      continue;
    }
    if (query.resourceType === 'Patient' && param.name === 'identifier' && param.values.length === 1 && !param.modifier) {
      patientIdentifiers.push(splitSystem(param.values[0]!));
    }
    // Token parameters are matched exactly by their blind-index tokens (the same normalization as FHIR R4
    // §3.1.1.5.3.7: code, |code, system|code), so only the others need matching after decryption.
    if ((TOKEN_PARAMS as readonly string[]).includes(param.name) && !param.modifier) tokenGroups.push({ name: param.name, values: [...param.values] });
    else exactParams.push(param);
    if (param.name === DATE_PARAM) {
      dateParams.push(param);
      const buckets = dateGroup(param.values);
      if (buckets) tokenGroups.push({ name: DATE_PARAM, values: buckets });
    }
  }
  const combined = combinedDateGroup(dateParams);
  if (combined) tokenGroups.push({ name: DATE_PARAM, values: combined });
  return {
    ...(patients ? { patients } : {}),
    ...(ids ? { ids } : {}),
    ...(patientIdentifiers.length ? { patientIdentifiers } : {}),
    tokenGroups,
    exact: exactParams,
    impossible: impossible || patients?.length === 0 || ids?.length === 0,
  };
}
