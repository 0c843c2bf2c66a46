import { type WorkerLogger } from './worker-logger';

/**
 * A failure that repeats while something is down (the consumer crashing and restarting, a
 * heartbeat not published) logged as two lines: once when it starts, once when it ends. A
 * 60 s Kafka outage is then two lines per condition, not one per retry.
 */
export class OutageLog {
  private failures = 0;
  private since = 0;

  constructor(
    private readonly logger: WorkerLogger,
    private readonly condition: string,
  ) {}

  fail(detail: string, level: 'warn' | 'error' = 'warn', now = Date.now()): void {
    if (this.failures++ > 0) return;
    this.since = now;
    this.logger[level](`${this.condition}: ${detail} (logged again when it recovers)`);
  }

  ok(now = Date.now()): void {
    if (this.failures === 0) return;
    const seconds = Math.round((now - this.since) / 1000);
    this.logger.log(`${this.condition}: recovered after ${seconds}s (${this.failures} failures)`);
    this.failures = 0;
  }
}
