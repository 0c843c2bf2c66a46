import { FireHeader } from '@task-center/contracts';
import { type Task } from '../tasks/task';

/** Deterministic per (task, slot, attempt): a re-publish after a crash carries the same id. */
export const messageIdOf = (taskId: string, scheduledAt: number, attempt: number): string =>
  `${taskId}:${scheduledAt}:${attempt}`;

export interface FireMessage {
  topic: string;
  key: string;
  value: string;
  headers: Record<string, string>;
  /** Kafka record timestamp: the publish time, never earlier than the slot. */
  timestamp: string;
}

/** The Kafka record of one fire: value = the task's data, key = task id (per-task order). */
export function fireMessage(
  task: Task,
  scheduledAt: number,
  attempt: number,
  publishedAt: number,
  defaultTopic: string,
): FireMessage {
  const headers: Record<string, string> = {
    [FireHeader.tag]: task.name,
    [FireHeader.taskId]: task.id,
    [FireHeader.messageId]: messageIdOf(task.id, scheduledAt, attempt),
    [FireHeader.scheduledAt]: String(scheduledAt),
    [FireHeader.publishedAt]: String(publishedAt),
    [FireHeader.attempt]: String(attempt),
    [FireHeader.taskType]: String(task.type),
  };
  if (task.maxRuntime !== undefined) headers[FireHeader.maxRuntime] = String(task.maxRuntime);
  if (task.ack) headers[FireHeader.ack] = 'true';
  return {
    topic: task.topic ?? defaultTopic,
    key: task.id,
    value: task.data,
    headers,
    timestamp: String(publishedAt),
  };
}

/** Sets the publish time of a message planned ahead of it (header and record timestamp). */
export function stampPublished(message: FireMessage, publishedAt: number): void {
  message.headers[FireHeader.publishedAt] = String(publishedAt);
  message.timestamp = String(publishedAt);
}
