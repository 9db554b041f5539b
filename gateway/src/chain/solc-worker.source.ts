/**
 * Plain-JavaScript (CommonJS) body of the worker that runs solc-js, started with `new Worker(source, { eval: true })`.
 * It is a string rather than a sibling module because the worker must start both from `gateway/dist` and under
 * Jest, where the sources are TypeScript that Node cannot load and a worker does not go through ts-jest.
 *
 * workerData: `{ solcPath, nodeModulesDir, input }` (input is the standard-JSON string). Posts back
 * `{ output, version }`: solc's standard-JSON output string and its full version. The import callback resolves
 * imports that are not among our own sources (`@openzeppelin/...`) under `nodeModulesDir`; relative paths and
 * paths leaving it are refused, so a source cannot read arbitrary files.
 */
export const SOLC_WORKER_SOURCE = `'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const { readFileSync } = require('node:fs');
const { resolve, sep } = require('node:path');

const root = resolve(workerData.nodeModulesDir);
function importCallback(path) {
  const file = resolve(root, path);
  if (path.startsWith('.') || !file.startsWith(root + sep)) return { error: 'import ' + path + ': expected a package path under node_modules' };
  try {
    return { contents: readFileSync(file, 'utf8') };
  } catch {
    return { error: 'import ' + path + ': file not found under ' + root };
  }
}

const solc = require(workerData.solcPath);
const output = solc.compile(workerData.input, { import: importCallback });
parentPort.postMessage({ output, version: solc.version() });
`;
