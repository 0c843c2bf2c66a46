import {
  encodeHttpTarget,
  FireHeader,
  fireHeaders,
  type HttpTarget,
  messageIdOf,
} from '@task-center/contracts';

/** What a fire's record is made of: the fields of a task it carries (a Task fits). */
export interface FireSource {
  id: string;
  name: string;
  type: number;
  data: string;
  topic?: string;
  target?: HttpTarget;
  maxRuntime?: number;
  ack: boolean;
}

/** Where fires go: SDK workers' topic (or the task's own `topic`), or the HTTP topic. */
export interface FireTopics {
  tasks: string;
  http: string;
}

/** `tc-message-id`, formatted in @task-center/contracts (re-exported for the server's importers). */
export { messageIdOf };

export interface FireMessage {
  topic: string;
  key: string;
  value: string;
  headers: Record<string, string>;
  /** Kafka record timestamp: the publish time, never earlier than the slot. */
  timestamp: string;
}

/**
 * The Kafka record of one fire: value = the task's data, key = task id (per-task order). A
 * task with an HTTP target goes to the HTTP topic with its target in `tc-target`.
 */
export function fireMessage(
  task: FireSource,
  scheduledAt: number,
  attempt: number,
  publishedAt: number,
  topics: FireTopics,
): FireMessage {
  const headers = fireHeaders({
    tag: task.name,
    taskId: task.id,
    messageId: messageIdOf(task.id, scheduledAt, attempt),
    scheduledAt,
    publishedAt,
    attempt,
    taskType: task.type,
    maxRuntime: task.maxRuntime,
    ack: task.ack,
  });
  if (task.target) headers[FireHeader.target] = encodeHttpTarget(task.target);
  return {
    topic: task.target ? topics.http : (task.topic ?? topics.tasks),
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
