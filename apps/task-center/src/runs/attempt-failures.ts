import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config';
import { messageIdOf } from '../kafka/fire-message';
import { nextAttempt } from '../scheduling';
import { FiresRepository } from '../repositories/fires.repository';
import { RunEventsRepository } from '../repositories/run-events.repository';
import { TasksRepository } from '../repositories/tasks.repository';
import { runEventId, type RunTimer, runTimerId } from './run-records';

/** An attempt that failed: a worker said so, or its `ack` deadline passed in silence. */
export interface FailedAttempt {
  taskId: string;
  name: string;
  scheduledAt: number;
  attempt: number;
  error: string;
  reason: 'failed' | 'timeout';
  /** The worker asked for at least this delay before the next attempt (HTTP Retry-After). */
  retryAfterMs?: number;
}

/**
 * Decides what follows failed attempts (the task's retry policy) and returns the timers
 * that carry it out: a `redeliver` of attempt n+1 after the backoff, or `dead` now.
 * Attempts already followed up (attempt n+1 published, or the fire already dead) get
 * nothing: a late or replayed outcome must not re-run a fire.
 */
@Injectable()
export class AttemptFailures {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly tasks: TasksRepository,
    private readonly events: RunEventsRepository,
    private readonly fires: FiresRepository,
  ) {}

  async timersFor(failures: FailedAttempt[], now: number): Promise<RunTimer[]> {
    if (failures.length === 0) return [];
    const tasks = await this.tasks.findByIds(failures.map((f) => f.taskId));
    const planned: RunTimer[] = [];
    const seen = new Set<string>();
    for (const f of failures) {
      const task = tasks.get(f.taskId);
      // A deleted task is not retried, nor dead-lettered: its owner asked for it to stop.
      if (!task) continue;
      const decision = nextAttempt(task.retry, f.attempt);
      const failedId = messageIdOf(f.taskId, f.scheduledAt, f.attempt);
      const base = {
        taskId: f.taskId,
        name: task.name,
        scheduledAt: f.scheduledAt,
        shard: task.shard,
        createdAt: now,
        lastError: f.error,
      };
      const timer: RunTimer = decision.retry
        ? {
            ...base,
            kind: 'redeliver',
            id: runTimerId('redeliver', messageIdOf(f.taskId, f.scheduledAt, f.attempt + 1)),
            attempt: f.attempt + 1,
            dueAt: now + this.delayOf(decision.delayMs, f.retryAfterMs),
            reason: f.reason,
          }
        : {
            ...base,
            kind: 'dead',
            id: runTimerId('dead', failedId),
            attempt: f.attempt,
            dueAt: now,
          };
      if (seen.has(timer.id)) continue;
      seen.add(timer.id);
      planned.push(timer);
    }
    return this.notFollowedUp(planned);
  }

  /** The task's backoff, or the worker's "retry after" when longer (capped). */
  private delayOf(backoffMs: number, retryAfterMs = 0): number {
    return Math.max(backoffMs, Math.min(retryAfterMs, this.config.runs.retryAfterMaxMs));
  }

  private async notFollowedUp(timers: RunTimer[]): Promise<RunTimer[]> {
    const out: RunTimer[] = [];
    const deadIds = timers
      .filter((t) => t.kind === 'dead')
      .map((t) => runEventId(messageIdOf(t.taskId, t.scheduledAt, t.attempt), 'dead'));
    const alreadyDead = await this.events.existing(deadIds);
    for (const t of timers) {
      const messageId = messageIdOf(t.taskId, t.scheduledAt, t.attempt);
      if (t.kind === 'dead' && alreadyDead.has(runEventId(messageId, 'dead'))) continue;
      if (t.kind === 'redeliver' && (await this.fires.findById(messageId))) continue;
      out.push(t);
    }
    return out;
  }
}
