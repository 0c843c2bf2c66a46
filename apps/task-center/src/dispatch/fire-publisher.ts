import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { CompressionTypes, type Kafka, type Producer } from 'kafkajs';
import { APP_CONFIG, type AppConfig } from '../config';
import { KAFKA } from '../kafka/kafka.tokens';
import { retryUntil } from '../startup/retry-until';
import { type FireMessage } from './fire-message';

/** The one producer of the task center: batches go out as one request per broker. */
@Injectable()
export class FirePublisher implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(FirePublisher.name);
  private readonly producer: Producer;

  constructor(
    @Inject(KAFKA) kafka: Kafka,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    // No client-side retries: the dispatcher keeps unacknowledged fires and retries them
    // itself with backoff, so a broker outage cannot pile up hidden in-flight requests.
    this.producer = kafka.producer({ allowAutoTopicCreation: false, retry: { retries: 0 } });
  }

  async onModuleInit(): Promise<void> {
    await retryUntil(() => this.producer.connect(), {
      what: `kafka: connecting the producer to ${this.config.kafka.brokers.join(',')}`,
      deadlineMs: this.config.startupTimeoutMs,
      logger: this.logger,
    });
  }

  /** Resolves when every message is acknowledged by all in-sync replicas. */
  async publish(messages: FireMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const byTopic = new Map<string, FireMessage[]>();
    for (const m of messages) {
      const list = byTopic.get(m.topic);
      if (list) list.push(m);
      else byTopic.set(m.topic, [m]);
    }
    await this.producer.sendBatch({
      acks: -1,
      timeout: 10_000,
      compression: CompressionTypes.None,
      topicMessages: [...byTopic].map(([topic, list]) => ({
        topic,
        messages: list.map(({ key, value, headers, timestamp }) => ({
          key,
          value,
          headers,
          timestamp,
        })),
      })),
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.producer.disconnect();
  }
}
