import { badRequest } from '../common/index.js';

/**
 * How deeply a resource may nest objects and arrays. The deepest R4 paths in real data (extensions inside
 * extensions, Questionnaire items) stay far below this; the cap keeps the recursive validator and reference walk
 * away from the stack limit whatever the body holds.
 */
export const MAX_NESTING_DEPTH = 64;

/**
 * Checks, without recursion, that a parsed JSON value nests at most `maxDepth` objects/arrays deep and has no
 * key that shadows an Object.prototype member (`constructor`, `toString`, …: no FHIR element has such a name,
 * and a validator that looks names up with `in` would let them through).
 * @param where FHIRPath of `value`, used as the expression of the error.
 * @throws OperationOutcomeError 400 naming the element path and the problem, never a value.
 */
export function assertJsonShape(value: unknown, where: string, maxDepth = MAX_NESTING_DEPTH): void {
  const stack: { value: unknown; depth: number; path: string }[] = [{ value, depth: 1, path: where }];
  while (stack.length > 0) {
    const { value: current, depth, path } = stack.pop()!;
    if (typeof current !== 'object' || current === null) continue;
    if (depth > maxDepth) throw badRequest(`nesting deeper than ${maxDepth} levels is not accepted`, where);
    if (Array.isArray(current)) {
      current.forEach((item, i) => stack.push({ value: item, depth: depth + 1, path: `${path}[${i}]` }));
      continue;
    }
    for (const [key, item] of Object.entries(current)) {
      if (key in Object.prototype) throw badRequest(`Invalid additional property "${key}"`, `${path}.${key}`);
      stack.push({ value: item, depth: depth + 1, path: `${path}.${key}` });
    }
  }
}
