/**
 * Kafka header names carried by every fire. A consumer that does not use our SDK can
 * still route on `tc-tag` and read the task's `data` from the message value.
 * Header values are UTF-8 strings; times are unix epoch milliseconds.
 */
export const FireHeader = {
  /** The task's `name`: the tag workers subscribe to. */
  tag: 'tc-tag',
  taskId: 'tc-task-id',
  /** Deterministic per (task, scheduled fire, attempt): duplicates share it. */
  messageId: 'tc-message-id',
  scheduledAt: 'tc-scheduled-at',
  publishedAt: 'tc-published-at',
  attempt: 'tc-attempt',
  taskType: 'tc-task-type',
  /** Seconds; present only when the task sets `max_runtime`. */
  maxRuntime: 'tc-max-runtime',
  /** `"true"` when the task asks for an acknowledgement; absent otherwise. */
  ack: 'tc-ack',
  /** JSON of the task's HTTP target; only on fires of the HTTP topic. */
  target: 'tc-target',
} as const;

export type FireHeaderName = (typeof FireHeader)[keyof typeof FireHeader];
