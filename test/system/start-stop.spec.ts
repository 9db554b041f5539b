import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createServer } from 'node:net';
import { withTimeout } from '../../gateway/src/common/index.js';
import { alive, anvilPidOf, boot, exited, readyStatus, waitUntil } from '../support/gateway-process.js';

describe('the gateway process (npm start)', () => {
  let dataDir: string;
  const started: ChildProcess[] = [];

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'gw-system-'));
  });

  afterEach(async () => {
    for (const child of started.splice(0)) {
      if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL');
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it.each([
    ['SIGINT', 'to its process group, as Ctrl-C in a terminal does', true],
    ['SIGTERM', 'to the process, as an orchestrator does', false],
  ] as const)('becomes ready, then on %s %s exits 0 and leaves no anvil running', async (signal, _how, group) => {
    const { child, base, output } = await boot(dataDir);
    started.push(child);
    await waitUntil('readiness', async () => (await readyStatus(base)) === 200, 60_000);
    const anvilPid = anvilPidOf(dataDir);
    expect(alive(anvilPid)).toBe(true);

    process.kill(group ? -child.pid! : child.pid!, signal);
    expect(await exited(child)).toEqual({ code: 0, signal: null });
    expect(output()).not.toMatch(/exited unexpectedly/);
    expect(output()).toContain(`"context":"shutdown","msg":"received ${signal}: closing modules"`);
    await waitUntil('anvil exit', () => !alive(anvilPid), 5_000);
    expect(existsSync(join(dataDir, 'chain', 'anvil.pid'))).toBe(false);
    expect(output()).toContain(`${base}/portal/`);
  });

  it('reports a crashed anvil: readiness turns 503 naming the chain', async () => {
    const { child, base, output } = await boot(dataDir);
    started.push(child);
    await waitUntil('readiness', async () => (await readyStatus(base)) === 200, 60_000);
    const anvilPid = anvilPidOf(dataDir);
    process.kill(anvilPid, 'SIGKILL');
    await waitUntil('readiness 503', async () => (await readyStatus(base)) === 503, 10_000);
    expect(await (await fetch(`${base}/health/ready`)).json()).toEqual({ status: 'not ready', checks: { store: { up: true }, chain: { up: false }, identity: { up: true } } });
    // The log lines travel through a pipe: wait for them rather than racing the HTTP answer. The detail is a JSON
    // string that may itself hold escaped quotes (e.g. an RPC error), so match JSON string content, not [^"].
    const notReadyLine = /"context":"health","down":\{"chain":"(?:[^"\\]|\\.)+"\},"msg":"not ready"/;
    await waitUntil('the log lines', () => notReadyLine.test(output()) && /exited unexpectedly/.test(output()), 5_000).catch(() => undefined);
    expect(output()).toMatch(/anvil pid \d+ exited unexpectedly with signal SIGKILL/);
    expect(output()).toMatch(notReadyLine);
    child.kill('SIGTERM');
    await exited(child);
  });

  it('shuts down on Ctrl-C even while a client holds a half-sent request open', async () => {
    const { child, base, output } = await boot(dataDir);
    started.push(child);
    await waitUntil('readiness', async () => (await readyStatus(base)) === 200, 60_000);
    const anvilPid = anvilPidOf(dataDir);
    const socket = connect(Number(new URL(base).port), '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    socket.write('GET /health HTTP/1.1\r\nHost: x\r\n'); // headers never finished
    socket.on('error', () => undefined);
    await new Promise((r) => setTimeout(r, 200));
    process.kill(-child.pid!, 'SIGINT');
    // Generous bound: without forced connection closing this never exits (the client keeps the request open).
    expect(await withTimeout(exited(child), 9_000)).toEqual({ code: 0, signal: null });
    socket.destroy();
    await waitUntil('anvil exit', () => !alive(anvilPid), 5_000);
    expect(output()).not.toMatch(/exited unexpectedly|did not finish/);
  });

  it('refuses at once, naming PORT, when the port is taken, and starts no chain', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as { port: number }).port;
    try {
      const { child, output } = await boot(dataDir, { PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` });
      started.push(child);
      expect(await exited(child)).toEqual({ code: 78, signal: null });
      expect(output()).toContain(`PORT: 127.0.0.1:${port} is already in use (stop what listens there, or choose another PORT)`);
      expect(existsSync(join(dataDir, 'chain', 'anvil.pid'))).toBe(false);
      expect(existsSync(join(dataDir, 'chain', 'deployment.json'))).toBe(false);
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  });

  it('refuses a DATA_DIR that is a file, naming it', async () => {
    const file = join(dataDir, 'not-a-dir');
    writeFileSync(file, 'x');
    const { child, output } = await boot(file);
    started.push(child);
    expect(await exited(child)).toEqual({ code: 78, signal: null });
    expect(output()).toContain(`DATA_DIR: expected a writable directory at ${file}, got a file`);
  });

  it('refuses to start with an invalid setting and names it', async () => {
    const { child, output } = await boot(dataDir, { LOG_LEVEL: 'loud' });
    started.push(child);
    expect(await exited(child)).toEqual({ code: 78, signal: null });
    expect(output()).toContain('LOG_LEVEL: expected fatal, error, warn, info, debug, trace or silent, got "loud"');
  });

  it('refuses to start in production with the embedded identity provider and chain', async () => {
    const { child, output } = await boot(dataDir, { NODE_ENV: 'production', PUBLIC_URL: 'https://gw.example.org' });
    started.push(child);
    expect(await exited(child)).toEqual({ code: 78, signal: null });
    expect(output()).toContain('KEYCLOAK_URL: required when NODE_ENV=production');
    expect(output()).toContain('CHAIN_RPC_URL: required when NODE_ENV=production');
    expect(output()).toContain('STORE_MASTER_KEY: required when NODE_ENV=production');
  });
});
