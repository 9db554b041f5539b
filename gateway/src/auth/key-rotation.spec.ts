import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { guardKeyRotation } from './key-rotation.js';

/** One real RSA public key per kid, as PEM (what keycloak-connect's jwkToPem yields). */
const pems = new Map<string, string>();
function pemOf(kid: string): string {
  if (!pems.has(kid)) pems.set(kid, generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }).toString());
  return pems.get(kid)!;
}

/** The PEM a resolved key stands for, so tests can say which key came back. */
async function pem(key: Promise<unknown> | undefined): Promise<string> {
  return ((await key) as KeyObject).export({ type: 'spki', format: 'pem' }).toString();
}

/** A stand-in for keycloak-connect's Rotation with a scripted certs endpoint. */
function fakeRotation(answers: (() => Promise<{ keys: { kid: string }[] }>)[]) {
  const rotation = {
    jwks: [] as { kid?: string }[],
    lastTimeRequesTime: 0,
    minTimeBetweenJwksRequests: 10,
    fetches: 0,
    retrieveJWKs() {
      rotation.fetches += 1;
      const next = answers.shift();
      return next ? next() : Promise.reject(new Error('no more answers'));
    },
    conversions: 0,
    getJWK(kid: string): Promise<string> | undefined {
      rotation.conversions += 1;
      return Promise.resolve(pemOf(kid));
    },
  };
  return rotation;
}

describe('bounded key rotation around keycloak-connect', () => {
  it('fetches the certs on first use and serves known kids from the cache', async () => {
    const rotation = fakeRotation([async () => ({ keys: [{ kid: 'k1' }] })]);
    guardKeyRotation({ rotation });
    expect(await pem(rotation.getJWK('k1'))).toBe(pemOf('k1'));
    expect(await pem(rotation.getJWK('k1'))).toBe(pemOf('k1'));
    expect(rotation.fetches).toBe(1);
  });

  it('parses each key once per fetched key set, not on every token', async () => {
    const rotation = fakeRotation([async () => ({ keys: [{ kid: 'k1' }] }), async () => ({ keys: [{ kid: 'k1' }, { kid: 'k2' }] })]);
    guardKeyRotation({ rotation });
    const first = await rotation.getJWK('k1');
    for (let i = 0; i < 5; i += 1) expect(await rotation.getJWK('k1')).toBe(first);
    expect(rotation.conversions).toBe(1);
    // An unknown kid refetches; the new key set starts a new cache, so k1 is parsed again from the new set.
    rotation.lastTimeRequesTime = 0;
    expect(await pem(rotation.getJWK('k2'))).toBe(pemOf('k2'));
    expect(await rotation.getJWK('k1')).not.toBe(first);
    expect(rotation.conversions).toBe(3);
  });

  it('refetches for an unknown kid at most once per interval, then reports it as unknown', async () => {
    const rotation = fakeRotation([async () => ({ keys: [{ kid: 'k1' }] }), async () => ({ keys: [{ kid: 'k1' }] })]);
    guardKeyRotation({ rotation });
    await rotation.getJWK('k1');
    rotation.lastTimeRequesTime -= 11; // the interval has passed
    await expect(rotation.getJWK('k2')).rejects.toThrow('kid-not-in-certs');
    await expect(rotation.getJWK('k2')).rejects.toThrow('kid-not-in-certs');
    await expect(rotation.getJWK('k3')).rejects.toThrow('kid-not-in-certs');
    expect(rotation.fetches).toBe(2);
  });

  it('picks up a rotated key on the refetch', async () => {
    const rotation = fakeRotation([async () => ({ keys: [{ kid: 'old' }] }), async () => ({ keys: [{ kid: 'old' }, { kid: 'new' }] })]);
    guardKeyRotation({ rotation });
    await rotation.getJWK('old');
    rotation.lastTimeRequesTime -= 11;
    expect(await pem(rotation.getJWK('new'))).toBe(pemOf('new'));
  });

  it('shares one request between concurrent first uses', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const rotation = fakeRotation([async () => gate.then(() => ({ keys: [{ kid: 'k1' }] }))]);
    guardKeyRotation({ rotation });
    const both = Promise.all([rotation.getJWK('k1'), rotation.getJWK('k1')]);
    release();
    expect(await Promise.all((await both).map((k) => pem(Promise.resolve(k))))).toEqual([pemOf('k1'), pemOf('k1')]);
    expect(rotation.fetches).toBe(1);
  });

  it('reports an unreachable certs endpoint as certs-unavailable and backs off instead of retrying on every request', async () => {
    const rotation = fakeRotation([async () => Promise.reject(new Error('connect ECONNREFUSED'))]);
    guardKeyRotation({ rotation });
    await expect(rotation.getJWK('k1')).rejects.toThrow('certs-unavailable: connect ECONNREFUSED');
    await expect(rotation.getJWK('k1')).rejects.toThrow('certs-unavailable: previous fetch failed moments ago');
    expect(rotation.fetches).toBe(1);
  });

  it('fetches again on the first call after the backoff and recovers once the identity provider is back', async () => {
    const rotation = fakeRotation([async () => Promise.reject(new Error('connect ECONNREFUSED')), async () => ({ keys: [{ kid: 'k1' }] })]);
    const keys = guardKeyRotation({ rotation }, { failureBackoffMs: 20 });
    await expect(rotation.getJWK('k1')).rejects.toThrow('certs-unavailable: connect ECONNREFUSED');
    await expect(keys.refresh()).rejects.toThrow('certs-unavailable: previous fetch failed moments ago');
    expect(rotation.fetches).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(await pem(rotation.getJWK('k1'))).toBe(pemOf('k1'));
    expect(rotation.fetches).toBe(2);
    await expect(keys.refresh()).resolves.toBe(1);
    expect(await pem(rotation.getJWK('k1'))).toBe(pemOf('k1'));
    expect(rotation.fetches).toBe(2);
  });

  it('gives up on a certs request that does not answer in time, and fetches again after the backoff', async () => {
    const rotation = fakeRotation([() => new Promise(() => undefined), async () => ({ keys: [{ kid: 'k1' }] })]);
    guardKeyRotation({ rotation }, { fetchTimeoutMs: 20, failureBackoffMs: 1 });
    await expect(rotation.getJWK('k1')).rejects.toThrow('certs-unavailable: no answer within 20 ms');
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await pem(rotation.getJWK('k1'))).toBe(pemOf('k1'));
    expect(rotation.fetches).toBe(2);
  });

  it('reads the keys from the given source instead of keycloak-connect\'s HTTP request', async () => {
    const rotation = fakeRotation([]);
    let reads = 0;
    const retrieve = async () => {
      reads += 1;
      return { keys: [{ kid: 'local' }] };
    };
    guardKeyRotation({ rotation }, { retrieve });
    expect(await pem(rotation.getJWK('local'))).toBe(pemOf('local'));
    expect({ reads, fetches: rotation.fetches }).toEqual({ reads: 1, fetches: 0 });
  });
});
