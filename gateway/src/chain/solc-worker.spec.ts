import { join } from 'node:path';
import { findRepoRoot, TimeoutError } from '../common/index.js';
import { compileInWorker } from './solc-worker.js';

const nodeModulesDir = join(findRepoRoot(), 'node_modules');
const SPDX = '// SPDX-License-Identifier: Apache-2.0\n';

interface Output {
  errors?: Array<{ severity: string; message: string }>;
  contracts?: Record<string, Record<string, unknown>>;
}

const input = (imports: readonly string[]) =>
  JSON.stringify({
    language: 'Solidity',
    sources: { 'A.sol': { content: `${SPDX}pragma solidity ^0.8.24;\n${imports.map((i) => `import "${i}";\n`).join('')}contract A {}` } },
    settings: { outputSelection: { '*': { '*': ['abi'] } } },
  });

describe('compileInWorker', () => {
  it('compiles in a worker, reading package imports from node_modules, and reports the compiler version', async () => {
    const { output, version } = await compileInWorker(input(['@openzeppelin/contracts/access/AccessControl.sol']), nodeModulesDir);
    const parsed = JSON.parse(output) as Output;
    expect(version).toMatch(/^0\.8\.30\+commit\./);
    expect(parsed.errors ?? []).toEqual([]);
    expect(Object.keys(parsed.contracts ?? {})).toEqual(expect.arrayContaining(['A.sol', '@openzeppelin/contracts/access/AccessControl.sol']));
  });

  it('refuses imports that leave node_modules or are not there, naming them', async () => {
    const { output } = await compileInWorker(input(['@openzeppelin/../../package.json', '@openzeppelin/contracts/Missing.sol']), nodeModulesDir);
    const messages = ((JSON.parse(output) as Output).errors ?? []).map((e) => e.message).join('\n');
    expect(messages).toContain('import @openzeppelin/../../package.json: expected a package path under node_modules');
    expect(messages).toContain(`import @openzeppelin/contracts/Missing.sol: file not found under ${nodeModulesDir}`);
  });

  it('gives up with a TimeoutError when solc does not answer in time', async () => {
    await expect(compileInWorker(input([]), nodeModulesDir, 1)).rejects.toBeInstanceOf(TimeoutError);
  });
});
