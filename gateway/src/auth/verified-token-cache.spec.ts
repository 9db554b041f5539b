import type { Principal } from './principal.js';
import { VerifiedTokenCache } from './verified-token-cache.js';

const principal = (expiresAt: number): Principal => ({ subject: 's', username: 'u', roles: [], clientId: 'c', issuer: 'i', tokenId: 'j', expiresAt: new Date(expiresAt) });

const always = (): boolean => true;

describe('the verified-token cache', () => {
  it('answers a token it has seen until the token expires, and never after', () => {
    let now = 1_000;
    const cache = new VerifiedTokenCache(10, 300_000, () => now);
    const p = principal(61_000);
    cache.set('token-a', p, 'k1');
    expect(cache.get('token-a', always)).toEqual(p);
    expect(cache.get('token-b', always)).toBeUndefined();
    now = 60_999;
    expect(cache.get('token-a', always)).toEqual(p);
    now = 61_000;
    expect(cache.get('token-a', always)).toBeUndefined();
  });

  it('keeps an entry at most its maximum age even if the token lives longer', () => {
    let now = 0;
    const cache = new VerifiedTokenCache(10, 5_000, () => now);
    cache.set('t', principal(3_600_000), 'k1');
    now = 4_999;
    expect(cache.get('t', always)).toBeDefined();
    now = 5_000;
    expect(cache.get('t', always)).toBeUndefined();
  });

  it('stores nothing for an expired token and drops the oldest entry when full', () => {
    const cache = new VerifiedTokenCache(2, 300_000, () => 10_000);
    cache.set('expired', principal(9_000), 'k1');
    expect(cache.get('expired', always)).toBeUndefined();
    cache.set('a', principal(100_000), 'k1');
    cache.set('b', principal(100_000), 'k1');
    cache.set('c', principal(100_000), 'k1');
    expect([cache.get('a', always), cache.get('b', always)?.subject, cache.get('c', always)?.subject]).toEqual([undefined, 's', 's']);
  });

  it('forgets a token whose signing key the realm no longer publishes, and hands out frozen principals', () => {
    const cache = new VerifiedTokenCache(10, 300_000, () => 0);
    cache.set('t', principal(100_000), 'old-key');
    const hit = cache.get('t', (kid) => kid === 'old-key')!;
    expect(Object.isFrozen(hit) && Object.isFrozen(hit.roles)).toBe(true);
    expect(cache.get('t', (kid) => kid === 'new-key')).toBeUndefined();
    expect(cache.get('t', () => true)).toBeUndefined();
  });
});
