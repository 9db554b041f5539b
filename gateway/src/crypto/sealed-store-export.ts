import { isCompartment } from './compartments.js';
import type { SealedStoreExport } from './sealed-store.js';

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}

function expectObject(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new TypeError(`${path}: expected an object, got ${describe(value)}`);
  return value as Record<string, unknown>;
}

function expectArray(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) throw new TypeError(`${path}: expected an array, got ${describe(value)}`);
  return value;
}

function expectString(object: Record<string, unknown>, name: string, path: string): void {
  const value = object[name];
  if (typeof value !== 'string' || value.length === 0) throw new TypeError(`${path}.${name}: expected a non-empty string, got ${typeof value === 'string' ? 'an empty one' : describe(value)}`);
}

function expectCompartment(object: Record<string, unknown>, path: string): void {
  expectString(object, 'compartment', path);
  if (!isCompartment(object.compartment)) throw new TypeError(`${path}.compartment: expected one of the compartments, got ${JSON.stringify(object.compartment)}`);
}

/**
 * Checks that parsed JSON has the shape of a {@link SealedStoreExport} (before any key is used on it) and names
 * the first field that does not, e.g. `records[2].versionId: expected a non-empty string, got number`. It checks
 * shape only: whether the ciphertexts open is {@link openSealedStore}'s job.
 */
export function parseSealedStoreExport(value: unknown): SealedStoreExport {
  const store = expectObject(value, 'export');
  expectString(store, 'patient', 'export');
  expectArray(store.keys, 'export.keys').forEach((item, i) => {
    const key = expectObject(item, `keys[${i}]`);
    for (const name of ['keyId', 'envelope']) expectString(key, name, `keys[${i}]`);
    expectCompartment(key, `keys[${i}]`);
  });
  expectArray(store.records, 'export.records').forEach((item, i) => {
    const record = expectObject(item, `records[${i}]`);
    for (const name of ['resourceType', 'id', 'versionId', 'keyId', 'lastUpdated']) expectString(record, name, `records[${i}]`);
    expectCompartment(record, `records[${i}]`);
    if (typeof record.deleted !== 'boolean') throw new TypeError(`records[${i}].deleted: expected a boolean, got ${describe(record.deleted)}`);
    if (record.sealed !== undefined && record.sealed !== null) expectString(record, 'sealed', `records[${i}]`);
  });
  return value as SealedStoreExport;
}
