import { DEFAULT_MAX_ATTEMPTS, DEFAULT_RETRY_DELAYS_S, nextAttempt, RETRY_DEFAULTS } from './retry';

const delays = (policy: Parameters<typeof nextAttempt>[0], upTo: number) =>
  Array.from({ length: upTo }, (_, i) => {
    const d = nextAttempt(policy, i + 1);
    return d.retry ? d.delayMs / 1000 : 'dead';
  });

describe('nextAttempt', () => {
  it("defaults to the original queue's sixteen retries after the first delivery, then dead", () => {
    const [m, h] = [60, 3600];
    const original = [
      ...[10, 30],
      ...[1 * m, 2 * m, 3 * m, 4 * m, 5 * m, 6 * m, 7 * m, 8 * m, 9 * m, 10 * m, 20 * m, 30 * m],
      ...[1 * h, 2 * h],
    ];
    expect(DEFAULT_RETRY_DELAYS_S).toEqual(original);
    expect(DEFAULT_MAX_ATTEMPTS).toBe(17);
    // Attempts 1-16 fail into the next delay; the 17th delivery's failure is the last.
    expect(delays(undefined, 18)).toEqual([...original, 'dead', 'dead']);
  });

  it('fixed backoff repeats the delay until max_attempts', () => {
    const policy = { maxAttempts: 3, backoff: 'fixed', delay: 4, maxDelay: 7200 } as const;
    expect(delays(policy, 4)).toEqual([4, 4, 'dead', 'dead']);
  });

  it('exponential backoff doubles from delay and stops at max_delay', () => {
    const policy = { maxAttempts: 8, backoff: 'exponential', delay: 10, maxDelay: 100 } as const;
    expect(delays(policy, 8)).toEqual([10, 20, 40, 80, 100, 100, 100, 'dead']);
  });

  it('explicit intervals (seed 001\'s "60 600 3600") win over backoff and repeat the last', () => {
    const policy = {
      maxAttempts: 6,
      backoff: 'fixed' as const,
      delay: 1,
      maxDelay: 1,
      intervals: [60, 600, 3600],
    };
    expect(delays(policy, 6)).toEqual([60, 600, 3600, 3600, 3600, 'dead']);
  });

  it('max_attempts 1 never retries; nonsense attempts never retry', () => {
    const policy = { maxAttempts: 1, backoff: 'fixed', delay: 5, maxDelay: 5 } as const;
    expect(nextAttempt(policy, 1)).toEqual({ retry: false });
    expect(nextAttempt(undefined, 0)).toEqual({ retry: false });
    expect(nextAttempt(undefined, 1.5)).toEqual({ retry: false });
  });

  it('a redriven attempt past max_attempts is dead at its first failure', () => {
    const policy = { maxAttempts: 3, backoff: 'fixed', delay: 2, maxDelay: 2 } as const;
    expect(nextAttempt(policy, 4)).toEqual({ retry: false });
  });
});

describe('RETRY_DEFAULTS', () => {
  it('fills a partial retry: 17 deliveries, exponential from 10 s up to 2 h', () => {
    expect(RETRY_DEFAULTS).toEqual({
      maxAttempts: 17,
      backoff: 'exponential',
      delay: 10,
      maxDelay: 7200,
    });
  });
});
