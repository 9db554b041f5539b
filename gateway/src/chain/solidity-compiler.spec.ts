import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RecordingLogger } from '../../../test/support/chain-fixture.js';
import { findRepoRoot } from '../common/index.js';
import { SOLC_SETTINGS, SolidityCompiler } from './solidity-compiler.js';

const repo = findRepoRoot();
const nodeModulesDir = join(repo, 'node_modules');
const SPDX = '// SPDX-License-Identifier: Apache-2.0\n';

describe('SolidityCompiler', () => {
  let dir: string;
  let contractsDir: string;
  let cacheDir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'solc-cache-'));
    contractsDir = join(dir, 'contracts');
    cacheDir = join(dir, 'artifacts');
    await mkdir(contractsDir);
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const compiler = (logger: RecordingLogger) => new SolidityCompiler({ contractsDir, cacheDir, nodeModulesDir, logger });

  it('compiles every contract with OpenZeppelin imports, then answers the same build from the cache', async () => {
    await cp(join(repo, 'contracts'), contractsDir, { recursive: true, filter: (src) => !src.includes(`${join(repo, 'contracts', 'test')}`) });
    await mkdir(join(contractsDir, 'test'), { recursive: true });
    await writeFile(join(contractsDir, 'test', 'Helper.sol'), `${SPDX}pragma solidity ^0.8.24; contract TestOnlyHelper {}`);

    const first = await compiler(new RecordingLogger()).compile();
    expect(first.cacheHit).toBe(false);
    expect(first.settings).toEqual({ evmVersion: 'cancun', optimizer: { enabled: true, runs: 200 } });
    expect(first.compilerVersion).toMatch(/^0\.8\.30\+commit\./);
    expect(Object.keys(first.contracts).sort()).toEqual(['AuditAnchor', 'ConsentRegistry', 'IAuditAnchor', 'IConsentRegistry', 'IModelGovernor', 'IModelRegistry', 'IStewardToken', 'ModelGovernor', 'ModelRegistry', 'ModelTimelock', 'StewardToken']);
    expect(first.contracts['AuditAnchor']).toMatchObject({ contractName: 'AuditAnchor', sourceName: 'AuditAnchor.sol', immutableReferences: {} });
    expect(first.contracts['AuditAnchor']!.bytecode).toMatch(/^0x60[0-9a-f]{100,}$/);
    expect(first.contracts['IAuditAnchor']!.bytecode).toBe('0x');
    expect(await readdir(cacheDir)).toEqual([`${first.buildHash}.json`]);

    const logger = new RecordingLogger();
    const second = await compiler(logger).compile();
    expect(second).toEqual({ ...first, cacheHit: true });
    expect(logger.at('log')).toEqual([expect.stringMatching(/^cache hit [0-9a-f]{12}: 11 contracts in \d+ ms$/)]);
  });

  it('recompiles when a source changes, even by a comment', async () => {
    const source = `${SPDX}pragma solidity ^0.8.24;\ncontract Tiny { function one() external pure returns (uint256) { return 1; } }\n`;
    await writeFile(join(contractsDir, 'Tiny.sol'), source);
    const logger = new RecordingLogger();
    const first = await compiler(logger).compile();
    await writeFile(join(contractsDir, 'Tiny.sol'), `// changed\n${source}`);
    const second = await compiler(logger).compile();

    expect(second.cacheHit).toBe(false);
    expect(second.buildHash).not.toBe(first.buildHash);
    expect(logger.at('log')).toEqual([expect.stringMatching(/^compiled 1 contracts with solc 0\.8\.30/), expect.stringMatching(/^compiled 1 contracts/)]);
    expect((await readdir(cacheDir)).sort()).toEqual([`${first.buildHash}.json`, `${second.buildHash}.json`].sort());
  });

  it('recompiles when the cached file is corrupt', async () => {
    await writeFile(join(contractsDir, 'Tiny.sol'), `${SPDX}pragma solidity ^0.8.24; contract Tiny {}`);
    const first = await compiler(new RecordingLogger()).compile();
    await writeFile(join(cacheDir, `${first.buildHash}.json`), '{"truncated');
    const again = await compiler(new RecordingLogger()).compile();
    expect(again).toEqual(first);
    expect(JSON.parse(await readFile(join(cacheDir, `${first.buildHash}.json`), 'utf8')).buildHash).toBe(first.buildHash);
  });

  it('logs compiler warnings', async () => {
    await writeFile(join(contractsDir, 'Warn.sol'), `${SPDX}pragma solidity ^0.8.24; contract Warn { function f() external pure { uint256 unused; } }`);
    const logger = new RecordingLogger();
    await compiler(logger).compile();
    expect(logger.at('warn')).toEqual([expect.stringMatching(/^solc warning: Warning: Unused local variable\./)]);
  });

  it('throws with solc\'s message when a source does not compile, and caches nothing', async () => {
    await writeFile(join(contractsDir, 'Broken.sol'), `${SPDX}pragma solidity ^0.8.24; contract Broken { function f( }`);
    await expect(compiler(new RecordingLogger()).compile()).rejects.toThrow(/^solc failed to compile contracts:\nParserError: .*\n --> Broken\.sol:2:/);
    await expect(readdir(cacheDir)).rejects.toThrow(/ENOENT/);
  });

  it('refuses to start without any source', async () => {
    await expect(compiler(new RecordingLogger()).compile()).rejects.toThrow(`expected Solidity sources under ${contractsDir}, found none`);
  });

  it('uses the cancun EVM with the optimizer at 200 runs', () => {
    expect(SOLC_SETTINGS).toEqual({ evmVersion: 'cancun', optimizer: { enabled: true, runs: 200 } });
  });
});
