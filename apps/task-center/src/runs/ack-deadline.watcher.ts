import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { FireHeader } from '@task-center/contracts';
import { type Kafka, type KafkaMessage } from 'kafkajs';
import { APP_CONFIG, type AppConfig } from '../config';
import { KAFKA } from '../kafka/kafka.tokens';
import { shardOf } from '../tasks/task-shard';
import { BatchConsumer } from './batch-consumer';
import { type RunTimer } from './run-records';
import { RunTimerActions } from './run-timer.actions';
import { RunTimerLoop } from './run-timer.loop';

const header = (m: KafkaMessage, name: string): string | undefined => {
  const v = m.headers?.[name];
  const first = Array.isArray(v) ? v[0] : v;
  return first === undefined ? undefined : first.toString();
};

const positive = (s: string | undefined): number | undefined => {
  const n = Number(s);
  return s !== undefined && Number.isSafeInteger(n) && n > 0 ? n : undefined;
};

/**
 * Arms the `ack` deadline of every fire the dispatcher publishes, by reading the fire
 * topics in its own consumer group. Why a consumer and not a call from the dispatcher: the
 * dispatcher has no publish hook, and the topic is the durable record of what was
 * published (a deadline is armed even if the center died right after publishing). The
 * cost is reading every fire once more; only headers are looked at. Redeliveries arm
 * their deadlines directly too; the timer `_id` makes the second arming a no-op.
 */
@Injectable()
export class AckDeadlineWatcher implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(AckDeadlineWatcher.name);
  private readonly consumer: BatchConsumer;

  constructor(
    @Inject(KAFKA) kafka: Kafka,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly actions: RunTimerActions,
    private readonly timers: RunTimerLoop,
  ) {
    this.consumer = new BatchConsumer(kafka, config, {
      groupId: config.runs.deadlinesGroup,
      topics: [...new Set([config.kafka.topics.tasks, ...config.kafka.extraTopics])],
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

  async handle(messages: KafkaMessage[]): Promise<void> {
    const deadlines: RunTimer[] = [];
    for (const m of messages) {
      if (header(m, FireHeader.ack) !== 'true') continue;
      const taskId = header(m, FireHeader.taskId);
      const name = header(m, FireHeader.tag);
      const maxRuntime = positive(header(m, FireHeader.maxRuntime));
      const scheduledAt = positive(header(m, FireHeader.scheduledAt));
      const attempt = positive(header(m, FireHeader.attempt));
      const publishedAt = positive(header(m, FireHeader.publishedAt));
      if (!taskId || !name || !maxRuntime || !scheduledAt || !attempt || !publishedAt) continue;
      const task = {
        id: taskId,
        name,
        ack: true,
        maxRuntime,
        shard: shardOf(taskId, this.config.dispatch.shards),
      };
      const deadline = this.actions.deadlineOf(task, scheduledAt, attempt, publishedAt);
      if (deadline) deadlines.push(deadline);
    }
    await this.timers.schedule(deadlines);
  }
}
