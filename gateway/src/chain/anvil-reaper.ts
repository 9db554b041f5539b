import type { ChildProcess } from 'node:child_process';

/**
 * Process-wide safety net that stops tracked child processes (embedded anvil nodes) when this process goes away,
 * so no chain node outlives the gateway. One set of listeners serves every instance.
 *
 * - `exit`: always fires on a normal exit or `process.exit()`; only synchronous work is possible there, and
 *   sending SIGTERM is synchronous (anvil then dumps its state and exits on its own).
 * - SIGINT/SIGTERM: adding a listener disables Node's default "terminate" action. When nobody else listens we
 *   stop the children and re-raise the signal, keeping the default behaviour. When someone else listens (Nest's
 *   `enableShutdownHooks`), the app is shutting down gracefully and may still need the chain (a final anchor),
 *   so we leave the stop to the app and only arm a fallback timer. The children run in their own process group,
 *   so a terminal's Ctrl-C reaches only this process and they stay up until then.
 * - SIGKILL of this process cannot be caught: on Linux the child is started under `setpriv --pdeathsig`, and a
 *   pid file lets the next start kill a node that was left behind anyway.
 */
const tracked = new Set<ChildProcess>();
const SIGNALS = ['SIGINT', 'SIGTERM'] as const;
/** How long a graceful shutdown may keep the chain before the fallback stops it. */
const GRACE_MS = 10_000;

function killAll(): void {
  for (const child of tracked) {
    try {
      child.kill('SIGTERM');
    } catch {
      // Already gone: nothing to stop.
    }
  }
}

function onSignal(signal: NodeJS.Signals): void {
  if (process.listenerCount(signal) > 1) {
    setTimeout(killAll, GRACE_MS).unref();
    return;
  }
  killAll();
  uninstall();
  process.kill(process.pid, signal);
}

let installed = false;

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', killAll);
  for (const signal of SIGNALS) process.on(signal, onSignal);
}

function uninstall(): void {
  if (!installed) return;
  installed = false;
  process.off('exit', killAll);
  for (const signal of SIGNALS) process.off(signal, onSignal);
}

/** Stops `child` when this process exits or is interrupted, until {@link untrackChild} is called. */
export function trackChild(child: ChildProcess): void {
  tracked.add(child);
  install();
}

/** Forgets `child` (it has been stopped); the process listeners go away with the last tracked child. */
export function untrackChild(child: ChildProcess): void {
  tracked.delete(child);
  if (tracked.size === 0) uninstall();
}
