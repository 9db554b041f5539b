import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChainLogger } from './chain-logger.js';
import { findRepoRoot, settlesWithin } from '../common/index.js';

/** What the pid file records about a running embedded anvil. */
export interface AnvilPidRecord {
  readonly pid: number;
  /** The gateway process that started it. */
  readonly ownerPid: number;
  readonly port: number;
  readonly stateFile: string;
  readonly startedAt: string;
}

/**
 * Path of the anvil binary for this platform, resolved through the package manager: Foundry publishes one npm
 * package per platform (`@foundry-rs/anvil-<os>-<arch>`). package.json lists the linux-amd64 one as an optional
 * dependency (the only build our registry serves); on another platform, `npm install` that platform's package.
 */
export function resolveAnvilBinary(): string {
  const arch = process.arch === 'x64' ? 'amd64' : process.arch;
  const pkg = `@foundry-rs/anvil-${process.platform}-${arch}`;
  const file = `bin/anvil${process.platform === 'win32' ? '.exe' : ''}`;
  const require = createRequire(import.meta.url);
  const candidates: Array<() => string> = [
    () => require.resolve(`${pkg}/${file}`),
    () => join(findRepoRoot(), 'node_modules', pkg, file),
  ];
  for (const candidate of candidates) {
    try {
      const path = candidate();
      if (existsSync(path)) return path;
    } catch {
      // Try the next way of finding it.
    }
  }
  throw new Error(`expected the anvil binary from ${pkg}, found none: run \`npm install --no-save ${pkg}\`, or set CHAIN_RPC_URL to use an external chain`);
}

/**
 * Wraps a command so that Linux sends it SIGTERM if this process dies, even by SIGKILL (prctl PR_SET_PDEATHSIG
 * through util-linux `setpriv`). SIGTERM rather than SIGKILL lets anvil dump its state first. Elsewhere the
 * command runs unwrapped and the pid file covers crashes.
 */
export function withParentDeathSignal(command: string, args: readonly string[]): [string, string[]] {
  const setpriv = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => process.platform === 'linux' && existsSync(p));
  return setpriv ? [setpriv, ['--pdeathsig', 'TERM', '--', command, ...args]] : [command, [...args]];
}

/** True if `pid` is a live process (zombies count as gone). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  const stat = procStat(pid);
  return stat === undefined || stat.state !== 'Z';
}

/** Waits until `pid` is gone; false on timeout. */
export async function waitForProcessExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isProcessAlive(pid)) {
    if (Date.now() > deadline) return false;
    await sleep(20);
  }
  return true;
}

/** How long to wait for a process to vanish after SIGKILL before giving up on it. */
const KILL_WAIT_MS = 2_000;

/**
 * Stops process `pid` the way anvil wants it: SIGTERM first (anvil then writes its state file) and SIGKILL if it
 * is still there after `graceMs`. The one place that escalates; used for our own node and for a stray one.
 * @param exited Settles once the process has exited. For a child of ours pass its `exit` event, so it is also
 *   reaped; by default `pid` is polled through /proc.
 * @returns `terminated` if SIGTERM was enough (or it was already gone), `killed` if it took SIGKILL.
 */
export async function terminateProcess(pid: number, graceMs: number, exited: Promise<unknown> = waitForProcessExit(pid, graceMs + KILL_WAIT_MS)): Promise<'terminated' | 'killed'> {
  if (!signalProcess(pid, 'SIGTERM') || (await settlesWithin(exited, graceMs))) return 'terminated';
  signalProcess(pid, 'SIGKILL');
  await settlesWithin(exited, KILL_WAIT_MS);
  return 'killed';
}

/** Sends `signal` to `pid`; false if there is no such process any more. */
function signalProcess(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

/** Writes the pid file (one JSON object) next to the state file. */
export async function writePidFile(file: string, record: AnvilPidRecord): Promise<void> {
  await writeFile(file, `${JSON.stringify(record)}\n`);
}

/** Removes the pid file if it still describes `pid` (a newer run may own it by now). */
export async function removePidFile(file: string, pid: number): Promise<void> {
  const record = await readPidFile(file);
  if (record?.pid === pid) await rm(file, { force: true });
}

/**
 * Kills an anvil left running by a previous run of this data directory (the gateway crashed or was killed
 * before it could stop it), after checking through /proc that the pid still is that anvil, so a reused pid never
 * kills an unrelated process.
 * @throws Error when the anvil belongs to a gateway that is still running on the same data directory.
 */
export async function reapStaleAnvil(pidFile: string, stateFile: string, logger: ChainLogger): Promise<void> {
  const record = await readPidFile(pidFile);
  if (!record) return;
  const alive = isProcessAlive(record.pid);
  const cmdline = alive ? procCmdline(record.pid) : undefined;
  if (alive && cmdline === undefined) {
    logger.warn(`pid file ${pidFile} names live pid ${record.pid}; cannot verify it is our anvil without /proc, leaving it alone`);
  }
  const isOurAnvil = cmdline !== undefined && cmdline.some((arg) => basename(arg).startsWith('anvil')) && cmdline.includes(stateFile);
  if (!isOurAnvil) {
    await rm(pidFile, { force: true });
    return;
  }
  const owner = procStat(record.pid)?.ppid;
  // Still the child of the live process that started it (possibly this one, through another instance): in use.
  if (owner === record.ownerPid && isProcessAlive(record.ownerPid)) {
    throw new Error(`expected no other gateway on this data directory, but anvil pid ${record.pid} belongs to running process ${record.ownerPid} (${stateFile}); stop it or use another DATA_DIR`);
  }
  logger.warn(`stopping anvil pid ${record.pid} left running by a previous run (owner pid ${record.ownerPid} is gone)`);
  await terminateProcess(record.pid, 5_000);
  await rm(pidFile, { force: true });
}

/**
 * Whether process `pid` holds the TCP socket listening on `port` (Linux: /proc/net/tcp{,6} give the listening
 * socket's inode, /proc/<pid>/fd links name the process's sockets; proc(5)). Tells our node apart from another
 * process that already answered on the same port. Undefined when the platform cannot tell.
 */
export function listensOn(pid: number, port: number): boolean | undefined {
  const inodes = new Set<string>();
  try {
    for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
      if (!existsSync(table)) continue;
      for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
        const fields = line.trim().split(/\s+/);
        // local_address is HEXIP:HEXPORT; state 0A is LISTEN; field 9 is the inode.
        if (fields.length > 9 && fields[3] === '0A' && parseInt(fields[1]?.split(':')[1] ?? '', 16) === port) inodes.add(fields[9] ?? '');
      }
    }
    if (inodes.size === 0) return false;
    return readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try {
        return inodes.has(/^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1] ?? '');
      } catch {
        return false;
      }
    });
  } catch {
    return undefined;
  }
}

async function readPidFile(file: string): Promise<AnvilPidRecord | undefined> {
  try {
    const record = JSON.parse(await readFile(file, 'utf8')) as Partial<AnvilPidRecord>;
    return Number.isInteger(record.pid) && Number.isInteger(record.ownerPid) ? (record as AnvilPidRecord) : undefined;
  } catch {
    return undefined;
  }
}

/** argv of a process from /proc (Linux), or undefined. */
function procCmdline(pid: number): string[] | undefined {
  try {
    const raw = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return raw.length > 0 ? raw.split('\0').filter((a) => a.length > 0) : undefined;
  } catch {
    return undefined;
  }
}

/** State letter and parent pid from /proc/<pid>/stat (proc(5)); the command name may contain spaces and ')'. */
function procStat(pid: number): { state: string; ppid: number } | undefined {
  try {
    const raw = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = raw.slice(raw.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0] ?? '', ppid: Number(fields[1]) };
  } catch {
    return undefined;
  }
}
