import { type Logger } from '@nestjs/common';
import { type Consumer, type Kafka, type KafkaMessage } from 'kafkajs';
import { type AppConfig } from '../config';
import { retryUntil } from '../startup/retry-until';

export interface BatchConsumerOptions {
  groupId: string;
  topics: string[];
  logger: Logger;
  /** Must be idempotent: after a crash, a batch is handled again (offsets commit after it). */
  handle: (messages: KafkaMessage[]) => Promise<void>;
}

/** Messages handed to `handle` at once: one round of inserts each, small enough to redo. */
const CHUNK = 200;
/**
 * Longest wait for a clean leave of the group on shutdown. kafkajs' disconnect waits for a
 * join or a rebalance in progress (seconds, up to the session timeout), which would eat the
 * whole SHUTDOWN_TIMEOUT_S; leaving without it is safe, since offsets commit only after a
 * batch was stored and the batch is then handled again by the next member.
 */
const STOP_TIMEOUT_MS = 3000;

/**
 * The task center's one wrapper around a kafkajs consumer: at-least-once batches, offsets
 * resolved only after `handle` succeeded; a failing `handle` makes kafkajs restart the
 * consumer and retry the batch, with its backoff.
 */
export class BatchConsumer {
  private readonly consumer: Consumer;
  private running = false;

  constructor(
    kafka: Kafka,
    private readonly config: AppConfig,
    private readonly options: BatchConsumerOptions,
  ) {
    const sessionTimeoutMs = config.runs.consumerSessionTimeoutMs;
    this.consumer = kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: sessionTimeoutMs,
      heartbeatInterval: Math.max(500, Math.floor(sessionTimeoutMs / 10)),
      maxWaitTimeInMs: 250,
      allowAutoTopicCreation: false,
      retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 300, maxRetryTime: 5000 },
    });
  }

  /** Connects and starts consuming; resolves before the group is joined (that takes seconds). */
  async start(): Promise<void> {
    if (!this.config.runs.enabled) return; // RUNS_ENABLED=false: this replica consumes nothing
    const { groupId, topics, logger } = this.options;
    await retryUntil(() => this.consumer.connect(), {
      what: `kafka: connecting consumer ${groupId}`,
      deadlineMs: this.config.startupTimeoutMs,
      logger,
    });
    // From the beginning for a new group: every handler is idempotent, and starting at
    // "latest" would drop what arrived between the first deployment and the first join.
    await this.consumer.subscribe({ topics, fromBeginning: true });
    this.running = true;
    void this.consumer
      .run({
        eachBatchAutoResolve: false,
        eachBatch: async (payload) => {
          const { messages } = payload.batch;
          for (let i = 0; i < messages.length; i += CHUNK) {
            if (!payload.isRunning() || payload.isStale()) return;
            const chunk = messages.slice(i, i + CHUNK);
            await this.options.handle(chunk);
            payload.resolveOffset(chunk.at(-1)!.offset);
            await payload.heartbeat();
          }
        },
      })
      .catch((err: unknown) => logger.error(`consumer ${groupId} stopped: ${String(err)}`));
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), STOP_TIMEOUT_MS);
    });
    const result = await Promise.race([this.consumer.disconnect(), timedOut]);
    clearTimeout(timer);
    if (result === 'timeout') {
      this.options.logger.warn(
        `consumer ${this.options.groupId}: left without a clean disconnect after ${STOP_TIMEOUT_MS} ms`,
      );
    }
  }
}
