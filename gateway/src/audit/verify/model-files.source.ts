import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type ApprovedModelHashes, modelKey } from './model-checks.js';

/**
 * The approved hashes according to the model files: SHA-256 of `<dir>/<id>/<version>/model.onnx` (the layout of
 * models/), for each version the log names. A version whose file is missing is left out (`unknown-model`).
 */
export async function modelFileHashes(dir: string, models: readonly { id: string; version: string }[]): Promise<ApprovedModelHashes> {
  const hashes = new Map<string, string>();
  for (const { id, version } of models) {
    // Ids and versions come from the log: never let one walk out of the models directory.
    if (!/^[\w.-]+$/.test(id) || !/^[\w.-]+$/.test(version) || id.startsWith('.') || version.startsWith('.')) continue;
    try {
      hashes.set(modelKey(id, version), createHash('sha256').update(await readFile(join(dir, id, version, 'model.onnx'))).digest('hex'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  return { source: `${dir.replace(/\/+$/, '')}/`, hashes };
}
