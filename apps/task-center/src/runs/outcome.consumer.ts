import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  Optional,
} from '@nestjs/common';
import { type FireOutcomeEvent, type WorkerHeartbeatEvent } from '@task-center/contracts';
import { type Kafka, type KafkaMessage } from 'kafkajs';
import { APP_CONFIG, type AppConfig } from '../config';
import { KAFKA } from '../kafka/kafka.tokens';
import { MetricsService } from '../metrics/metrics.service';
import { RunEventsRepository } from '../repositories/run-events.repository';
import { AttemptFailures } from './attempt-failures';
import { BatchConsumer } from '../kafka/batch-consumer';
import { ForeignOutcomeReport } from './foreign-outcome.report';
import { KnownTasks } from './known-tasks';
import { type RunEvent, runEvent } from './run-records';
import { RunTimerLoop } from './run-timer.loop';
import { parseWorkerEvent } from './worker-event.parser';
import { WorkerRegistry } from './worker-registry';

/**
 * Consumes the results topic: outcomes become run events (and, when failed, a redelivery
 * or a dead letter through the timers), heartbeats feed the worker registry. A batch is
 * stored before its offsets are committed, and every write is idempotent, so a crash
 * replays at most a batch, harmlessly.
 */
@Injectable()
export class OutcomeConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(OutcomeConsumer.name);
  /** Malformed events are logged once per kind of problem, not once per message. */
  private readonly reported = new Set<string>();
  private readonly consumer: BatchConsumer;
  private readonly foreignReport = new ForeignOutcomeReport();

  constructor(
    @Inject(KAFKA) kafka: Kafka,
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly events: RunEventsRepository,
    private readonly failures: AttemptFailures,
    private readonly timers: RunTimerLoop,
    private readonly workers: WorkerRegistry,
    private readonly knownTasks: KnownTasks,
    @Optional() private readonly metrics?: MetricsService,
  ) {
    this.consumer = new BatchConsumer(kafka, config, {
      groupId: config.runs.resultsGroup,
      topics: [config.kafka.topics.results],
      logger: this.logger,
      handle: (messages) => this.handle(messages),
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.consumer.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.consumer.stop();
  }

  async handle(messages: KafkaMessage[], now = Date.now()): Promise<void> {
    const outcomes: FireOutcomeEvent[] = [];
    const beats: WorkerHeartbeatEvent[] = [];
    for (const m of messages) {
      const parsed = parseWorkerEvent(m.value);
      if (!parsed.ok) {
        this.malformed(parsed.reason, m.offset);
        continue;
      }
      if (parsed.event.kind === 'outcome') outcomes.push(parsed.event);
      else beats.push(parsed.event);
    }
    // Heartbeats are recorded whatever their tags: they name no task (README, Operations: two deployments).
    await this.workers.heard(beats, now);
    const ours = await this.withoutForeign(outcomes, now);
    if (ours.length === 0) return;
    await this.events.insert(ours.map((o) => toRunEvent(o, now)));
    this.metrics?.outcomesRecorded(ours.map((o) => o.result));
    const failed = ours.filter((o) => o.result === 'failed');
    const timers = await this.failures.timersFor(
      failed.map((o) => ({
        taskId: o.taskId,
        name: o.tag,
        scheduledAt: o.scheduledAt,
        attempt: o.attempt,
        error: o.error ?? 'failed',
        reason: 'failed' as const,
        ...(o.retryAfterMs !== undefined && { retryAfterMs: o.retryAfterMs }),
      })),
      now,
    );
    await this.timers.schedule(timers, now);
  }

  /**
   * Outcomes for tasks this database does not know come from another deployment sharing the
   * results topic: not recorded (they would be orphans here), but counted and reported.
   */
  private async withoutForeign(
    outcomes: FireOutcomeEvent[],
    now: number,
  ): Promise<FireOutcomeEvent[]> {
    const unknown =
      outcomes.length === 0
        ? new Set<string>()
        : await this.knownTasks.unknownAmong(outcomes.map((o) => o.taskId));
    const foreign = outcomes.filter((o) => unknown.has(o.taskId));
    this.metrics?.foreignOutcomesSkipped(foreign.length);
    const line = this.foreignReport.note(
      foreign.map((o) => o.messageId),
      now,
    );
    if (line) this.logger.warn(line);
    return foreign.length === 0 ? outcomes : outcomes.filter((o) => !unknown.has(o.taskId));
  }

  private malformed(reason: string, offset: string): void {
    if (this.reported.has(reason) || this.reported.size > 100) return;
    this.reported.add(reason);
    this.logger.warn(
      `skipping malformed results event (${reason}), first at offset ${offset}; further ones of this kind are skipped silently`,
    );
  }
}

function toRunEvent(o: FireOutcomeEvent, now: number): RunEvent {
  return runEvent(o.result, { ...o, name: o.tag }, now, {
    messageId: o.messageId,
    error: o.error !== undefined && o.timedOut ? `timed out: ${o.error}` : o.error,
    startedAt: o.startedAt,
    durationMs: o.durationMs,
    worker: o.worker,
  });
}
