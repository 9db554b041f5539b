import { ADDRESS_FAILURE_MULTIPLIER, LoginThrottle } from './login-throttle.js';
import type { BruteForcePolicy } from './realm.model.js';

/** The realm file's brute-force settings. */
const POLICY: BruteForcePolicy = { failureFactor: 5, waitIncrementSeconds: 60, maxFailureWaitSeconds: 900, maxDeltaTimeSeconds: 900 };

function throttle(policy: BruteForcePolicy = POLICY) {
  const clock = { now: 1_000_000 };
  const subject = new LoginThrottle(policy, () => clock.now);
  /** One complete password check; false when the throttle refused to run it. */
  const attempt = (login: string, address: string, succeeds = false): boolean => {
    if (!subject.begin(login, address)) return false;
    subject.finish(login, address, succeeds);
    return true;
  };
  const failTimes = (n: number, login: string, address = (i: number) => `10.0.0.${i}`) => {
    for (let i = 0; i < n; i++) expect(attempt(login, address(i))).toBe(true);
  };
  return { subject, clock, attempt, failTimes };
}

describe('brute-force throttling of password checks (Keycloak brute-force detection, strategy MULTIPLE)', () => {
  it('locks a login name out for 60 s after 5 failures, from whatever addresses, then lets it try again', () => {
    const { clock, attempt, failTimes } = throttle();
    failTimes(5, 'bob');
    expect(attempt('bob', '192.0.2.7', true)).toBe(false);
    clock.now += 59_999;
    expect(attempt('bob', '192.0.2.7', true)).toBe(false);
    clock.now += 1;
    expect(attempt('bob', '192.0.2.7', true)).toBe(true);
  });

  it('locks out for one more wait increment at each further multiple of 5 failures, at most maxFailureWaitSeconds', () => {
    const { clock, attempt, failTimes } = throttle({ ...POLICY, maxFailureWaitSeconds: 100 });
    failTimes(5, 'bob');
    clock.now += 60_000;
    failTimes(4, 'bob');
    expect(attempt('bob', '10.0.1.1')).toBe(true); // the 10th failure
    clock.now += 99_999; // 2 × 60 s capped at 100 s
    expect(attempt('bob', '10.0.1.2')).toBe(false);
    clock.now += 1;
    expect(attempt('bob', '10.0.1.2', true)).toBe(true);
  });

  it('forgets the failures of a login name after 15 minutes without another', () => {
    const { clock, attempt, failTimes } = throttle();
    failTimes(4, 'bob');
    clock.now += 900_001;
    failTimes(4, 'bob');
    expect(attempt('bob', '10.0.1.1', true)).toBe(true);
  });

  it('counts a login name as the realm looks it up: case and surrounding spaces do not matter', () => {
    const { attempt, failTimes } = throttle();
    failTimes(5, ' Bob ');
    expect(attempt('bob', '192.0.2.7', true)).toBe(false);
    expect(attempt('BOB', '192.0.2.7', true)).toBe(false);
  });

  it("forgets a login name's failures when it logs in successfully", () => {
    const { attempt, failTimes } = throttle();
    failTimes(4, 'bob');
    expect(attempt('bob', '10.0.0.9', true)).toBe(true);
    failTimes(4, 'bob');
    expect(attempt('bob', '10.0.0.9', true)).toBe(true);
  });

  it('locks a client address out after 20 failures across login names, which successful logins do not reset', () => {
    const { attempt } = throttle();
    const limit = POLICY.failureFactor * ADDRESS_FAILURE_MULTIPLIER;
    expect(limit).toBe(20);
    for (let i = 0; i < limit - 1; i++) expect(attempt(`user-${i}`, '198.51.100.1')).toBe(true);
    expect(attempt('sam', '198.51.100.1', true)).toBe(true);
    expect(attempt('user-last', '198.51.100.1')).toBe(true);
    expect(attempt('sam', '198.51.100.1', true)).toBe(false);
    expect(attempt('sam', '198.51.100.2', true)).toBe(true);
  });

  it('counts checks still running, so parallel guesses cannot overshoot the limit', () => {
    const { subject, failTimes, attempt } = throttle();
    failTimes(3, 'bob');
    expect(subject.begin('bob', '10.0.1.1')).toBe(true);
    expect(subject.begin('bob', '10.0.1.2')).toBe(true);
    expect(subject.begin('bob', '10.0.1.3')).toBe(false);
    subject.finish('bob', '10.0.1.1', false);
    subject.finish('bob', '10.0.1.2', false);
    expect(attempt('bob', '10.0.1.3', true)).toBe(false);
  });
});
