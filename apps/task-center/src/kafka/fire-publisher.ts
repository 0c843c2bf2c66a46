import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { FireHeader } from '@task-center/contracts';
import {
  CompressionTypes,
  type Kafka,
  type PartitionMetadata,
  Partitioners,
  type Producer,
} from 'kafkajs';
import { APP_CONFIG, type AppConfig } from '../config';
import { KafkaAdminService } from './kafka-admin.service';
import { KAFKA } from './kafka.tokens';
import { type EncodedBatch, encodeRecordBatch, RECORD_BATCH, restamp } from './record-batch';
import { retryUntil } from '../startup/retry-until';
import { type FireMessage, stampPublished } from './fire-message';

/** How often the partition counts used to encode batches ahead are read again. */
const PARTITIONS_REFRESH_MS = 60_000;

/** The fires of one partition, encoded ahead as one record batch. */
interface PartitionBatch {
  topic: string;
  partition: number;
  messages: FireMessage[];
  /** Undefined once a message was dropped: encoded again at the send. */
  encoded: EncodedBatch | undefined;
  /** Sent as plain messages (kafkajs encodes them): encoding ahead failed. */
  plain: boolean;
}

/**
 * A batch planned ahead of its due time: its record batches encoded already (one per
 * partition), so that sending it costs a re-stamp and a CRC instead of encoding every record.
 * Topics whose partition count is not known yet go as plain messages.
 */
export class PreparedFires {
  constructor(
    readonly partitions: PartitionBatch[],
    public plain: FireMessage[],
  ) {}

  /** Leaves these messages out (their task changed after the batch was planned). */
  drop(dropped: ReadonlySet<FireMessage>): void {
    if (dropped.size === 0) return;
    for (const p of this.partitions) {
      const kept = p.messages.filter((m) => !dropped.has(m));
      if (kept.length === p.messages.length) continue;
      p.messages = kept;
      p.encoded = undefined;
    }
    this.plain = this.plain.filter((m) => !dropped.has(m));
  }
}

/** The one producer of the task center: batches go out as one request per broker. */
@Injectable()
export class FirePublisher implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(FirePublisher.name);
  private readonly producer: Producer;
  /** kafkajs's default partitioner: the partition a key gets here is the one Java clients give it. */
  private readonly partitioner = Partitioners.DefaultPartitioner();
  /** Partition metadata stand-ins per topic, for the partitioner (only the count matters for keys). */
  private readonly partitionsByTopic = new Map<string, PartitionMetadata[]>();
  private readonly learning = new Set<string>();
  private refreshTimer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(KAFKA) kafka: Kafka,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly admin: KafkaAdminService,
  ) {
    // No client-side retries: the dispatcher keeps unacknowledged fires and retries them
    // itself with backoff, so a broker outage cannot pile up hidden in-flight requests.
    // Every message names its partition (`this.partitioner` below); naming the producer's own
    // partitioner only keeps kafkajs from warning about its v2 default change at startup.
    this.producer = kafka.producer({
      allowAutoTopicCreation: false,
      retry: { retries: 0 },
      createPartitioner: Partitioners.DefaultPartitioner,
    });
  }

  async onModuleInit(): Promise<void> {
    await this.admin.ready();
    await retryUntil(() => this.producer.connect(), {
      what: `kafka: connecting the producer to ${this.config.kafka.brokers.join(',')}`,
      deadlineMs: this.config.startupTimeoutMs,
      logger: this.logger,
    });
    this.learn(this.config.kafka.topics.tasks);
    warmUpEncoder();
    // The producer's metadata of the tasks topic (no record is sent): the first batch does not
    // wait for a metadata round trip. Best effort: the send fetches it anyway.
    await this.producer
      .sendBatch({ topicMessages: [{ topic: this.config.kafka.topics.tasks, messages: [] }] })
      .catch(() => undefined);
    this.refreshTimer = setInterval(() => {
      for (const topic of this.partitionsByTopic.keys()) this.learn(topic);
    }, PARTITIONS_REFRESH_MS);
  }

  /** Resolves when every message is acknowledged by all in-sync replicas. */
  async publish(messages: FireMessage[]): Promise<void> {
    const topics = new TopicMessages();
    for (const m of messages) topics.add(m.topic, plainOf(m));
    await this.send(topics);
  }

  /**
   * Partitions and encodes a batch ahead of its send. The messages carry the planned publish
   * time; `publishPrepared` re-stamps them with the actual one.
   */
  prepare(messages: FireMessage[]): PreparedFires {
    const partitions = new Map<string, PartitionBatch>();
    const plain: FireMessage[] = [];
    for (const message of messages) {
      const partitionMetadata = this.partitionsByTopic.get(message.topic);
      if (!partitionMetadata) {
        this.learn(message.topic);
        plain.push(message);
        continue;
      }
      const partition = this.partitioner({ topic: message.topic, partitionMetadata, message });
      const id = `${partition}:${message.topic}`;
      const batch = partitions.get(id);
      if (batch) batch.messages.push(message);
      else
        partitions.set(id, {
          topic: message.topic,
          partition,
          messages: [message],
          encoded: undefined,
          plain: false,
        });
    }
    for (const p of partitions.values()) this.encode(p, Number(p.messages[0]!.timestamp));
    return new PreparedFires([...partitions.values()], plain);
  }

  /** Stamps the batch with its publish time and sends it; resolves once acknowledged. */
  async publishPrepared(batch: PreparedFires, publishedAt: number): Promise<void> {
    const topics = new TopicMessages();
    for (const p of batch.partitions) {
      if (p.messages.length === 0) continue;
      for (const m of p.messages) stampPublished(m, publishedAt);
      const encoded = this.encode(p, publishedAt);
      // value: kafkajs checks every message has one; the patched encoder sends the batch instead.
      if (encoded)
        topics.add(p.topic, { partition: p.partition, value: null, [RECORD_BATCH]: encoded });
      else
        for (const m of p.messages) topics.add(p.topic, { ...plainOf(m), partition: p.partition });
    }
    for (const m of batch.plain) {
      stampPublished(m, publishedAt);
      topics.add(m.topic, plainOf(m));
    }
    await this.send(topics);
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.refreshTimer);
    await this.producer.disconnect();
  }

  /**
   * The partition's record batch stamped `timestamp` (re-stamped, or encoded again when its
   * messages changed); undefined when it goes as plain messages instead.
   */
  private encode(p: PartitionBatch, timestamp: number): Buffer | undefined {
    if (p.plain) return undefined;
    try {
      if (!p.encoded || !restamp(p.encoded, timestamp))
        p.encoded = encodeRecordBatch(p.messages, timestamp, FireHeader.publishedAt);
      return p.encoded.buffer;
    } catch (err) {
      // Not expected (every message carries the batch's publish time): kafkajs encodes them.
      this.logger.warn(`fires for ${p.topic}[${p.partition}] not encoded ahead: ${String(err)}`);
      p.plain = true;
      return undefined;
    }
  }

  private async send(topics: TopicMessages): Promise<void> {
    if (topics.size === 0) return;
    try {
      await this.producer.sendBatch({
        acks: -1,
        timeout: 10_000,
        compression: CompressionTypes.None,
        topicMessages: [...topics].map(([topic, messages]) => ({
          topic,
          messages: messages as never,
        })),
      });
    } catch (err) {
      // A topic re-created with fewer partitions, say: encode by partition again once known.
      for (const topic of this.partitionsByTopic.keys()) this.learn(topic);
      throw err;
    }
  }

  /** Reads a topic's partition count in the background; until then its fires go plain. */
  private learn(topic: string): void {
    if (this.learning.has(topic)) return;
    this.learning.add(topic);
    this.admin
      .partitionsOf(topic)
      .then((count) => {
        if (count > 0)
          this.partitionsByTopic.set(
            topic,
            Array.from({ length: count }, (_, partitionId) => ({
              partitionId,
              leader: 0,
              partitionErrorCode: 0,
              replicas: [],
              isr: [],
            })),
          );
        else this.partitionsByTopic.delete(topic);
      })
      .catch(() => this.partitionsByTopic.delete(topic))
      .finally(() => this.learning.delete(topic));
  }
}

/**
 * Encodes a synthetic batch a few times so that the first real one runs compiled code: cold,
 * encoding 1,000 fires took ~40 ms instead of ~4 ms and made the first batch late.
 */
function warmUpEncoder(): void {
  const at = Date.now();
  const records = Array.from({ length: 500 }, (_, i) => ({
    key: String(i).padStart(24, '0'),
    value: `{"warm-up":${i}}`,
    headers: { [FireHeader.tag]: 'warm-up', [FireHeader.publishedAt]: String(at) },
  }));
  for (let i = 0; i < 20; i++)
    restamp(encodeRecordBatch(records, at, FireHeader.publishedAt), at + i);
}

/** Messages by topic, in order. */
class TopicMessages extends Map<string, object[]> {
  add(topic: string, message: object): void {
    const list = this.get(topic);
    if (list) list.push(message);
    else this.set(topic, [message]);
  }
}

const plainOf = ({ key, value, headers, timestamp }: FireMessage) => ({
  key,
  value,
  headers,
  timestamp,
});
