import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Logger } from '@nestjs/common';
import { listensOn, reapStaleAnvil, removePidFile, resolveAnvilBinary, terminateProcess, withParentDeathSignal, writePidFile } from './anvil-process.js';
import { trackChild, untrackChild } from './anvil-reaper.js';
import type { ChainLogger } from './chain-logger.js';
import { fetchChainId } from './chain-provider.js';
import { freePort } from '../common/index.js';

/** Chain id of the embedded development chain (anvil's default, recognised by wallets as a local chain). */
export const EMBEDDED_CHAIN_ID = 31337;

/** Options of {@link EmbeddedAnvil}. */
export interface EmbeddedAnvilOptions {
  /** The gateway's data directory; anvil keeps `chain/anvil-state.json` and `chain/anvil.pid` in it. */
  readonly dataDir: string;
  readonly chainId?: number;
  readonly host?: string;
  /** Fixed port; by default a free one is picked (and re-picked if another process takes it first). */
  readonly port?: number;
  /** How often anvil writes its state to disk besides on exit; bounds what a crash can lose. Default 1 s. */
  readonly stateIntervalSeconds?: number;
  /** How long to wait for the node to answer `eth_chainId`. Default 15 s. */
  readonly startTimeoutMs?: number;
  readonly binaryPath?: string;
  readonly logger?: ChainLogger;
}

/** Lifecycle state of the embedded node; `crashed` means it exited without being asked to. */
export type AnvilState = 'idle' | 'starting' | 'running' | 'stopping' | 'stopped' | 'crashed';

/** A snapshot of the node's state for readiness reporting. */
export interface AnvilStatus {
  readonly state: AnvilState;
  readonly detail: string;
  readonly pid?: number;
}

const PORT_RETRIES = 3;

/**
 * A local anvil node run as a child process: the embedded chain of `npm start`. Its state persists in the data
 * directory, so consents and anchors survive a restart; it runs in its own process group (a terminal's Ctrl-C
 * does not reach it), and is stopped on {@link stop}, on process exit and on SIGINT/SIGTERM of this process
 * (see anvil-reaper.ts); and an unexpected exit is logged and reported through {@link status} and {@link onCrash}.
 */
export class EmbeddedAnvil {
  readonly chainId: number;
  readonly stateFile: string;
  readonly pidFile: string;
  private readonly logger: ChainLogger;
  private child?: ChildProcess;
  private state: AnvilState = 'idle';
  private detail = 'not started';
  private port?: number;
  private stderrTail = '';
  private readonly crashListeners = new Set<(status: AnvilStatus) => void>();

  constructor(private readonly options: EmbeddedAnvilOptions) {
    this.chainId = options.chainId ?? EMBEDDED_CHAIN_ID;
    this.stateFile = join(options.dataDir, 'chain', 'anvil-state.json');
    this.pidFile = join(options.dataDir, 'chain', 'anvil.pid');
    this.logger = options.logger ?? new Logger('EmbeddedAnvil');
  }

  /** JSON-RPC endpoint of the running node. */
  get url(): string {
    if (this.port === undefined) throw new Error('expected a started anvil, got one that was never started');
    return `http://${this.options.host ?? '127.0.0.1'}:${this.port}`;
  }

  /** Process id of the node while it runs. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** The current lifecycle state, with a human-readable detail (exit code or signal after a crash). */
  status(): AnvilStatus {
    return { state: this.state, detail: this.detail, ...(this.child?.pid ? { pid: this.child.pid } : {}) };
  }

  /** Calls `listener` if the node exits without being stopped. Returns a function that unsubscribes. */
  onCrash(listener: (status: AnvilStatus) => void): () => void {
    this.crashListeners.add(listener);
    return () => this.crashListeners.delete(listener);
  }

  /**
   * Starts the node and resolves once it answers `eth_chainId` with the expected chain id.
   * @returns The JSON-RPC URL.
   * @throws Error when the node cannot start (the message carries anvil's own error output) or does not answer in time.
   */
  async start(): Promise<string> {
    if (this.state === 'starting' || this.state === 'running') throw new Error(`expected a stopped anvil, got one that is ${this.state}`);
    const started = performance.now();
    await mkdir(join(this.options.dataDir, 'chain'), { recursive: true });
    await reapStaleAnvil(this.pidFile, this.stateFile, this.logger);
    for (let attempt = 1; ; attempt++) {
      const port = this.options.port ?? (await freePort(this.options.host));
      try {
        await this.launch(port);
        break;
      } catch (error) {
        const portTaken = /address already in use/i.test((error as Error).message);
        if (!portTaken || this.options.port !== undefined || attempt >= PORT_RETRIES) throw error;
      }
    }
    const pid = this.child!.pid!;
    await writePidFile(this.pidFile, { pid, ownerPid: process.pid, port: this.port!, stateFile: this.stateFile, startedAt: new Date().toISOString() });
    this.logger.log(`anvil pid ${pid} answering at ${this.url} (chain id ${this.chainId}, state ${this.stateFile}) after ${Math.round(performance.now() - started)} ms`);
    return this.url;
  }

  /**
   * Stops the node with SIGTERM (anvil then writes its state file) and SIGKILL after `timeoutMs`. Idempotent.
   */
  async stop(timeoutMs = 5_000): Promise<void> {
    const child = this.child;
    if (!child || this.state === 'stopped' || this.state === 'idle') return;
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      this.state = 'stopping';
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      if ((await terminateProcess(child.pid, timeoutMs, exited)) === 'killed') {
        this.logger.warn(`anvil pid ${child.pid} ignored SIGTERM for ${timeoutMs} ms and was killed with SIGKILL (its last state dump may be lost)`);
      }
    }
    untrackChild(child);
    if (child.pid) await removePidFile(this.pidFile, child.pid);
    this.state = 'stopped';
    this.detail = 'stopped';
  }

  private async launch(port: number): Promise<void> {
    const binary = this.options.binaryPath ?? resolveAnvilBinary();
    const args = ['--host', this.options.host ?? '127.0.0.1', '--port', String(port), '--silent', '--chain-id', String(this.chainId),
      '--state', this.stateFile, '--state-interval', String(this.options.stateIntervalSeconds ?? 1)];
    const [command, argv] = withParentDeathSignal(binary, args);
    // `detached`: its own process group (and session), so a terminal's Ctrl-C (SIGINT to the foreground group)
    // reaches only the gateway, whose shutdown may still anchor before it stops the node. It stays our child: not
    // unref'd, it keeps the event loop alive until stopped; the parent-death signal and the pid file still cover
    // a gateway that dies without stopping it.
    const child = spawn(command, argv, { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    this.child = child;
    this.port = port;
    this.state = 'starting';
    this.detail = 'starting';
    this.stderrTail = '';
    trackChild(child);
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-2_000);
    });
    const failed = new Promise<never>((_, reject) => {
      child.once('error', (error) => reject(new Error(`expected to spawn anvil (${binary}), got ${error.message}`)));
      child.once('exit', (code, signal) => reject(new Error(`anvil exited during startup with ${describeExit(code, signal)}: ${this.stderrTail.trim() || 'no output'}`)));
    });
    failed.catch(() => undefined); // only the race below reads it; later rejections (a normal exit) are expected
    child.on('exit', (code, signal) => this.onExit(child, code, signal));
    const polling = new AbortController();
    try {
      // Another process may answer on the port before ours fails to bind it: only our listener counts as started.
      const ours = () => child.pid !== undefined && listensOn(child.pid, port) !== false;
      await Promise.race([waitForChainId(this.url, this.chainId, this.options.startTimeoutMs ?? 15_000, ours, polling.signal), failed]);
    } catch (error) {
      if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGKILL');
        await exited;
      }
      untrackChild(child);
      this.state = 'stopped';
      this.detail = (error as Error).message;
      throw error;
    } finally {
      polling.abort(); // stop polling when the node exited first
    }
    this.state = 'running';
    this.detail = `running at ${this.url}`;
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    untrackChild(child);
    if (child !== this.child || this.state !== 'running') return;
    this.state = 'crashed';
    this.detail = `anvil pid ${child.pid} exited unexpectedly with ${describeExit(code, signal)}${this.stderrTail ? `: ${this.stderrTail.trim()}` : ''}`;
    this.logger.error(this.detail);
    for (const listener of this.crashListeners) listener(this.status());
  }
}

function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `signal ${signal}` : `exit code ${code}`;
}

/** Polls `eth_chainId` until the node answers with `chainId` and `isOurs()` confirms who answered. */
async function waitForChainId(url: string, chainId: number, timeoutMs: number, isOurs: () => boolean, signal: AbortSignal): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!signal.aborted) {
    try {
      // Anything else (a foreign node on the port, not bound yet) means: keep polling until ours answers or exits.
      if ((await fetchChainId(url, 1_000, signal)) === chainId && isOurs()) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`expected anvil to answer eth_chainId ${chainId} at ${url} within ${timeoutMs} ms, got no answer`);
    await sleep(15);
  }
}
