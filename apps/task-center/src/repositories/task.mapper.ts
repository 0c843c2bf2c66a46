import { type Advance } from '../tasks/task-advance';
import { type MisfirePolicy } from '../scheduling';
import {
  dueAt,
  type NewTask,
  type RetryPolicy,
  type Task,
  type TaskDefinition,
} from '../tasks/task';
import { dueSlot } from '../tasks/task-shard';
import { bucketOf } from '../retention/retention-buckets';
import { type HttpTarget } from '@task-center/contracts';
import { type HttpTargetDoc, type RetryPolicyDoc, type TaskDoc } from './task.schema';

type Plain<T> = { [K in keyof T]: T[K] };
export type TaskRecord = Plain<TaskDoc>;

export function uniqKey(id: string, key: string | undefined): string {
  return key === undefined ? `id:${id}` : `k:${key}`;
}

function retryToDoc(retry: RetryPolicy): RetryPolicyDoc {
  return {
    max_attempts: retry.maxAttempts,
    backoff: retry.backoff,
    delay: retry.delay,
    max_delay: retry.maxDelay,
    ...(retry.intervals && { intervals: retry.intervals }),
  };
}

function retryFromDoc(doc: RetryPolicyDoc): RetryPolicy {
  return {
    maxAttempts: doc.max_attempts,
    backoff: doc.backoff,
    delay: doc.delay,
    maxDelay: doc.max_delay,
    ...(doc.intervals && { intervals: doc.intervals }),
  };
}

function targetToDoc(target: HttpTarget): HttpTargetDoc {
  return {
    type: target.type,
    url: target.url,
    method: target.method,
    headers: target.headers,
    timeout_s: target.timeoutS,
  };
}

function targetFromDoc(doc: HttpTargetDoc): HttpTarget {
  return {
    type: doc.type,
    url: doc.url,
    method: doc.method,
    headers: doc.headers ?? {},
    timeoutS: doc.timeout_s,
  };
}

/** Definition fields as stored; absent optionals are left out (or $unset on update). */
export function definitionToDoc(def: TaskDefinition) {
  return {
    name: def.name,
    type: def.type,
    data: def.data,
    crontab: def.crontab,
    loop_time: def.loopTime,
    loop_count: def.loopCount,
    start_time: def.startTime,
    end_time: def.endTime,
    max_runtime: def.maxRuntime,
    ack: def.ack,
    timezone: def.timezone,
    key: def.key,
    topic: def.topic,
    target: def.target && targetToDoc(def.target),
    retry: def.retry && retryToDoc(def.retry),
    misfire: def.misfire,
  };
}

/** The due fields that move together: due_at and its lookup key. */
export function dueFields(
  shard: number,
  status: Task['status'],
  nextRunAt: number | null,
  manualRuns: number[],
) {
  const due = dueAt(status, nextRunAt, manualRuns);
  return { due_at: due, due_slot: dueSlot(shard, due) };
}

export function newTaskToDoc(id: string, shard: number, task: NewTask): Omit<TaskRecord, '_id'> {
  return {
    ...definitionToDoc(task),
    uniq_key: uniqKey(id, task.key),
    status: task.status,
    next_run_at: task.nextRunAt,
    manual_runs: [],
    ...dueFields(shard, task.status, task.nextRunAt, []),
    shard,
    run_count: 0,
    last_run_at: null,
    created_at: task.createdAt,
    updated_at: task.createdAt,
    deleted_at: null,
    version: 1,
  };
}

export function taskFromDoc(doc: TaskRecord): Task {
  const task: Task = {
    id: doc._id.toHexString(),
    name: doc.name,
    type: doc.type,
    data: doc.data,
    ack: doc.ack,
    timezone: doc.timezone,
    misfire: doc.misfire as MisfirePolicy,
    status: doc.status,
    nextRunAt: doc.next_run_at ?? null,
    manualRuns: doc.manual_runs ?? [],
    runCount: doc.run_count,
    lastRunAt: doc.last_run_at ?? null,
    createdAt: doc.created_at,
    updatedAt: doc.updated_at,
    version: doc.version,
    shard: doc.shard,
    dueAt: doc.due_at ?? null,
  };
  if (doc.crontab !== undefined && doc.crontab !== null) task.crontab = doc.crontab;
  if (doc.loop_time != null) task.loopTime = doc.loop_time;
  if (doc.loop_count != null) task.loopCount = doc.loop_count;
  if (doc.start_time != null) task.startTime = doc.start_time;
  if (doc.end_time != null) task.endTime = doc.end_time;
  if (doc.max_runtime != null) task.maxRuntime = doc.max_runtime;
  if (doc.key != null) task.key = doc.key;
  if (doc.topic != null) task.topic = doc.topic;
  if (doc.target != null) task.target = targetFromDoc(doc.target);
  if (doc.retry != null) task.retry = retryFromDoc(doc.retry);
  return task;
}

/** Splits a definition into $set (present fields) and $unset (absent optionals). */
export function setAndUnset(fields: Record<string, unknown>) {
  const $set: Record<string, unknown> = {};
  const $unset: Record<string, ''> = {};
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) $unset[k] = '';
    else $set[k] = v;
  }
  return { $set, $unset };
}

/**
 * Every write of a task document runs under {@link TaskWriteLocks} (FerretDB v1 updates are
 * not atomic; no-op on MongoDB). Lookups by id are one `_id` equality each, the one filter
 * every FerretDB backend answers from an index; due reads are equality on `due_slot`.
 */

/** Completed and deleted tasks are kept for RETENTION_FINISHED_TASKS_S, then purged. */
export function isFinished(status: Task['status']): boolean {
  return status === 'completed' || status === 'deleted';
}

/**
 * The retention bucket a status change at `now` leaves on a task: `{rb}` to $set when it
 * finished (the purge deletes by it), null when it is live, so the bucket must go ($unset).
 */
export function finishedBucket(
  status: Task['status'],
  now: number,
  bucketMs: number,
): { rb: number } | null {
  return isFinished(status) ? { rb: bucketOf(now, bucketMs) } : null;
}

/**
 * The write that takes a task to `target`: run_count moves by the fires, the rest is set. An
 * advance never makes a task live again, so a live task gets no retention field (the hot
 * path writes what it wrote before); a task it completes gets its bucket.
 */
export function advanceUpdate(target: Task, a: Advance, bucketMs: number) {
  return {
    $set: {
      status: target.status,
      next_run_at: target.nextRunAt,
      manual_runs: target.manualRuns,
      ...dueFields(target.shard, target.status, target.nextRunAt, target.manualRuns),
      last_run_at: target.lastRunAt,
      updated_at: a.now,
      ...finishedBucket(target.status, a.now, bucketMs),
    },
    $inc: { run_count: a.fired },
  };
}

/** The driver stores `undefined` as null; absent optionals should stay absent. */
export function stripUndefined<T extends object>(doc: T): T {
  return Object.fromEntries(Object.entries(doc).filter(([, v]) => v !== undefined)) as T;
}
