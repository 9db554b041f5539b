/**
 * Chain test fixtures shared by the chain unit tests (gateway/src/chain) and the contract tests (contracts/test):
 * a recording logger, a real anvil with this repo's compiled contracts, and a custom-error decoder.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Interface, JsonRpcProvider } from 'ethers';
import {
  ANVIL_ACCOUNT0_PRIVATE_KEY,
  type ChainLogger,
  type CompilationResult,
  createProvider,
  createSigner,
  EmbeddedAnvil,
  type SerialNonceManager,
  SolidityCompiler,
} from '../../gateway/src/chain/index.js';

/** anvil's accounts 1 and 2 ("test test … junk"): an outsider and a second anchorer in tests. */
export const ANVIL_ACCOUNT1_PRIVATE_KEY = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d';
export const ANVIL_ACCOUNT2_PRIVATE_KEY = '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a';

/** A logger that keeps messages for assertions instead of printing them. */
export class RecordingLogger implements ChainLogger {
  readonly messages: Array<{ level: 'log' | 'warn' | 'error'; message: string }> = [];
  log(message: unknown): void {
    this.messages.push({ level: 'log', message: String(message) });
  }
  warn(message: unknown): void {
    this.messages.push({ level: 'warn', message: String(message) });
  }
  error(message: unknown): void {
    this.messages.push({ level: 'error', message: String(message) });
  }
  /** Messages of one level. */
  at(level: 'log' | 'warn' | 'error'): string[] {
    return this.messages.filter((m) => m.level === level).map((m) => m.message);
  }
}

/** A real anvil (through EmbeddedAnvil) in its own temp data dir, plus this repo's compiled contracts. */
export interface ChainFixture {
  readonly dataDir: string;
  readonly anvil: EmbeddedAnvil;
  readonly provider: JsonRpcProvider;
  /** anvil account 0: the deployer, admin and anchorer. */
  readonly admin: SerialNonceManager;
  readonly outsider: SerialNonceManager;
  readonly second: SerialNonceManager;
  readonly compilation: CompilationResult;
  readonly logger: RecordingLogger;
  /** Stops anvil and deletes the temp dir. */
  close(): Promise<void>;
}

/** Options of {@link startChainFixture}. */
export interface ChainFixtureOptions {
  /** Contracts compiled already (e.g. another fixture's): skips the compilation (~3 s) for a second chain. */
  readonly compilation?: CompilationResult;
}

/** Starts anvil on a free port in a fresh temp dir and compiles the contracts into that dir's cache. */
export async function startChainFixture(options: ChainFixtureOptions = {}): Promise<ChainFixture> {
  const dataDir = await mkdtemp(join(tmpdir(), 'chain-fixture-'));
  const logger = new RecordingLogger();
  const anvil = new EmbeddedAnvil({ dataDir, logger });
  try {
    const compiling = options.compilation ? Promise.resolve(options.compilation) : new SolidityCompiler({ cacheDir: join(dataDir, 'chain', 'artifacts'), logger }).compile();
    // Both settle before we go on (as in connectChain), so a failed compile never leaves anvil starting behind us.
    const [node, compiled] = await Promise.allSettled([anvil.start(), compiling]);
    if (node.status === 'rejected') throw node.reason;
    if (compiled.status === 'rejected') throw compiled.reason;
    const compilation = compiled.value;
    const provider = createProvider(anvil.url, anvil.chainId);
    return {
      dataDir,
      anvil,
      provider,
      admin: createSigner(ANVIL_ACCOUNT0_PRIVATE_KEY, provider),
      outsider: createSigner(ANVIL_ACCOUNT1_PRIVATE_KEY, provider),
      second: createSigner(ANVIL_ACCOUNT2_PRIVATE_KEY, provider),
      compilation,
      logger,
      async close() {
        provider.destroy();
        await anvil.stop();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await anvil.stop();
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
}

/** A decoded custom error: its name and arguments as plain values. */
export interface DecodedRevert {
  readonly name: string;
  readonly args: unknown[];
}

/**
 * Runs `action`, expects it to revert, and decodes the revert data with the contract's ABI (custom errors,
 * including the ones AuditAnchor inherits from OpenZeppelin).
 */
export async function revertOf(contract: { readonly interface: Interface }, action: () => Promise<unknown>): Promise<DecodedRevert> {
  try {
    await action();
  } catch (error) {
    const data = (error as { data?: string }).data ?? (error as { info?: { error?: { data?: string } } }).info?.error?.data;
    if (typeof data !== 'string') throw new Error(`expected revert data, got ${(error as Error).message}`, { cause: error });
    const parsed = contract.interface.parseError(data);
    if (!parsed) throw new Error(`expected a custom error of the contract, got data ${data}`, { cause: error });
    return { name: parsed.name, args: [...parsed.args] };
  }
  throw new Error('expected the call to revert, it succeeded');
}
