import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { TaskType } from '@task-center/contracts';
import { APP_CONFIG, type AppConfig } from '../config';
import { inSmallGroups } from '../database/bulk-write';
import { FirePublisher } from '../kafka/fire-publisher';
import { type FireMessage, fireMessage, messageIdOf } from '../kafka/fire-message';
import { MetricsService } from '../metrics/metrics.service';
import { DeadLettersRepository } from '../repositories/dead-letters.repository';
import { FiresRepository } from '../repositories/fires.repository';
import { RunEventsRepository } from '../repositories/run-events.repository';
import { TasksRepository } from '../repositories/tasks.repository';
import { type Task } from '../tasks/task';
import { ackDeadlineOf } from './ack-deadline';
import { AttemptFailures } from './attempt-failures';
import { type FireRecord, runEvent, runEventId, type RunTimer } from './run-records';

/** Headers a dead-lettered fire carries besides the original fire's. */
export const DeadLetterHeader = {
  error: 'tc-error',
  deadAt: 'tc-dead-at',
} as const;

/**
 * What a due timer does. Every action publishes first and records after, so a crash in
 * between repeats the publish (same message id) rather than losing it: at least once.
 * Returns the timers that follow (deadlines of redelivered `ack` fires, retries after a
 * timeout); the loop schedules them and deletes the executed ones.
 */
@Injectable()
export class RunTimerActions {
  private readonly logger = new Logger(RunTimerActions.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly tasks: TasksRepository,
    private readonly fires: FiresRepository,
    private readonly events: RunEventsRepository,
    private readonly deadLetters: DeadLettersRepository,
    private readonly publisher: FirePublisher,
    private readonly failures: AttemptFailures,
    @Optional() private readonly metrics?: MetricsService,
  ) {}

  async execute(timers: RunTimer[], now: number): Promise<RunTimer[]> {
    const tasks = await this.tasks.findByIds(timers.map((t) => t.taskId));
    const of = (kind: RunTimer['kind']) => timers.filter((t) => t.kind === kind);
    const followUps = await this.deadlines(of('deadline'), now);
    await this.deadLetter(of('dead'), tasks, now);
    followUps.push(...(await this.redeliver(of('redeliver'), tasks, now)));
    return followUps;
  }

  /** Publishes attempt n+1 on the task's topic, exactly like the dispatcher's first one. */
  private async redeliver(
    timers: RunTimer[],
    tasks: Map<string, Task>,
    now: number,
  ): Promise<RunTimer[]> {
    const messages: FireMessage[] = [];
    const attempts: FireRecord[] = [];
    const deadlines: RunTimer[] = [];
    for (const t of timers) {
      const task = tasks.get(t.taskId);
      if (!task) continue; // deleted meanwhile: nothing more to deliver
      const message = fireMessage(task, t.scheduledAt, t.attempt, now, this.config.kafka.topics);
      messages.push(message);
      attempts.push({
        messageId: messageIdOf(t.taskId, t.scheduledAt, t.attempt),
        taskId: t.taskId,
        name: task.name,
        scheduledAt: t.scheduledAt,
        attempt: t.attempt,
        publishedAt: now,
        manual: false,
      });
      const deadline = ackDeadlineOf(
        task,
        t.scheduledAt,
        t.attempt,
        now,
        this.config.runs.ackGraceMs,
      );
      if (deadline) deadlines.push(deadline);
    }
    await this.publisher.publish(messages);
    await this.fires.record(attempts);
    this.metrics?.retried(messages.length);
    if (messages.length > 0) this.logger.debug(`redelivered ${messages.length} fires`);
    return deadlines;
  }

  /** An attempt with neither a success nor a failure by its deadline counts as failed. */
  private async deadlines(timers: RunTimer[], now: number): Promise<RunTimer[]> {
    if (timers.length === 0) return [];
    const idOf = (t: RunTimer) => messageIdOf(t.taskId, t.scheduledAt, t.attempt);
    const answered = await this.events.existing(
      timers.flatMap((t) => [runEventId(idOf(t), 'succeeded'), runEventId(idOf(t), 'failed')]),
    );
    const silent = timers.filter(
      (t) =>
        !answered.has(runEventId(idOf(t), 'succeeded')) &&
        !answered.has(runEventId(idOf(t), 'failed')),
    );
    const error = 'no outcome within max_runtime + grace (ack)';
    await this.events.insert(silent.map((t) => runEvent('timeout', t, now, { error })));
    this.metrics?.timedOut(silent.map((t) => t.name));
    return this.failures.timersFor(
      silent.map((t) => ({ ...t, error, reason: 'timeout' as const })),
      now,
    );
  }

  /** The original fire, with its headers plus the last error, on the dead-letter topic. */
  private async deadLetter(timers: RunTimer[], tasks: Map<string, Task>, now: number) {
    if (timers.length === 0) return;
    const topic = this.config.kafka.topics.deadLetter;
    const letters = await inSmallGroups(timers, async (t) => {
      const messageId = messageIdOf(t.taskId, t.scheduledAt, t.attempt);
      const published = await this.fires.findById(messageId);
      const task = tasks.get(t.taskId) ?? this.ghostOf(t);
      const message = fireMessage(
        task,
        t.scheduledAt,
        t.attempt,
        published?.publishedAt ?? now,
        this.config.kafka.topics,
      );
      message.topic = topic;
      message.headers[DeadLetterHeader.error] = (t.lastError ?? '').slice(0, 2000);
      message.headers[DeadLetterHeader.deadAt] = String(now);
      return { t, messageId, message };
    });
    await this.publisher.publish(letters.map((l) => l.message));
    this.metrics?.deadLettered(letters.map((l) => l.t.name));
    for (const { t, messageId, message } of letters) {
      await this.deadLetters.insert({
        messageId,
        taskId: t.taskId,
        name: t.name,
        scheduledAt: t.scheduledAt,
        attempt: t.attempt,
        lastError: t.lastError ?? '',
        deadAt: now,
        topic,
        headers: message.headers,
      });
    }
    await this.events.insert(
      letters.map(({ t, messageId }) =>
        runEvent('dead', t, now, { messageId, error: t.lastError }),
      ),
    );
    this.logger.log(`dead-lettered ${letters.length} fires to ${topic}`);
  }

  /** A deleted task's fire still goes to the dead-letter topic, without its data. */
  private ghostOf(t: RunTimer): Task {
    return {
      id: t.taskId,
      name: t.name,
      type: TaskType.OneShot,
      data: '',
      ack: false,
      timezone: 'UTC',
      misfire: 'skip',
      status: 'deleted',
      nextRunAt: null,
      manualRuns: [],
      runCount: 0,
      lastRunAt: null,
      createdAt: 0,
      updatedAt: 0,
      version: 0,
      shard: t.shard,
      dueAt: null,
    };
  }
}
