import { settlesWithin, TimeoutError, withTimeout } from './with-timeout.js';

describe('withTimeout', () => {
  it('passes through a value that arrives in time', async () => {
    await expect(withTimeout(Promise.resolve(42), 50)).resolves.toBe(42);
  });

  it('passes through a rejection that arrives in time', async () => {
    await expect(withTimeout(Promise.reject(new Error('refused')), 50)).rejects.toThrow('refused');
  });

  it('rejects with a TimeoutError naming the limit when nothing arrives', async () => {
    const error = await withTimeout(new Promise(() => undefined), 10).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).message).toBe('no answer within 10 ms');
  });
});

describe('settlesWithin', () => {
  it('is true for a promise that resolves or rejects in time, false for one that hangs', async () => {
    expect(await settlesWithin(Promise.resolve(), 20)).toBe(true);
    expect(await settlesWithin(Promise.reject(new Error('x')), 20)).toBe(true);
    expect(await settlesWithin(new Promise(() => undefined), 10)).toBe(false);
  });
});
