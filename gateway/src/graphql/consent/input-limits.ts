import { badRequest } from '../../common/index.js';

/** Refuses a string argument longer than `max` characters, naming the argument (never echoing it). */
export function limit(value: string, max: number, name: string): string {
  if (value.length > max) throw badRequest(`${name}: expected at most ${max} characters, got ${value.length}`, name);
  return value;
}

/** Refuses a list argument longer than `max` entries. */
export function limitList<T>(values: readonly T[], max: number, name: string): readonly T[] {
  if (values.length > max) throw badRequest(`${name}: expected at most ${max} entries, got ${values.length}`, name);
  return values;
}
