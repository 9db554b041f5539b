import type { Principal } from './principal.js';
import { VerifiedTokenCache } from './verified-token-cache.js';

const principal = (expiresAt: number): Principal => ({ subject: 's', username: 'u', roles: [], clientId: 'c', issuer: 'i', tokenId: 'j', expiresAt: new Date(expiresAt) });

describe('the verified-token cache', () => {
  it('answers a token it has seen until the token expires, and never after', () => {
    let now = 1_000;
    const cache = new VerifiedTokenCache(10, 300_000, () => now);
    const p = principal(61_000);
    cache.set('token-a', p);
    expect(cache.get('token-a')).toBe(p);
    expect(cache.get('token-b')).toBeUndefined();
    now = 60_999;
    expect(cache.get('token-a')).toBe(p);
    now = 61_000;
    expect(cache.get('token-a')).toBeUndefined();
  });

  it('keeps an entry at most its maximum age even if the token lives longer', () => {
    let now = 0;
    const cache = new VerifiedTokenCache(10, 5_000, () => now);
    cache.set('t', principal(3_600_000));
    now = 4_999;
    expect(cache.get('t')).toBeDefined();
    now = 5_000;
    expect(cache.get('t')).toBeUndefined();
  });

  it('stores nothing for an expired token and drops the oldest entry when full', () => {
    const cache = new VerifiedTokenCache(2, 300_000, () => 10_000);
    cache.set('expired', principal(9_000));
    expect(cache.get('expired')).toBeUndefined();
    cache.set('a', principal(100_000));
    cache.set('b', principal(100_000));
    cache.set('c', principal(100_000));
    expect([cache.get('a'), cache.get('b')?.subject, cache.get('c')?.subject]).toEqual([undefined, 's', 's']);
  });
});
