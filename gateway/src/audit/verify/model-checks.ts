import { type Discrepancy, entryDiscrepancy, short } from './discrepancy.js';
import type { PositionedEntry } from './entry-chain.js';

/** Entries that ran (or fed back on) a model: their `model.sha256` must be an approved file's hash. */
export const MODEL_ACTIONS: ReadonlySet<string> = new Set(['diagnose', 'diagnosis-accept', 'diagnosis-override']);

/**
 * The approved SHA-256 of each model version according to one source (the model files on disk; issue 7 adds the
 * on-chain ModelRegistry as a second source). Keyed `<id>@<version>`; hex digests, lowercase.
 */
export interface ApprovedModelHashes {
  /** Named in messages, e.g. `models/` or `ModelRegistry`. */
  readonly source: string;
  readonly hashes: ReadonlyMap<string, string>;
}

/** `<id>@<version>`. */
export const modelKey = (id: string, version: string) => `${id}@${version}`;

/** The model versions the log's inferences name, for a source to resolve. */
export function modelsNamed(entries: readonly PositionedEntry[]): { id: string; version: string }[] {
  const seen = new Map<string, { id: string; version: string }>();
  for (const { entry } of entries) {
    const model = entry?.model;
    if (!model || entry.outcome !== 'allowed' || !MODEL_ACTIONS.has(entry.action)) continue;
    seen.set(modelKey(model.id, model.version), { id: model.id, version: model.version });
  }
  return [...seen.values()];
}

/**
 * Check 4: every allowed inference (and feedback on one) names a model version whose hash every source approves:
 * `unknown-model` when a source has no such version, `model-hash-mismatch` when its hash differs.
 */
export function checkModels(entries: readonly PositionedEntry[], sources: readonly ApprovedModelHashes[]): { checked: number; discrepancies: Discrepancy[] } {
  const discrepancies: Discrepancy[] = [];
  let checked = 0;
  for (const { position, entry } of entries) {
    const model = entry?.model;
    if (!model || entry.outcome !== 'allowed' || !MODEL_ACTIONS.has(entry.action)) continue;
    checked += 1;
    const key = modelKey(model.id, model.version);
    for (const { source, hashes } of sources) {
      const approved = hashes.get(key);
      if (approved === undefined) discrepancies.push(entryDiscrepancy(position, 'unknown-model', `${source} has no model ${key}`));
      else if (approved !== String(model.sha256).toLowerCase()) discrepancies.push(entryDiscrepancy(position, 'model-hash-mismatch', `the entry names ${key} with SHA-256 ${short(String(model.sha256))}…, ${source} has ${short(approved)}…`));
    }
  }
  return { checked, discrepancies };
}
