import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { withTimeout } from '../common/index.js';
import { SOLC_WORKER_SOURCE } from './solc-worker.source.js';

/** How long one solc run may take before the worker is terminated (a full cold build takes a few seconds). */
export const SOLC_WORKER_TIMEOUT_MS = 120_000;

/** What {@link compileInWorker} answers. */
export interface SolcWorkerResult {
  /** solc's standard-JSON output, unparsed. */
  readonly output: string;
  /** Full solc version string, e.g. `0.8.30+commit.73712a01.Emscripten.clang`. */
  readonly version: string;
}

/**
 * Runs `solc.compile(input)` in a short-lived worker thread and terminates it afterwards (also on error or
 * timeout), so the emscripten compiler's hundreds of MiB are returned instead of staying resident in the gateway.
 * @param input Standard-JSON input, as a string.
 * @param nodeModulesDir Where non-relative imports (`@openzeppelin/...`) are read from.
 * @throws Error from solc-js itself (not compile errors, which are in the output), or a TimeoutError.
 */
export async function compileInWorker(input: string, nodeModulesDir: string, timeoutMs = SOLC_WORKER_TIMEOUT_MS): Promise<SolcWorkerResult> {
  const solcPath = createRequire(import.meta.url).resolve('solc');
  const worker = new Worker(SOLC_WORKER_SOURCE, { eval: true, workerData: { solcPath, nodeModulesDir, input } });
  const answer = new Promise<SolcWorkerResult>((resolve, reject) => {
    worker.once('message', (message: SolcWorkerResult) => resolve(message));
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`expected the solc worker to answer, it exited with code ${code}`)));
  });
  try {
    return await withTimeout(answer, timeoutMs);
  } finally {
    await worker.terminate();
  }
}
