import { type Logger } from '@nestjs/common';

export interface RetryOptions {
  /** What is being attempted, for log lines: "kafka: connecting to 127.0.0.1:9092". */
  what: string;
  deadlineMs: number;
  logger: Logger;
  initialDelayMs?: number;
  maxDelayMs?: number;
}

const reason = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * Runs `attempt` until it succeeds or `deadlineMs` has passed, logging each failure once,
 * then throws an error that names what failed and why. Startup never hangs silently.
 */
export async function retryUntil<T>(attempt: () => Promise<T>, opts: RetryOptions): Promise<T> {
  const { what, deadlineMs, logger, initialDelayMs = 250, maxDelayMs = 3000 } = opts;
  const started = Date.now();
  let delay = initialDelayMs;
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (err) {
      const elapsed = Date.now() - started;
      if (elapsed + delay >= deadlineMs) {
        throw new Error(
          `${what} failed after ${n} attempts in ${Math.round(elapsed / 1000)}s: ${reason(err)}`,
        );
      }
      logger.warn(`${what} failed (${reason(err)}); retrying in ${delay} ms (attempt ${n})`);
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, maxDelayMs);
    }
  }
}
