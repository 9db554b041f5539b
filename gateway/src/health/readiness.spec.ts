import { runReadinessChecks } from './readiness.js';

describe('runReadinessChecks', () => {
  it('is ready only when every check is up', async () => {
    const result = await runReadinessChecks(
      { a: { checkReady: async () => ({ up: true, detail: 'fine' }) }, b: { checkReady: async () => ({ up: false, detail: 'down' }) } },
      100,
    );
    expect(result).toEqual({ ready: false, checks: { a: { up: true, detail: 'fine' }, b: { up: false, detail: 'down' } } });
  });

  it('reports a check that throws as down with its message', async () => {
    const result = await runReadinessChecks({ a: { checkReady: async () => Promise.reject(new Error('boom')) } }, 100);
    expect(result).toEqual({ ready: false, checks: { a: { up: false, detail: 'boom' } } });
  });

  it('reports a check that hangs as down after the timeout', async () => {
    const result = await runReadinessChecks({ slow: { checkReady: () => new Promise(() => undefined) } }, 20);
    expect(result).toEqual({ ready: false, checks: { slow: { up: false, detail: 'no answer within 20 ms' } } });
  });

  it('is ready with every check up', async () => {
    const result = await runReadinessChecks({ a: { checkReady: async () => ({ up: true, detail: 'ok' }) } }, 100);
    expect(result.ready).toBe(true);
  });
});
