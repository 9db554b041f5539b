import type { BruteForcePolicy } from './realm.model.js';

/** Failures recorded for one login name or one client address. */
interface Failures {
  count: number;
  /** Password checks started and not yet finished. */
  pending: number;
  /** When the last failure happened (ms). */
  last: number;
  /** Refused until then (ms); 0 when not locked out. */
  lockedUntil: number;
}

/**
 * One client address may fail this many times the realm's failure factor before it is locked out: an address is
 * often shared (a hospital's NAT, a proxy), so it gets more room than one login name, while one host trying many
 * usernames (credential stuffing, which no per-user count sees) is still stopped.
 */
export const ADDRESS_FAILURE_MULTIPLIER = 4;

/** Entries kept per map; beyond it the longest-idle ones are forgotten (memory stays bounded under a flood). */
const MAX_TRACKED = 10_000;

/**
 * Brute-force throttling of password checks, after Keycloak's brute-force detection (`DefaultBruteForceProtector`,
 * strategy MULTIPLE): every `failureFactor` failures lock the login out for `waitIncrementSeconds` times the number
 * of multiples reached, at most `maxFailureWaitSeconds`; failures are forgotten after `maxDeltaTimeSeconds` without
 * another. Counted per login name as typed (normalised like the user look-up, whether or not such a user exists,
 * so a lockout reveals nothing about accounts) and per client address. Checks still running count against the
 * limit, so a burst of parallel guesses cannot overshoot it. A successful login clears its login name's count
 * only: clearing the address's count too would let one valid account reset an attacker's budget. Lockouts are
 * temporary (no `permanentLockout`) and in memory: a restart forgets them.
 */
export class LoginThrottle {
  private readonly byLogin = new Map<string, Failures>();
  private readonly byAddress = new Map<string, Failures>();

  constructor(
    private readonly policy: BruteForcePolicy,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Starts a password check for `login` from `address`: false when it must be refused now (locked out, or the
   * checks already running would reach the limit). Every `true` must be followed by one {@link finish}.
   */
  begin(login: string, address: string): boolean {
    const at = this.now();
    const name = this.current(this.byLogin, loginKey(login), at);
    const host = this.current(this.byAddress, address, at);
    if (!this.admits(name, this.policy.failureFactor, at) || !this.admits(host, this.addressFactor, at)) return false;
    name.pending += 1;
    host.pending += 1;
    return true;
  }

  /** Ends a check {@link begin} admitted: a failure (wrong password or unknown user alike) counts, a success clears. */
  finish(login: string, address: string, succeeded: boolean): void {
    const at = this.now();
    const key = loginKey(login);
    const name = this.current(this.byLogin, key, at);
    const host = this.current(this.byAddress, address, at);
    name.pending = Math.max(0, name.pending - 1);
    host.pending = Math.max(0, host.pending - 1);
    if (succeeded) {
      name.count = 0;
      name.lockedUntil = 0;
      if (name.pending === 0) this.byLogin.delete(key);
    } else {
      this.fail(name, this.policy.failureFactor, at);
      this.fail(host, this.addressFactor, at);
    }
    this.prune(this.byLogin);
    this.prune(this.byAddress);
  }

  private get addressFactor(): number {
    return this.policy.failureFactor * ADDRESS_FAILURE_MULTIPLIER;
  }

  /** The entry for `key`, its failures forgotten once idle for the reset time; moved to the map's most recent end. */
  private current(map: Map<string, Failures>, key: string, at: number): Failures {
    let entry = map.get(key);
    if (entry && entry.count > 0 && entry.lockedUntil <= at && at - entry.last > this.policy.maxDeltaTimeSeconds * 1000) {
      entry.count = 0;
      entry.lockedUntil = 0;
    }
    entry ??= { count: 0, pending: 0, last: at, lockedUntil: 0 };
    map.delete(key);
    map.set(key, entry);
    return entry;
  }

  /** Not locked out, and one more failure on top of those pending would at most reach the next multiple. */
  private admits(entry: Failures, factor: number, at: number): boolean {
    if (entry.lockedUntil > at) return false;
    const nextLockout = (Math.floor(entry.count / factor) + 1) * factor;
    return entry.count + entry.pending < nextLockout;
  }

  private fail(entry: Failures, factor: number, at: number): void {
    entry.count += 1;
    entry.last = at;
    if (entry.count % factor === 0) {
      const { waitIncrementSeconds, maxFailureWaitSeconds } = this.policy;
      entry.lockedUntil = at + Math.min(maxFailureWaitSeconds, waitIncrementSeconds * (entry.count / factor)) * 1000;
    }
  }

  /** Forgets the least recently used entries beyond {@link MAX_TRACKED}, never one with a check running. */
  private prune(map: Map<string, Failures>): void {
    for (const [key, entry] of map) {
      if (map.size <= MAX_TRACKED) return;
      if (entry.pending === 0) map.delete(key);
    }
  }
}

/**
 * The login name as the realm looks users up (trimmed, case-insensitive), cut to the longest the authenticator
 * looks up at all, so junk names cannot make the entries large.
 */
function loginKey(login: string): string {
  return login.trim().toLowerCase().slice(0, 256);
}
