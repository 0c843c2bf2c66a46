import { type Logger } from '@nestjs/common';

/** How long a condition must stay well before its recovery is logged. */
export const RECOVERY_QUIET_MS = 3000;

interface Failing {
  since: number;
  count: number;
  /** Set while the condition has been well since then: the recovery line is pending. */
  wellSince?: number;
  pending?: NodeJS.Timeout;
}

/**
 * Logs a failing condition once when it starts and once when it clears, however many
 * times it is hit in between: an outage is two lines, not one per task or per retry. The
 * recovery line waits until the condition has stayed well for `quietMs`: a server that comes
 * back and drops its old connections (a database restart) fails again a moment after the
 * first success, and that is the same outage.
 */
export class ConditionLog {
  private readonly failing = new Map<string, Failing>();

  constructor(
    private readonly logger: Logger,
    private readonly quietMs = RECOVERY_QUIET_MS,
  ) {}

  fail(condition: string, err: unknown, now = Date.now()): void {
    const state = this.failing.get(condition);
    if (state) {
      state.count++;
      clearTimeout(state.pending);
      delete state.pending;
      delete state.wellSince;
      return;
    }
    this.failing.set(condition, { since: now, count: 1 });
    this.logger.warn(`${condition}: ${err instanceof Error ? err.message : String(err)}`);
  }

  ok(condition: string, now = Date.now()): void {
    const state = this.failing.get(condition);
    if (!state || state.wellSince !== undefined) return;
    state.wellSince = now;
    const recovered = () => {
      if (this.failing.get(condition) !== state) return;
      this.failing.delete(condition);
      this.logger.log(
        `${condition}: recovered after ${Math.round((now - state.since) / 1000)}s (${state.count} failures)`,
      );
    };
    if (this.quietMs <= 0) return recovered();
    state.pending = setTimeout(recovered, this.quietMs);
    state.pending.unref();
  }

  isFailing(condition: string): boolean {
    return this.failing.has(condition);
  }
}
