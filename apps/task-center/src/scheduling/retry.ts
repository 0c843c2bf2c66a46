/**
 * How a failed fire is redelivered (applied by the results/retry engine). The pure rules live
 * here, below tasks/ and runs/; a task's `retry` has this shape.
 */
export interface RetryPolicy {
  /** Total deliveries including the first; 1 disables retries. */
  maxAttempts: number;
  backoff: 'exponential' | 'fixed';
  /** First delay in seconds (exponential doubles it per attempt, capped by `maxDelay`). */
  delay: number;
  maxDelay: number;
  /** Explicit delays in seconds, one per retry (seed 001's "60 600 3600"); wins over backoff. */
  intervals?: number[];
}

/**
 * Delays before the retries of a task without a `retry` policy, in seconds: the original task
 * center's queue (RocketMQ's delay levels 3-18: its sixteen retries after the first delivery),
 * 10 s, 30 s, 1 m, 2 m, ... 10 m, 20 m, 30 m, 1 h, 2 h; then the fire is dead. Quick retries
 * for blips, minutes for a dependency that restarts, hours for an outage. The one source of
 * the retry defaults: {@link DEFAULT_MAX_ATTEMPTS} and {@link RETRY_DEFAULTS} derive from it.
 */
export const DEFAULT_RETRY_DELAYS_S: readonly number[] = [
  10, 30, 60, 120, 180, 240, 300, 360, 420, 480, 540, 600, 1200, 1800, 3600, 7200,
];

/** Deliveries in total (first included) without a `retry` policy: 17. */
export const DEFAULT_MAX_ATTEMPTS = DEFAULT_RETRY_DELAYS_S.length + 1;

/**
 * The fields a task's partial `retry` leaves out (see the SDK issue): as many deliveries as
 * without a policy, doubling from its first delay up to its last.
 */
export const RETRY_DEFAULTS: Readonly<Omit<RetryPolicy, 'intervals'>> = {
  maxAttempts: DEFAULT_MAX_ATTEMPTS,
  backoff: 'exponential',
  delay: DEFAULT_RETRY_DELAYS_S[0]!,
  maxDelay: DEFAULT_RETRY_DELAYS_S.at(-1)!,
};

/** What follows a failed attempt: another one after `delayMs`, or the end (dead). */
export type RetryDecision = { retry: true; delayMs: number } | { retry: false };

/**
 * Pure: given the task's policy (absent = the default above) and the attempt that just
 * failed (1-based), whether to redeliver and after how long.
 *
 * - `intervals` wins over `backoff`; attempts past the list reuse its last delay.
 * - `fixed`: `delay` every time; `exponential`: `delay * 2^(n-1)`, capped at `max_delay`.
 */
export function nextAttempt(policy: RetryPolicy | undefined, failedAttempt: number): RetryDecision {
  const maxAttempts = policy?.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  if (!Number.isInteger(failedAttempt) || failedAttempt < 1 || failedAttempt >= maxAttempts) {
    return { retry: false };
  }
  const list = policy === undefined ? DEFAULT_RETRY_DELAYS_S : policy.intervals;
  let seconds: number;
  if (list && list.length > 0) {
    seconds = list[Math.min(failedAttempt, list.length) - 1]!;
  } else if (policy!.backoff === 'fixed') {
    seconds = policy!.delay;
  } else {
    // 2^(n-1) overflows nothing that matters: the cap applies long before (n <= 100).
    seconds = Math.min(policy!.delay * 2 ** (failedAttempt - 1), policy!.maxDelay);
  }
  return { retry: true, delayMs: seconds * 1000 };
}
