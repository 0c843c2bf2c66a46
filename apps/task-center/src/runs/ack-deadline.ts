import { messageIdOf } from '@task-center/contracts';
import { type RunTimer, runTimerId } from './run-records';

/** The task fields an `ack` deadline depends on (a Task fits). */
export interface AckTask {
  id: string;
  name: string;
  ack: boolean;
  maxRuntime?: number;
  shard: number;
}

/**
 * The `ack` deadline of one published attempt, or undefined when the task asks for none: due
 * `max_runtime` + grace after the publish, `_id` derived from the message id, so arming it
 * again (a re-publish after a crash, a second replica) is a no-op insert.
 */
export function ackDeadlineOf(
  task: AckTask,
  scheduledAt: number,
  attempt: number,
  publishedAt: number,
  graceMs: number,
): RunTimer | undefined {
  if (!task.ack || task.maxRuntime === undefined) return undefined;
  return {
    id: runTimerId('deadline', messageIdOf(task.id, scheduledAt, attempt)),
    kind: 'deadline',
    taskId: task.id,
    name: task.name,
    scheduledAt,
    attempt,
    dueAt: publishedAt + task.maxRuntime * 1000 + graceMs,
    shard: task.shard,
    createdAt: publishedAt,
  };
}
