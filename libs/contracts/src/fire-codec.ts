import { type FireEnvelope } from './fire-envelope';
import { FireHeader } from './headers';
import { TaskType } from './task-types';

/**
 * The one place fire headers are formatted ({@link fireHeaders}, the task center) and parsed
 * ({@link decodeFire}, workers and anything else that reads the tasks topic).
 */

/** Deterministic per (task, slot, attempt): a re-publish after a crash carries the same id. */
export const messageIdOf = (taskId: string, scheduledAt: number, attempt: number): string =>
  `${taskId}:${scheduledAt}:${attempt}`;

/** What a fire's headers carry: the envelope without the message value. */
export type FireHeaderFields = Omit<FireEnvelope, 'data'>;

/**
 * The Kafka headers of one fire, in a fixed key order (the record-batch encoder writes them
 * in this order). `tc-max-runtime` only when set, `tc-ack` only when true.
 */
export function fireHeaders(fire: FireHeaderFields): Record<string, string> {
  const headers: Record<string, string> = {
    [FireHeader.tag]: fire.tag,
    [FireHeader.taskId]: fire.taskId,
    [FireHeader.messageId]: fire.messageId,
    [FireHeader.scheduledAt]: String(fire.scheduledAt),
    [FireHeader.publishedAt]: String(fire.publishedAt),
    [FireHeader.attempt]: String(fire.attempt),
    [FireHeader.taskType]: String(fire.taskType),
  };
  if (fire.maxRuntime !== undefined) headers[FireHeader.maxRuntime] = String(fire.maxRuntime);
  if (fire.ack) headers[FireHeader.ack] = 'true';
  return headers;
}

/** The parts of a kafkajs message that a fire is decoded from. */
export interface RawFireMessage {
  value: Buffer | string | null;
  headers?: Record<string, Buffer | string | (Buffer | string)[] | undefined>;
}

export type DecodeResult = { ok: true; fire: FireEnvelope } | { ok: false; reason: string };

function header(msg: RawFireMessage, name: string): string | undefined {
  const raw = msg.headers?.[name];
  const first = Array.isArray(raw) ? raw[0] : raw;
  return first === undefined ? undefined : first.toString();
}

function positiveInt(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d+$/.test(value)) return undefined;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : undefined;
}

/**
 * Validates and decodes a message from the tasks topic. Handlers only ever see fires that
 * decoded cleanly; anything else comes back with a reason the worker can log and skip.
 */
export function decodeFire(msg: RawFireMessage): DecodeResult {
  const tag = header(msg, FireHeader.tag);
  const taskId = header(msg, FireHeader.taskId);
  const messageId = header(msg, FireHeader.messageId);
  if (!tag) return { ok: false, reason: `missing header ${FireHeader.tag}` };
  if (!taskId) return { ok: false, reason: `missing header ${FireHeader.taskId}` };
  if (!messageId) return { ok: false, reason: `missing header ${FireHeader.messageId}` };

  const scheduledAt = positiveInt(header(msg, FireHeader.scheduledAt));
  const publishedAt = positiveInt(header(msg, FireHeader.publishedAt));
  const attempt = positiveInt(header(msg, FireHeader.attempt));
  const taskType = positiveInt(header(msg, FireHeader.taskType));
  if (scheduledAt === undefined)
    return { ok: false, reason: `bad header ${FireHeader.scheduledAt}` };
  if (publishedAt === undefined)
    return { ok: false, reason: `bad header ${FireHeader.publishedAt}` };
  if (attempt === undefined || attempt < 1)
    return { ok: false, reason: `bad header ${FireHeader.attempt}` };
  if (taskType === undefined || !(taskType in TaskType)) {
    return { ok: false, reason: `bad header ${FireHeader.taskType}` };
  }

  const fire: FireEnvelope = {
    tag,
    taskId,
    messageId,
    scheduledAt,
    publishedAt,
    attempt,
    taskType,
    data: msg.value === null ? '' : msg.value.toString(),
  };
  const maxRuntime = header(msg, FireHeader.maxRuntime);
  if (maxRuntime !== undefined) {
    const seconds = positiveInt(maxRuntime);
    if (seconds === undefined) return { ok: false, reason: `bad header ${FireHeader.maxRuntime}` };
    fire.maxRuntime = seconds;
  }
  if (header(msg, FireHeader.ack) === 'true') fire.ack = true;
  return { ok: true, fire };
}
