/**
 * Default Kafka topic names. The task center and workers can override each one
 * (server: `KAFKA_TOPIC_*` settings; SDK: constructor options), but both sides
 * must agree, so the defaults live here.
 */
export const DEFAULT_TOPICS = {
  /** Every due fire of every task, value = the task's `data`. */
  tasks: 'task-center.tasks',
  /** Outcome events published by workers after each handler run. */
  results: 'task-center.results',
  /** Fires that exhausted their retries. */
  deadLetter: 'task-center.dead-letter',
  /** Fires of tasks with an HTTP target, read by the HTTP delivery worker only. */
  http: 'task-center.http',
} as const;

export type TopicRole = keyof typeof DEFAULT_TOPICS;
