import { type TaskType } from './task-types';

/** One fire as a worker sees it: the decoded form of a message on the tasks topic. */
export interface FireEnvelope {
  tag: string;
  taskId: string;
  messageId: string;
  /** Unix epoch milliseconds of the slot this fire belongs to. */
  scheduledAt: number;
  /** Unix epoch milliseconds at which the task center published it. */
  publishedAt: number;
  /** 1 for the first delivery, 2+ for redeliveries after a failure. */
  attempt: number;
  taskType: TaskType;
  /** Seconds a handler may run before the attempt counts as failed. */
  maxRuntime?: number;
  ack?: boolean;
  /** The task's `data`, byte for byte. */
  data: string;
}
