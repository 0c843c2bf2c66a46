import { type Task } from './task';

const seconds = (ms: number) => ms / 1000;

/**
 * A task as the API shows it: seed 002's fields (unix-second times, snake_case) plus ours.
 * Optional fields the task does not set are left out.
 */
export function toTaskView(task: Task) {
  return {
    _id: task.id,
    name: task.name,
    type: task.type,
    data: task.data,
    crontab: task.crontab,
    loop_time: task.loopTime,
    loop_count: task.loopCount,
    start_time: task.startTime,
    end_time: task.endTime,
    max_runtime: task.maxRuntime,
    ack: task.ack,
    created_at: Math.floor(seconds(task.createdAt)),
    timezone: task.timezone,
    key: task.key,
    topic: task.topic,
    target: task.target && {
      type: task.target.type,
      url: task.target.url,
      method: task.target.method,
      headers: task.target.headers,
      timeout_s: task.target.timeoutS,
    },
    retry: task.retry && {
      max_attempts: task.retry.maxAttempts,
      backoff: task.retry.backoff,
      delay: task.retry.delay,
      max_delay: task.retry.maxDelay,
      intervals: task.retry.intervals,
    },
    misfire: task.misfire,
    status: task.status,
    next_run_at: task.nextRunAt === null ? null : seconds(task.nextRunAt),
    manual_runs: task.manualRuns.map(seconds),
    run_count: task.runCount,
    last_run_at: task.lastRunAt === null ? null : seconds(task.lastRunAt),
    updated_at: Math.floor(seconds(task.updatedAt)),
  };
}

export type TaskView = ReturnType<typeof toTaskView>;
