import {
  EVENT_KIND_HEADER,
  FireHeader,
  type FireOutcomeEvent,
  TaskType,
  type WorkerEvent,
  type WorkerHeartbeatEvent,
} from '@task-center/contracts';
import { type Admin, type Consumer, Kafka, logLevel, type Producer } from 'kafkajs';
import { randomBytes } from 'node:crypto';
import { stackEnv, uniqueName, waitFor } from './stack';

/** A fire to produce by hand, as the task center would publish it. */
export interface TestFire {
  tag: string;
  taskId?: string;
  data?: string;
  attempt?: number;
  scheduledAt?: number;
  maxRuntime?: number;
  /** Default `${taskId}:${scheduledAt}:${attempt}` (the dispatcher's format). */
  messageId?: string;
  partition?: number;
}

export interface ProducedFire {
  taskId: string;
  messageId: string;
  tag: string;
}

export const taskIdOf = (): string => randomBytes(12).toString('hex');

/**
 * Kafka plumbing of the worker SDK suites: fresh topics per test, fires produced with the
 * contract headers, the results topic read back, and a group's committed offsets.
 */
export class WorkerTestKafka {
  readonly kafka: Kafka;
  private readonly admin: Admin;
  private readonly producer: Producer;
  private readonly readers: ResultsReader[] = [];
  private readonly topics: string[] = [];

  constructor() {
    this.kafka = testKafka('worker-sdk-e2e');
    this.admin = this.kafka.admin();
    this.producer = this.kafka.producer();
  }

  async connect(): Promise<void> {
    await this.admin.connect();
    await this.producer.connect();
  }

  /** A tasks topic and a results topic no other test uses (results not created if asked). */
  async freshTopics(
    partitions = 1,
    { createResults = true } = {},
  ): Promise<{ tasks: string; results: string; group: string }> {
    const base = uniqueName('sdk');
    const names = { tasks: `${base}.tasks`, results: `${base}.results`, group: `${base}-group` };
    await this.createTopic(names.tasks, partitions);
    if (createResults) await this.createTopic(names.results, 1);
    else this.topics.push(names.results);
    return names;
  }

  async createTopic(topic: string, partitions = 1): Promise<void> {
    this.topics.push(topic);
    await this.admin.createTopics({
      topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }],
      waitForLeaders: true,
    });
  }

  async produce(topic: string, fires: TestFire[]): Promise<ProducedFire[]> {
    const produced = fires.map((f) => {
      const taskId = f.taskId ?? taskIdOf();
      const scheduledAt = f.scheduledAt ?? Date.now();
      const attempt = f.attempt ?? 1;
      const messageId = f.messageId ?? `${taskId}:${scheduledAt}:${attempt}`;
      const headers: Record<string, string> = {
        [FireHeader.tag]: f.tag,
        [FireHeader.taskId]: taskId,
        [FireHeader.messageId]: messageId,
        [FireHeader.scheduledAt]: String(scheduledAt),
        [FireHeader.publishedAt]: String(Date.now()),
        [FireHeader.attempt]: String(attempt),
        [FireHeader.taskType]: String(TaskType.OneShot),
        ...(f.maxRuntime !== undefined && { [FireHeader.maxRuntime]: String(f.maxRuntime) }),
      };
      return {
        fire: { taskId, messageId, tag: f.tag },
        message: {
          key: taskId,
          value: f.data ?? `data of ${messageId}`,
          headers,
          partition: f.partition ?? 0,
        },
      };
    });
    await this.producer.send({ topic, acks: -1, messages: produced.map((p) => p.message) });
    return produced.map((p) => p.fire);
  }

  /** Produces anything (e.g. a message without headers) to `topic`, partition 0. */
  async produceRaw(
    topic: string,
    value: string,
    headers: Record<string, string> = {},
  ): Promise<void> {
    await this.producer.send({ topic, acks: -1, messages: [{ value, headers, partition: 0 }] });
  }

  /** The offset `group` committed on `topic`/`partition` (-1 when none). */
  async committed(group: string, topic: string, partition = 0): Promise<number> {
    const [entry] = await this.admin.fetchOffsets({ groupId: group, topics: [topic] });
    const p = entry?.partitions.find((x) => x.partition === partition);
    return p ? Number(p.offset) : -1;
  }

  async waitCommitted(group: string, topic: string, offset: number, partition = 0): Promise<void> {
    await waitFor(
      `group ${group} to commit offset ${offset} on ${topic}/${partition}`,
      async () => (await this.committed(group, topic, partition)) >= offset,
      { timeoutMs: 30_000, intervalMs: 200 },
    );
  }

  /** Starts reading `topic` from the beginning; resolves once the reader joined its group. */
  async readResults(topic: string): Promise<ResultsReader> {
    const reader = new ResultsReader(this.kafka, topic);
    this.readers.push(reader);
    await reader.start();
    return reader;
  }

  async close(): Promise<void> {
    await Promise.all(this.readers.map((r) => r.stop()));
    await this.admin.deleteTopics({ topics: this.topics, timeout: 5000 }).catch(() => undefined);
    await this.producer.disconnect();
    await this.admin.disconnect();
  }
}

/** A kafkajs client on the test stack, quiet and quick to retry. */
export function testKafka(clientId: string): Kafka {
  return new Kafka({
    clientId,
    brokers: stackEnv().kafkaBrokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3000,
    retry: { initialRetryTime: 200, maxRetryTime: 2000, retries: 10 },
  });
}

/** One event read back from the results topic. */
export interface ReadEvent {
  key: string | null;
  kindHeader: string | undefined;
  event: WorkerEvent;
}

/** Everything workers publish on a results topic, in order. */
export class ResultsReader {
  readonly events: ReadEvent[] = [];
  private readonly consumer: Consumer;

  constructor(
    kafka: Kafka,
    private readonly topic: string,
  ) {
    this.consumer = kafka.consumer({
      groupId: uniqueName('sdk-results-reader'),
      maxWaitTimeInMs: 200,
      sessionTimeout: 6000,
      heartbeatInterval: 500,
    });
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.topic, fromBeginning: true });
    await this.consumer.run({
      eachMessage: async ({ message }) => {
        this.events.push({
          key: message.key?.toString() ?? null,
          kindHeader: message.headers?.[EVENT_KIND_HEADER]?.toString(),
          event: JSON.parse(message.value!.toString()) as WorkerEvent,
        });
      },
    });
  }

  outcomes(messageId?: string): FireOutcomeEvent[] {
    return this.events
      .map((e) => e.event)
      .filter((e): e is FireOutcomeEvent => e.kind === 'outcome')
      .filter((e) => messageId === undefined || e.messageId === messageId);
  }

  heartbeats(): WorkerHeartbeatEvent[] {
    return this.events
      .map((e) => e.event)
      .filter((e): e is WorkerHeartbeatEvent => e.kind === 'heartbeat');
  }

  /** Waits for at least `count` outcomes of `messageId`. */
  async outcome(messageId: string, count = 1, timeoutMs = 30_000): Promise<FireOutcomeEvent> {
    return waitFor(
      `${count} outcome(s) of ${messageId} on ${this.topic}`,
      () => this.outcomes(messageId).length >= count && this.outcomes(messageId)[count - 1],
      { timeoutMs, intervalMs: 50 },
    );
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect().catch(() => undefined);
  }
}
