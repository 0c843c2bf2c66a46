import { type TaskType } from '@task-center/contracts';

/** What a handler knows about the fire it runs, besides (taskId, data, msgId). */
export interface FireContext {
  taskId: string;
  messageId: string;
  /** The task's name: the tag this fire was routed by. */
  tag: string;
  /** 1 for the first delivery, 2+ for redeliveries after a failed attempt. */
  attempt: number;
  /** Unix epoch milliseconds of the slot this fire belongs to (like every time in the SDK). */
  scheduledAt: number;
  /** Unix epoch milliseconds at which the task center published the fire. */
  publishedAt: number;
  taskType: TaskType;
  /** Seconds the handler may run (the task's `max_runtime`), when the task sets one. */
  maxRuntime?: number;
  /** True when the task asks for an acknowledgement (`ack`). */
  ack: boolean;
  /** Every Kafka header of the message (first value, UTF-8). */
  headers: Record<string, string>;
  /**
   * Aborted when the run passes `maxRuntime`, or when `stop()` stops waiting for it
   * (`drainTimeoutMs`). The SDK cannot kill a function: pass this on to fetch, timers, etc.
   */
  signal: AbortSignal;
}

/**
 * Handles the fires of one or more tags. Resolve (any value) to report success; throw or reject
 * to report a failed attempt, which the task center retries with the task's backoff.
 */
export type FireHandler = (
  taskId: string,
  data: string,
  msgId: string,
  ctx: FireContext,
) => unknown;
