import { decodeFire } from '@task-center/client';
import { type FireEnvelope } from '@task-center/contracts';
import { type Consumer, Kafka, logLevel } from 'kafkajs';
import { uniqueName } from './stack';

/** One message read from a tasks topic, raw and decoded. */
export interface ReceivedMessage {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | null;
  /** First value of every header, as UTF-8. */
  headers: Record<string, string>;
  /** The Kafka record timestamp (CreateTime: set by the producer). */
  timestamp: number;
  /** When this consumer got it (local clock). */
  receivedAt: number;
  /** The decoded fire, or undefined when decodeFire rejected the message. */
  fire?: FireEnvelope;
  decodeError?: string;
}

/** A fire that was expected: one (task, slot). */
export interface ExpectedFire {
  taskId: string;
  /** Epoch ms. */
  scheduledAt: number;
}

export const slotKey = (taskId: string, scheduledAt: number): string =>
  `${taskId}@${new Date(scheduledAt).toISOString()}`;

/**
 * An independent reader of the topics the task center publishes to: its own consumer group,
 * `fromBeginning`, started before the tasks are created. Keeps every message once per
 * (topic, partition, offset), so a re-read after a consumer restart (broker restarts) is not
 * mistaken for a duplicate publish.
 */
export class FireConsumer {
  private readonly seen = new Set<string>();
  readonly messages: ReceivedMessage[] = [];
  /** Consumer crashes (broker restarts make some): for the failure message. */
  readonly crashes: string[] = [];
  private consumer: Consumer | undefined;
  private stopping = false;
  private reconnecting: Promise<void> | undefined;

  private constructor(
    private readonly kafka: Kafka,
    private readonly topics: string[],
    readonly groupId: string,
  ) {}

  /**
   * Subscribes to `topics`, which must exist already (start the task center first: it creates
   * them with the configured partition count; the broker would auto-create them with one).
   * Resolves once the consumer has joined its group.
   */
  static async start(brokers: string[], topics: string[]): Promise<FireConsumer> {
    const kafka = new Kafka({
      clientId: 'dispatch-e2e-reader',
      brokers,
      logLevel: logLevel.NOTHING,
      connectionTimeout: 3000,
      retry: { initialRetryTime: 300, maxRetryTime: 2000, retries: 30 },
    });
    const admin = kafka.admin();
    await admin.connect();
    try {
      const existing = new Set(await admin.listTopics());
      const missing = topics.filter((t) => !existing.has(t));
      if (missing.length > 0) {
        throw new Error(`FireConsumer: topics ${missing.join(', ')} do not exist yet`);
      }
    } finally {
      await admin.disconnect();
    }
    const reader = new FireConsumer(kafka, topics, uniqueName('dispatch-e2e-reader'));
    await reader.connect();
    return reader;
  }

  private async connect(): Promise<void> {
    const consumer = this.kafka.consumer({
      groupId: this.groupId,
      sessionTimeout: 10_000,
      heartbeatInterval: 1000,
      maxWaitTimeInMs: 250,
      retry: { initialRetryTime: 300, maxRetryTime: 2000, retries: 30 },
    });
    this.consumer = consumer;
    let joined!: () => void;
    const join = new Promise<void>((resolve) => (joined = resolve));
    consumer.on(consumer.events.GROUP_JOIN, () => joined());
    consumer.on(consumer.events.CRASH, (event) => {
      this.crashes.push(`${new Date().toISOString()} ${String(event.payload.error)}`);
      // kafkajs restarts by itself after retriable errors; after the others, we do.
      if (!event.payload.restart && !this.stopping) this.reconnect();
    });
    await consumer.connect();
    await consumer.subscribe({ topics: this.topics, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        const id = `${topic}/${partition}/${message.offset}`;
        if (this.seen.has(id)) return;
        this.seen.add(id);
        const headers: Record<string, string> = {};
        for (const [name, raw] of Object.entries(message.headers ?? {})) {
          const first = Array.isArray(raw) ? raw[0] : raw;
          if (first !== undefined) headers[name] = first.toString();
        }
        const decoded = decodeFire({ value: message.value, headers: message.headers });
        this.messages.push({
          topic,
          partition,
          offset: message.offset,
          key: message.key === null ? null : message.key.toString(),
          value: message.value,
          headers,
          timestamp: Number(message.timestamp),
          receivedAt: Date.now(),
          ...(decoded.ok ? { fire: decoded.fire } : { decodeError: decoded.reason }),
        });
      },
    });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      join,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error('FireConsumer: no group join within 30 s')),
          30_000,
        );
      }),
    ]).finally(() => clearTimeout(timer));
  }

  private reconnect(): void {
    if (this.reconnecting) return;
    const old = this.consumer;
    this.reconnecting = (async () => {
      await old?.disconnect().catch(() => undefined);
      for (let attempt = 1; !this.stopping; attempt++) {
        try {
          await this.connect();
          return;
        } catch (err) {
          this.crashes.push(`reconnect attempt ${attempt} failed: ${String(err)}`);
          await this.consumer?.disconnect().catch(() => undefined);
          await new Promise((resolve) => setTimeout(resolve, 1000));
        }
      }
    })().finally(() => (this.reconnecting = undefined));
  }

  /** Messages whose key (the task id) is one of `taskIds`. */
  forTasks(taskIds: Iterable<string>): ReceivedMessage[] {
    const wanted = new Set(taskIds);
    return this.messages.filter((m) => m.key !== null && wanted.has(m.key));
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.reconnecting?.catch(() => undefined);
    await this.consumer?.disconnect().catch(() => undefined);
  }

  /** Best effort: removes the topics of a finished test. */
  async deleteTopics(topics: string[]): Promise<void> {
    const admin = this.kafka.admin();
    try {
      await admin.connect();
      await admin.deleteTopics({ topics, timeout: 5000 });
    } catch {
      // leftovers expire with the broker's retention; nothing to fail for
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }
}

/** Messages grouped by (task, slot); messages that did not decode are left out. */
export function bySlot(messages: ReceivedMessage[]): Map<string, ReceivedMessage[]> {
  const groups = new Map<string, ReceivedMessage[]>();
  for (const m of messages) {
    if (!m.fire) continue;
    const key = slotKey(m.fire.taskId, m.fire.scheduledAt);
    const group = groups.get(key);
    if (group) group.push(m);
    else groups.set(key, [m]);
  }
  return groups;
}

/** Expected (task, slot)s that no message carries. */
export function missingFires(messages: ReceivedMessage[], expected: ExpectedFire[]): string[] {
  const got = bySlot(messages);
  return expected
    .map((e) => slotKey(e.taskId, e.scheduledAt))
    .filter((key) => !got.has(key))
    .sort();
}

/** (task, slot)s published more than once, with their message ids and publish times. */
export function duplicateFires(messages: ReceivedMessage[]): string[] {
  return [...bySlot(messages)]
    .filter(([, group]) => group.length > 1)
    .map(
      ([key, group]) =>
        `${key} x${group.length}: ${group
          .map((m) => `${m.fire!.messageId} published ${m.fire!.publishedAt}`)
          .join(', ')}`,
    );
}

/** Duplicates of one (task, slot) that do not all carry the same tc-message-id. */
export function inconsistentDuplicates(messages: ReceivedMessage[]): string[] {
  return [...bySlot(messages)]
    .filter(([, group]) => new Set(group.map((m) => m.fire!.messageId)).size > 1)
    .map(([key, group]) => `${key}: ${group.map((m) => m.fire!.messageId).join(' / ')}`);
}

/** (task, slot)s received that were not expected (e.g. an extra slot of a finished loop). */
export function unexpectedFires(messages: ReceivedMessage[], expected: ExpectedFire[]): string[] {
  const wanted = new Set(expected.map((e) => slotKey(e.taskId, e.scheduledAt)));
  return [...bySlot(messages).keys()].filter((key) => !wanted.has(key)).sort();
}

/**
 * What every fire must satisfy whatever happened around it: it decodes, its key is the task
 * id, its message id is `${taskId}:${scheduledAt}:${attempt}`, and neither its tc-published-at
 * nor its Kafka timestamp is before its slot.
 */
export function fireViolations(messages: ReceivedMessage[]): string[] {
  const out: string[] = [];
  for (const m of messages) {
    const where = `${m.topic}/${m.partition}@${m.offset}`;
    if (!m.fire) {
      out.push(`${where}: does not decode (${m.decodeError})`);
      continue;
    }
    const f = m.fire;
    if (m.key !== f.taskId) out.push(`${where}: key ${m.key} is not the task id ${f.taskId}`);
    const id = `${f.taskId}:${f.scheduledAt}:${f.attempt}`;
    if (f.messageId !== id) out.push(`${where}: tc-message-id ${f.messageId}, expected ${id}`);
    if (f.publishedAt < f.scheduledAt) {
      out.push(`${where}: published ${f.scheduledAt - f.publishedAt} ms early (${id})`);
    }
    if (m.timestamp < f.scheduledAt) {
      out.push(`${where}: Kafka timestamp ${f.scheduledAt - m.timestamp} ms early (${id})`);
    }
  }
  return out;
}

/** Lateness (publishedAt - scheduledAt) summary, for the test log. */
export function latenessSummary(messages: ReceivedMessage[]): string {
  const late = messages
    .filter((m) => m.fire)
    .map((m) => m.fire!.publishedAt - m.fire!.scheduledAt)
    .sort((a, b) => a - b);
  if (late.length === 0) return 'no fires';
  const at = (q: number) => late[Math.min(late.length - 1, Math.floor(q * late.length))];
  return `${late.length} fires, lateness ms: min ${late[0]}, p50 ${at(0.5)}, p99 ${at(0.99)}, max ${late[late.length - 1]}`;
}

/** The first `n` items and how many more, for readable failure messages. */
export function firstOf(items: string[], n = 15): string[] {
  return items.length <= n ? items : [...items.slice(0, n), `… and ${items.length - n} more`];
}
