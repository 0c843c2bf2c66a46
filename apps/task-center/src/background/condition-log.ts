import { type Logger } from '@nestjs/common';

/**
 * Logs a failing condition once when it starts and once when it clears, however many
 * times it is hit in between: an outage is two lines, not one per task or per retry.
 */
export class ConditionLog {
  private readonly failing = new Map<string, { since: number; count: number }>();

  constructor(private readonly logger: Logger) {}

  fail(condition: string, err: unknown, now = Date.now()): void {
    const state = this.failing.get(condition);
    if (state) {
      state.count++;
      return;
    }
    this.failing.set(condition, { since: now, count: 1 });
    this.logger.warn(`${condition}: ${err instanceof Error ? err.message : String(err)}`);
  }

  ok(condition: string, now = Date.now()): void {
    const state = this.failing.get(condition);
    if (!state) return;
    this.failing.delete(condition);
    this.logger.log(
      `${condition}: recovered after ${Math.round((now - state.since) / 1000)}s (${state.count} failures)`,
    );
  }

  isFailing(condition: string): boolean {
    return this.failing.has(condition);
  }
}
