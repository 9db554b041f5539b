import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { spawnTypeScriptChild } from '../../../test/support/chain-child-process.js';
import { RecordingLogger } from '../../../test/support/chain-fixture.js';
import { isProcessAlive, resolveAnvilBinary, waitForProcessExit } from './anvil-process.js';
import { type AnvilStatus, EmbeddedAnvil } from './embedded-anvil.js';
import { findRepoRoot, freePort } from '../common/index.js';

async function rpc(url: string, method: string, params: unknown[] = []): Promise<unknown> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
  return ((await response.json()) as { result: unknown }).result;
}

/** Process group of `pid`: field 5 of /proc/<pid>/stat (proc(5)); the command name may contain spaces and ')'. */
function processGroupOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
}

/** Waits until `predicate` holds (polling), failing after `ms`. */
async function eventually(predicate: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(10);
  }
}

describe('EmbeddedAnvil', () => {
  let dataDir: string;
  const started: EmbeddedAnvil[] = [];
  const strays: ChildProcess[] = [];

  const anvil = (logger = new RecordingLogger(), extra: Partial<ConstructorParameters<typeof EmbeddedAnvil>[0]> = {}) => {
    const node = new EmbeddedAnvil({ dataDir, logger, ...extra });
    started.push(node);
    return node;
  };

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'embedded-anvil-'));
  });

  afterEach(async () => {
    for (const node of started.splice(0)) await node.stop();
    for (const child of strays.splice(0)) {
      if (child.pid && isProcessAlive(child.pid)) child.kill('SIGKILL');
    }
    await rm(dataDir, { recursive: true, force: true });
  });

  it('starts a node that answers with chain id 31337 and records its pid', async () => {
    const node = anvil();
    const url = await node.start();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await rpc(url, 'eth_chainId')).toBe('0x7a69');
    expect(node.status()).toEqual({ state: 'running', detail: `running at ${url}`, pid: node.pid });
    const record = JSON.parse(await readFile(node.pidFile, 'utf8'));
    expect(record).toMatchObject({ pid: node.pid, ownerPid: process.pid, port: Number(new URL(url).port), stateFile: join(dataDir, 'chain', 'anvil-state.json') });
    const cmdline = readFileSync(`/proc/${node.pid}/cmdline`, 'utf8').split('\0');
    expect(cmdline).toEqual(expect.arrayContaining(['--silent', '--chain-id', '31337', '--state', node.stateFile, '--state-interval', '1']));
  });

  it('runs the node in a process group of its own, not the gateway\'s', async () => {
    const node = anvil();
    await node.start();
    expect(processGroupOf(node.pid!)).toBe(node.pid);
    expect(processGroupOf(process.pid)).not.toBe(node.pid);
  });

  it('keeps running through a Ctrl-C to the gateway\'s process group until the gateway\'s shutdown stops it', async () => {
    const module = pathToFileURL(join(findRepoRoot(), 'gateway', 'src', 'chain', 'embedded-anvil.ts')).href;
    // A minimal gateway: handles SIGINT like Nest's enableShutdownHooks and stops the node at the end of shutdown.
    const gateway = await spawnTypeScriptChild(`
      import { EmbeddedAnvil } from ${JSON.stringify(module)};
      const say = (kind, value) => console.log(JSON.stringify({ kind, value }));
      const node = new EmbeddedAnvil({ dataDir: ${JSON.stringify(dataDir)}, logger: { log() {}, warn: (m) => say('warn', m), error: (m) => say('error', m) } });
      node.onCrash((status) => say('crash', status));
      await node.start();
      process.once('SIGINT', async () => {
        await new Promise((resolve) => setTimeout(resolve, 300));
        say('shutting down', node.status());
        await node.stop();
        say('stopped', node.status());
      });
      say('ready', node.pid);
    `);
    let anvilPid: number | undefined;
    try {
      anvilPid = (JSON.parse(await gateway.line(/"ready"/)) as { value: number }).value;
      process.kill(-gateway.child.pid!, 'SIGINT');
      expect(await gateway.exited).toEqual({ code: 0, signal: null });
      expect(gateway.lines.map((line) => JSON.parse(line))).toEqual([
        { kind: 'ready', value: anvilPid },
        { kind: 'shutting down', value: { state: 'running', detail: expect.stringMatching(/^running at http:\/\/127\.0\.0\.1:\d+$/), pid: anvilPid } },
        { kind: 'stopped', value: { state: 'stopped', detail: 'stopped', pid: anvilPid } },
      ]);
      expect(isProcessAlive(anvilPid)).toBe(false);
    } finally {
      await gateway.dispose();
      if (anvilPid !== undefined && isProcessAlive(anvilPid)) process.kill(anvilPid, 'SIGKILL');
    }
  });

  it('kills the process and removes the pid file on stop, and stops only once', async () => {
    const node = anvil();
    await node.start();
    const pid = node.pid!;
    await node.stop();
    expect(isProcessAlive(pid)).toBe(false);
    await expect(readFile(node.pidFile)).rejects.toThrow(/ENOENT/);
    expect(node.status()).toEqual({ state: 'stopped', detail: 'stopped', pid });
    await node.stop();
    expect(node.status().state).toBe('stopped');
  });

  it('keeps the chain across a restart through its state file', async () => {
    const first = anvil();
    const url = await first.start();
    await rpc(url, 'evm_mine');
    await rpc(url, 'evm_mine');
    const mined = ((await rpc(url, 'eth_getBlockByNumber', ['0x2', false])) as { hash: string }).hash;
    await first.stop();

    const second = anvil();
    const again = await second.start();
    expect(await rpc(again, 'eth_blockNumber')).toBe('0x2');
    // Not block 0: anvil's --state reload appends a new genesis block on each start, whose hash can differ.
    expect(((await rpc(again, 'eth_getBlockByNumber', ['0x2', false])) as { hash: string }).hash).toBe(mined);
  });

  it('reports an unexpected exit as crashed, with the signal, in the log and to listeners', async () => {
    const logger = new RecordingLogger();
    const node = anvil(logger);
    await node.start();
    const crashes: AnvilStatus[] = [];
    node.onCrash((status) => crashes.push(status));
    const pid = node.pid!;
    process.kill(pid, 'SIGKILL');
    await eventually(() => node.status().state === 'crashed');
    const detail = `anvil pid ${pid} exited unexpectedly with signal SIGKILL`;
    expect(node.status()).toEqual({ state: 'crashed', detail, pid });
    expect(logger.at('error')).toEqual([detail]);
    expect(crashes).toEqual([{ state: 'crashed', detail, pid }]);
  });

  it('kills an anvil left behind by a crashed previous run on this data dir', async () => {
    const stateFile = join(dataDir, 'chain', 'anvil-state.json');
    await mkdir(join(dataDir, 'chain'), { recursive: true });
    const stray = spawn(resolveAnvilBinary(), ['--port', String(await freePort()), '--silent', '--state', stateFile], { stdio: 'ignore' });
    strays.push(stray);
    const deadOwner = spawn(process.execPath, ['-e', '0']);
    await new Promise((resolve) => deadOwner.once('exit', resolve));
    await writeFile(join(dataDir, 'chain', 'anvil.pid'), JSON.stringify({ pid: stray.pid, ownerPid: deadOwner.pid, port: 1, stateFile, startedAt: '' }));
    await eventually(() => readFileSync(`/proc/${stray.pid}/cmdline`, 'utf8').includes(stateFile));

    const logger = new RecordingLogger();
    await anvil(logger).start();
    expect(await waitForProcessExit(stray.pid!, 1_000)).toBe(true);
    expect(logger.at('warn')).toEqual([`stopping anvil pid ${stray.pid} left running by a previous run (owner pid ${deadOwner.pid} is gone)`]);
  });

  it('refuses to start when a running gateway still owns the anvil of this data dir', async () => {
    const stateFile = join(dataDir, 'chain', 'anvil-state.json');
    await mkdir(join(dataDir, 'chain'), { recursive: true });
    // A live owner: a shell that started anvil and waits for it, like another gateway would.
    const owner = spawn('/bin/sh', ['-c', `"$0" --port ${await freePort()} --silent --state "$1" & echo $!; wait`, resolveAnvilBinary(), stateFile], { stdio: ['ignore', 'pipe', 'ignore'] });
    strays.push(owner);
    const anvilPid = Number(await new Promise<string>((resolve) => owner.stdout!.once('data', (d: Buffer) => resolve(d.toString()))));
    await writeFile(join(dataDir, 'chain', 'anvil.pid'), JSON.stringify({ pid: anvilPid, ownerPid: owner.pid, port: 1, stateFile, startedAt: '' }));
    await eventually(() => readFileSync(`/proc/${anvilPid}/cmdline`, 'utf8').includes(stateFile));

    await expect(anvil().start()).rejects.toThrow(`expected no other gateway on this data directory, but anvil pid ${anvilPid} belongs to running process ${owner.pid} (${stateFile}); stop it or use another DATA_DIR`);
    expect(isProcessAlive(anvilPid)).toBe(true);
    process.kill(anvilPid, 'SIGKILL');
    expect(await waitForProcessExit(anvilPid, 2_000)).toBe(true);
  });

  it('refuses a second node on a data dir whose node this process still runs', async () => {
    const first = anvil();
    await first.start();
    await expect(anvil().start()).rejects.toThrow(`expected no other gateway on this data directory, but anvil pid ${first.pid} belongs to running process ${process.pid}`);
    expect(first.status().state).toBe('running');
  });

  it('leaves a pid file alone when its pid is no longer anvil', async () => {
    await mkdir(join(dataDir, 'chain'), { recursive: true });
    await writeFile(join(dataDir, 'chain', 'anvil.pid'), JSON.stringify({ pid: process.pid, ownerPid: 1, port: 1, stateFile: 'x', startedAt: '' }));
    const node = anvil();
    await node.start();
    expect(isProcessAlive(process.pid)).toBe(true);
    expect(JSON.parse(await readFile(node.pidFile, 'utf8')).pid).toBe(node.pid);
  });

  it('fails with anvil\'s own message when the state file is corrupt, leaving no process', async () => {
    await mkdir(join(dataDir, 'chain'), { recursive: true });
    await writeFile(join(dataDir, 'chain', 'anvil-state.json'), '{garbage');
    const node = anvil();
    await expect(node.start()).rejects.toThrow(/^anvil exited during startup with exit code 2: error: invalid value '.*anvil-state\.json' for '--state <PATH>': failed to parse json file/);
    expect(node.status().state).toBe('stopped');
    expect(node.pid).toEqual(expect.any(Number));
    expect(isProcessAlive(node.pid!)).toBe(false);
  });

  it('fails clearly when a fixed port is taken', async () => {
    const first = anvil();
    const url = await first.start();
    const otherDir = await mkdtemp(join(tmpdir(), 'embedded-anvil-2-'));
    const second = anvil(new RecordingLogger(), { port: Number(new URL(url).port), dataDir: otherDir });
    await expect(second.start()).rejects.toThrow(/^anvil exited during startup with exit code 1: Error: Address already in use/);
    await rm(otherDir, { recursive: true, force: true });
  });

  it('gives up with a clear error when the node does not answer in time, and kills it', async () => {
    const silent = join(dataDir, 'silent-node.sh');
    await writeFile(silent, '#!/bin/sh\nexec sleep 30\n', { mode: 0o755 });
    const node = anvil(new RecordingLogger(), { binaryPath: silent, startTimeoutMs: 300 });
    await expect(node.start()).rejects.toThrow(/^expected anvil to answer eth_chainId 31337 at http:\/\/127\.0\.0\.1:\d+ within 300 ms, got no answer$/);
    expect(isProcessAlive(node.pid!)).toBe(false);
  });

  it('fails clearly when the binary cannot be run', async () => {
    const node = anvil(new RecordingLogger(), { binaryPath: join(dataDir, 'no-such-anvil') });
    await expect(node.start()).rejects.toThrow(/^anvil exited during startup with exit code 127: .*no-such-anvil/);
  });
});
