/**
 * The dispatcher's producer against the real broker: batches encoded ahead of their slot
 * (apps/task-center/src/kafka/record-batch.ts, sent through the kafkajs patch) must reach a
 * plain kafkajs consumer exactly as kafkajs itself would have sent them: same key, value,
 * headers, partition per key; the publish time re-stamped at the send.
 */
import { FireHeader } from '@task-center/contracts';
import { Kafka, logLevel } from 'kafkajs';
import { type AppConfig } from '../apps/task-center/src/config';
import { type FireMessage } from '../apps/task-center/src/kafka/fire-message';
import { FirePublisher } from '../apps/task-center/src/kafka/fire-publisher';
import { type KafkaAdminService } from '../apps/task-center/src/kafka/kafka-admin.service';
import { FireConsumer } from './support/fire-consumer';
import { isolatedConfig, stackEnv, uniqueName, waitFor } from './support/stack';

const PARTITIONS = 4;

function fire(topic: string, i: number, at: number): FireMessage {
  const id = (0x6740_0000 + i).toString(16).padStart(24, '0');
  return {
    topic,
    key: id,
    value: JSON.stringify({ i, text: 'é€漢😀'.repeat(i % 4) }),
    headers: {
      [FireHeader.tag]: `publisher-${i % 3}`,
      [FireHeader.taskId]: id,
      [FireHeader.messageId]: `${id}:${at}:1`,
      [FireHeader.scheduledAt]: String(at),
      [FireHeader.publishedAt]: String(at),
      [FireHeader.attempt]: '1',
      [FireHeader.taskType]: '2',
    },
    timestamp: String(at),
  };
}

describe('FirePublisher on the real broker', () => {
  const kafka = new Kafka({ brokers: stackEnv().kafkaBrokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const config: AppConfig = isolatedConfig();
  const known = config.kafka.topics.tasks;
  const unknown = uniqueName('publisher-plain');
  const reference = uniqueName('publisher-reference');
  const topics = [known, unknown, reference];
  let publisher: FirePublisher;
  let consumer: FireConsumer;

  beforeAll(async () => {
    await admin.connect();
    await admin.createTopics({
      waitForLeaders: true,
      topics: topics.map((topic) => ({ topic, numPartitions: PARTITIONS })),
    });
    const partitionsOf = async (topic: string) =>
      (await admin.fetchTopicMetadata({ topics: [topic] })).topics[0]!.partitions.length;
    const ready = () => Promise.resolve(); // topics created above
    publisher = new FirePublisher(kafka, config, { partitionsOf, ready } as KafkaAdminService);
    await publisher.onModuleInit();
    consumer = await FireConsumer.start(stackEnv().kafkaBrokers, topics);
  });

  afterAll(async () => {
    await publisher.onApplicationShutdown();
    await consumer.stop();
    await consumer.deleteTopics(topics);
    await admin.disconnect();
  });

  it('sends a batch encoded ahead as kafkajs would, re-stamped, without the dropped fires', async () => {
    const at = Date.now();
    // The tasks topic's partition count is read at startup, in the background.
    await waitFor('the partition count of the tasks topic', () => {
      const probe = publisher.prepare([fire(known, 0, at)]);
      return probe.partitions.length === 1 && probe.plain.length === 0;
    });
    const fires = Array.from({ length: 60 }, (_, i) => fire(known, i, at));
    const others = Array.from({ length: 5 }, (_, i) => fire(unknown, 100 + i, at));
    const batch = publisher.prepare([...fires, ...others]);
    expect(new Set(batch.partitions.map((p) => p.partition)).size).toBeGreaterThan(1);
    expect(batch.plain).toEqual(others); // a topic not looked up yet goes plain
    const dropped = new Set([fires[3]!, fires[17]!, fires[42]!]);
    batch.drop(dropped);

    const sentAt = at + 7;
    await publisher.publishPrepared(batch, sentAt);
    // The same keys through kafkajs's own partitioner, for the partition each key must get.
    await publisher.publish(fires.map((f) => ({ ...f, topic: reference })));

    const expected = [...fires.filter((f) => !dropped.has(f)), ...others];
    await waitFor('every fire and the reference copies', () =>
      consumer.messages.length >= expected.length + fires.length ? true : undefined,
    );
    await new Promise((resolve) => setTimeout(resolve, 500)); // nothing more arrives
    const got = consumer.messages.filter((m) => m.topic !== reference);
    const partitionOf = new Map(
      consumer.messages.filter((m) => m.topic === reference).map((m) => [m.key, m.partition]),
    );
    expect(got).toHaveLength(expected.length);
    const byKey = new Map(got.map((m) => [m.key, m]));
    for (const f of expected) {
      const m = byKey.get(f.key)!;
      expect(m).toBeDefined();
      expect(m.topic).toBe(f.topic);
      expect(m.value?.toString()).toBe(f.value);
      expect(m.headers).toEqual({ ...f.headers, [FireHeader.publishedAt]: String(sentAt) });
      expect(m.timestamp).toBe(sentAt);
      if (f.topic === known) expect(m.partition).toBe(partitionOf.get(f.key));
    }
    // Offsets within a partition follow the batch order.
    const knownByPartition = new Map<number, number[]>();
    for (const m of got.filter((g) => g.topic === known))
      knownByPartition.set(m.partition, [
        ...(knownByPartition.get(m.partition) ?? []),
        Number(JSON.parse(m.value!.toString()).i),
      ]);
    for (const order of knownByPartition.values())
      expect(order).toEqual([...order].sort((a, b) => a - b));
  });
});
