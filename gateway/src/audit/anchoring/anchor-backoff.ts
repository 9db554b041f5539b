/** Bounds of the retry delay while the chain cannot be reached. */
export interface BackoffPolicy {
  /** Delay after the first failure. */
  readonly initialMs: number;
  /** The delay doubles per failure up to this bound. */
  readonly maxMs: number;
  /** Spread of the random jitter: the delay is scaled by a factor in [1 - jitter, 1 + jitter). */
  readonly jitter: number;
}

/** 1 s doubling to 60 s, ±20 %: a chain back up is noticed within a minute, and a dead one is polled gently. */
export const ANCHOR_BACKOFF: BackoffPolicy = { initialMs: 1_000, maxMs: 60_000, jitter: 0.2 };

/**
 * How long to wait before the next attempt after `failures` consecutive failed ones (exponential backoff with
 * jitter, so several gateway instances that lost the chain together do not retry in lockstep).
 * @param failures Consecutive failures so far, at least 1.
 * @param random A number in [0, 1) (Math.random by default).
 */
export function backoffDelay(failures: number, policy: BackoffPolicy = ANCHOR_BACKOFF, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(failures, 1) - 1, 30);
  const base = Math.min(policy.maxMs, policy.initialMs * 2 ** exponent);
  return Math.round(base * (1 - policy.jitter + 2 * policy.jitter * random()));
}
