import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { freePort } from './ports.js';

/** The compiled gateway, as `npm start` runs it after its build step. */
const main = join(resolve(import.meta.dirname, '../..'), 'gateway/dist/main.js');

/** The embedded anvil's pid, from the pid file the chain module writes (JSON: pid, ownerPid, port, …). */
export function anvilPidOf(dataDir: string): number {
  return (JSON.parse(readFileSync(join(dataDir, 'chain', 'anvil.pid'), 'utf8')) as { pid: number }).pid;
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function waitUntil(what: string, predicate: () => Promise<boolean> | boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Resolves once the child exited and its stdout/stderr are drained ('close', not 'exit': pipes may still hold output). */
export function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((ok) => {
    const streamsDone = child.stdout?.readableEnded !== false && child.stderr?.readableEnded !== false;
    if ((child.exitCode !== null || child.signalCode !== null) && streamsDone) ok({ code: child.exitCode, signal: child.signalCode });
    else child.once('close', (code, signal) => ok({ code, signal }));
  });
}

/** Boots the compiled gateway exactly as `npm start` does (after its build step), as a child process. */
export async function boot(dataDir: string, env: NodeJS.ProcessEnv = {}): Promise<{ child: ChildProcess; base: string; output: () => string }> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let output = '';
  const child = spawn(process.execPath, [main], {
    env: { PATH: process.env['PATH'], NODE_ENV: 'development', PORT: String(port), PUBLIC_URL: base, DATA_DIR: dataDir, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, like a shell job: a terminal's Ctrl-C goes to the whole group.
    detached: true,
  });
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  return { child, base, output: () => output };
}

export async function readyStatus(base: string): Promise<number> {
  try {
    return (await fetch(`${base}/health/ready`)).status;
  } catch {
    return 0;
  }
}
