import type { FhirResource } from '../store/index.js';

/** One `Reference.reference` string found in a resource, with its element path (e.g. `result[1].reference`). */
export interface FoundReference {
  readonly path: string;
  readonly reference: string;
}

/** A `urn:uuid:` or `urn:oid:` placeholder: a reference that only means something inside its Bundle (FHIR R4 bundle.html#references). */
export function isPlaceholder(reference: string): boolean {
  return /^urn:(?:uuid|oid):/i.test(reference);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Every `reference` string anywhere in a resource (any depth, inside arrays, extensions and contained resources),
 * found by key: a JSON property `reference` with a string value is Reference.reference in R4 JSON. Recursion
 * depth is bounded by the nesting check done before ({@link assertJsonShape}).
 */
export function collectReferences(resource: FhirResource): FoundReference[] {
  const found: FoundReference[] = [];
  const walk = (value: unknown, path: string): void => {
    if (Array.isArray(value)) {
      value.forEach((item, i) => walk(item, `${path}[${i}]`));
    } else if (isObject(value)) {
      for (const [key, item] of Object.entries(value)) {
        const at = path === '' ? key : `${path}.${key}`;
        if (key === 'reference' && typeof item === 'string') found.push({ path: at, reference: item });
        else walk(item, at);
      }
    }
  };
  walk(resource, '');
  return found;
}

/**
 * A deep copy of `resource` with every `reference` string found in `replacements` replaced (FHIR R4
 * http.html#trules: "references to the fullUrl of a resource in the Bundle are replaced by the new
 * `<Type>/<id>`"). Local references to contained resources (`#id`) are not placeholders and stay as they are.
 */
export function rewriteReferences<T>(resource: T, replacements: ReadonlyMap<string, string>): T {
  const rewrite = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(rewrite);
    if (!isObject(value)) return value;
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, key === 'reference' && typeof item === 'string' ? (replacements.get(item) ?? item) : rewrite(item)]),
    );
  };
  return rewrite(resource) as T;
}
