import { withTimeout } from '../common/index.js';

/** One dependency's state, as /health/ready reports it. */
export interface ReadinessResult {
  readonly up: boolean;
  readonly detail: string;
}

/** Something /health/ready asks before it answers 200. */
export interface ReadinessCheck {
  checkReady(): Promise<ReadinessResult>;
}

/** Runs the checks concurrently, each bounded by `timeoutMs`, and never throws. */
export async function runReadinessChecks(
  checks: Readonly<Record<string, ReadinessCheck>>,
  timeoutMs: number,
): Promise<{ ready: boolean; checks: Record<string, ReadinessResult> }> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]): Promise<[string, ReadinessResult]> => {
      try {
        return [name, await withTimeout(check.checkReady(), timeoutMs)];
      } catch (error) {
        return [name, { up: false, detail: error instanceof Error ? error.message : String(error) }];
      }
    }),
  );
  const results = Object.fromEntries(entries);
  return { ready: entries.every(([, r]) => r.up), checks: results };
}
