import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { isProcessAlive, terminateProcess } from './anvil-process.js';

describe('terminateProcess', () => {
  const children: ChildProcess[] = [];

  /** A shell that says "ready" once its traps are set, then sleeps. */
  async function shell(script: string): Promise<ChildProcess> {
    const child = spawn('/bin/sh', ['-c', `${script}; echo ready; while :; do sleep 0.05; done`], { stdio: ['ignore', 'pipe', 'ignore'] });
    children.push(child);
    await once(child.stdout!, 'data');
    return child;
  }

  afterEach(() => {
    for (const child of children.splice(0)) if (child.pid && isProcessAlive(child.pid)) child.kill('SIGKILL');
  });

  it('stops a process that honours SIGTERM with SIGTERM alone', async () => {
    const child = await shell('trap "exit 0" TERM');
    const exit = once(child, 'exit');
    expect(await terminateProcess(child.pid!, 2_000, exit)).toBe('terminated');
    expect(child.exitCode).toBe(0);
  });

  it('sends SIGKILL after the grace period to a process that ignores SIGTERM', async () => {
    const child = await shell('trap "" TERM');
    const exit = once(child, 'exit');
    expect(await terminateProcess(child.pid!, 200, exit)).toBe('killed');
    expect(child.signalCode).toBe('SIGKILL');
  });

  it('without an exit event (a stray node from an earlier run), polls the pid until it is gone', async () => {
    const child = await shell('trap "" TERM');
    expect(await terminateProcess(child.pid!, 200)).toBe('killed');
    expect(isProcessAlive(child.pid!)).toBe(false);
  });

  it('reports a process that is already gone as terminated', async () => {
    const child = spawn(process.execPath, ['-e', '0']);
    await once(child, 'exit');
    expect(await terminateProcess(child.pid!, 200)).toBe('terminated');
  });
});
