import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Logger } from '@nestjs/common';
import type { JsonFragment } from 'ethers';
import type { ChainLogger } from './chain-logger.js';
import { findRepoRoot } from '../common/index.js';
import { compileInWorker } from './solc-worker.js';
import { collectSources, importedPackages, packageVersion, type SoliditySources } from './solidity-sources.js';

/**
 * Compiler settings for every build. `cancun` runs on anvil and on current L2s (Plume, Arbitrum Nitro), which do
 * not all support later forks yet; the optimizer keeps larger contracts under the EIP-170 24,576-byte limit.
 */
export const SOLC_SETTINGS = { evmVersion: 'cancun', optimizer: { enabled: true, runs: 200 } } as const;

const OUTPUT_SELECTION = {
  '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object', 'evm.deployedBytecode.immutableReferences'] },
};
/** Bumped whenever the cached artifact shape changes, so old cache files are ignored rather than misread. */
const ARTIFACT_FORMAT = 1;

/** Byte ranges of an immutable variable inside runtime code (solc `immutableReferences`). */
export interface ImmutableReference {
  readonly start: number;
  readonly length: number;
}

/** What the gateway needs of one compiled contract. */
export interface ContractArtifact {
  readonly contractName: string;
  /** Source unit name relative to `contracts/`, e.g. `AuditAnchor.sol`. */
  readonly sourceName: string;
  readonly abi: readonly JsonFragment[];
  /** 0x-prefixed creation code (`0x` for interfaces and abstract contracts). */
  readonly bytecode: string;
  /** 0x-prefixed runtime code as solc emits it (immutables still zero). */
  readonly deployedBytecode: string;
  readonly immutableReferences: Readonly<Record<string, readonly ImmutableReference[]>>;
}

/** One build of every contract under `contracts/`. */
export interface CompilationResult {
  /** SHA-256 (hex) over the sources, imported package versions, compiler version and settings: the cache key. */
  readonly buildHash: string;
  /** Full solc version string, e.g. `0.8.30+commit.73712a01.Emscripten.clang`. */
  readonly compilerVersion: string;
  readonly settings: typeof SOLC_SETTINGS;
  /** Contracts declared in our own sources, by contract name. */
  readonly contracts: Readonly<Record<string, ContractArtifact>>;
  /** True when the artifacts came from the on-disk cache and solc was not loaded. */
  readonly cacheHit: boolean;
}

/** Options of {@link SolidityCompiler}. */
export interface SolidityCompilerOptions {
  /** Where artifacts are cached, normally `<dataDir>/chain/artifacts`. */
  readonly cacheDir: string;
  /** Defaults to `<repo>/contracts`. */
  readonly contractsDir?: string;
  /** Defaults to `<repo>/node_modules`; imports such as `@openzeppelin/...` resolve here. */
  readonly nodeModulesDir?: string;
  readonly logger?: ChainLogger;
}

interface SolcDiagnostic {
  severity: 'error' | 'warning' | 'info';
  formattedMessage?: string;
  message: string;
}
interface SolcContractOutput {
  abi: JsonFragment[];
  evm: { bytecode: { object: string }; deployedBytecode: { object: string; immutableReferences?: Record<string, ImmutableReference[]> } };
}
interface SolcOutput {
  errors?: SolcDiagnostic[];
  contracts?: Record<string, Record<string, SolcContractOutput>>;
}

/**
 * Compiles the repository's Solidity with solc-js (standard JSON, offline) and caches the artifacts on disk,
 * keyed by a SHA-256 of everything that determines the output, so a warm start never loads the ~8 MB compiler. A cold
 * build runs solc in a short-lived worker thread (see {@link compileInWorker}), so its memory is returned afterwards.
 */
export class SolidityCompiler {
  private readonly contractsDir: string;
  private readonly nodeModulesDir: string;
  private readonly logger: ChainLogger;

  constructor(private readonly options: SolidityCompilerOptions) {
    this.contractsDir = options.contractsDir ?? join(findRepoRoot(), 'contracts');
    this.nodeModulesDir = options.nodeModulesDir ?? join(findRepoRoot(), 'node_modules');
    this.logger = options.logger ?? new Logger('SolidityCompiler');
  }

  /**
   * Returns the artifacts of every contract, from the cache when the inputs are unchanged.
   * @throws Error carrying solc's formatted messages when the sources do not compile.
   */
  async compile(): Promise<CompilationResult> {
    const started = performance.now();
    const sources = await collectSources(this.contractsDir);
    const solcVersion = packageVersion(this.nodeModulesDir, 'solc');
    const buildHash = this.buildHash(sources, solcVersion);
    const cacheFile = join(this.options.cacheDir, `${buildHash}.json`);

    const cached = await readCache(cacheFile, buildHash);
    if (cached) {
      this.logger.log(`cache hit ${buildHash.slice(0, 12)}: ${Object.keys(cached.contracts).length} contracts in ${elapsed(started)} ms`);
      return { ...cached, cacheHit: true };
    }

    // solc runs in a worker that is terminated afterwards: loaded here, the compiler would stay resident (~170 MiB).
    const input = { language: 'Solidity', sources: mapValues(sources, (content) => ({ content })), settings: { ...SOLC_SETTINGS, outputSelection: OUTPUT_SELECTION } };
    const compiled = await compileInWorker(JSON.stringify(input), this.nodeModulesDir);
    const output = JSON.parse(compiled.output) as SolcOutput;
    this.report(output.errors ?? []);

    const result: Omit<CompilationResult, 'cacheHit'> = {
      buildHash,
      compilerVersion: compiled.version,
      settings: SOLC_SETTINGS,
      contracts: extractContracts(output, sources),
    };
    await mkdir(this.options.cacheDir, { recursive: true });
    // Write then rename: a crash or a concurrent start never leaves a half-written artifact under the final name.
    const partial = `${cacheFile}.${process.pid}.tmp`;
    await writeFile(partial, JSON.stringify({ format: ARTIFACT_FORMAT, ...result }));
    await rename(partial, cacheFile);
    this.logger.log(`compiled ${Object.keys(result.contracts).length} contracts with solc ${result.compilerVersion} in ${elapsed(started)} ms (build ${buildHash.slice(0, 12)})`);
    return { ...result, cacheHit: false };
  }

  private buildHash(sources: SoliditySources, solcVersion: string): string {
    const packages = Object.fromEntries(importedPackages(sources).map((name) => [name, packageVersion(this.nodeModulesDir, name)]));
    const hashes = mapValues(sources, (text) => createHash('sha256').update(text).digest('hex'));
    const material = JSON.stringify({ format: ARTIFACT_FORMAT, solc: solcVersion, settings: SOLC_SETTINGS, outputSelection: OUTPUT_SELECTION, packages, sources: hashes });
    return createHash('sha256').update(material).digest('hex');
  }

  private report(diagnostics: readonly SolcDiagnostic[]): void {
    const errors = diagnostics.filter((d) => d.severity === 'error');
    for (const d of diagnostics) {
      if (d.severity === 'warning') this.logger.warn(`solc warning: ${(d.formattedMessage ?? d.message).trim()}`);
    }
    if (errors.length > 0) {
      throw new Error(`solc failed to compile contracts:\n${errors.map((d) => (d.formattedMessage ?? d.message).trim()).join('\n')}`);
    }
  }
}

function extractContracts(output: SolcOutput, sources: SoliditySources): Record<string, ContractArtifact> {
  const contracts: Record<string, ContractArtifact> = {};
  for (const sourceName of Object.keys(sources)) {
    for (const [contractName, c] of Object.entries(output.contracts?.[sourceName] ?? {})) {
      const clash = contracts[contractName];
      if (clash) throw new Error(`expected unique contract names, got ${contractName} in both ${clash.sourceName} and ${sourceName}`);
      contracts[contractName] = {
        contractName,
        sourceName,
        abi: c.abi,
        bytecode: `0x${c.evm.bytecode.object}`,
        deployedBytecode: `0x${c.evm.deployedBytecode.object}`,
        immutableReferences: c.evm.deployedBytecode.immutableReferences ?? {},
      };
    }
  }
  return contracts;
}

async function readCache(file: string, buildHash: string): Promise<Omit<CompilationResult, 'cacheHit'> | undefined> {
  try {
    const data = JSON.parse(await readFile(file, 'utf8')) as Omit<CompilationResult, 'cacheHit'> & { format?: number };
    if (data.format !== ARTIFACT_FORMAT || data.buildHash !== buildHash || typeof data.contracts !== 'object') return undefined;
    const { format: _format, ...result } = data;
    return result;
  } catch {
    return undefined; // Missing or unreadable cache: recompile.
  }
}

function mapValues<T, U>(record: Readonly<Record<string, T>>, fn: (value: T) => U): Record<string, U> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, fn(v)]));
}

function elapsed(started: number): number {
  return Math.round(performance.now() - started);
}
