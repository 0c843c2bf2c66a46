import { TaskCenterApiError } from './task-center-api.error';
import {
  type CreateTaskItemResult,
  type CreateTaskRequest,
  type CreateTasksResult,
} from './task-center.types';

/** The most tasks the server takes in one POST /v1/api/create-tasks. */
export const CREATE_TASKS_MAX_ITEMS = 1000;
/** The server's default body limit (HTTP_BODY_LIMIT_BYTES). */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
/** `{"tasks":[` and `]}` around the items. */
const ENVELOPE_BYTES = 12;
const UTF8 = new TextEncoder();

export interface CreateTasksOptions {
  /** Tasks per request, 1..1000 (default 1000). */
  chunkSize?: number;
  /** A request's body stays under this (default 1 MiB: the server's default limit). */
  maxBodyBytes?: number;
  /** Requests in flight at once (default 2). */
  concurrency?: number;
  /** Called after each request with the tasks answered so far and the total. */
  onProgress?: (done: number, total: number) => void;
}

/** A run of consecutive items sent in one request: `start` is the first one's index. */
export interface Chunk<T> {
  start: number;
  items: T[];
}

/**
 * Splits `items` into runs of at most `maxItems` whose JSON bodies stay under `maxBytes`, in
 * order. An item too large on its own goes alone: the server answers it 413.
 */
export function chunkTasks<T>(items: readonly T[], maxItems: number, maxBytes: number): Chunk<T>[] {
  const chunks: Chunk<T>[] = [];
  let current: Chunk<T> | undefined;
  let bytes = 0;
  items.forEach((item, i) => {
    const size = UTF8.encode(JSON.stringify(item)).length + 1; // and its comma
    const fits = current && current.items.length < maxItems && bytes + size <= maxBytes;
    if (!fits) {
      current = { start: i, items: [] };
      chunks.push(current);
      bytes = ENVELOPE_BYTES;
    }
    current!.items.push(item);
    bytes += size;
  });
  return chunks;
}

/** The answers of the chunks, in the order of the items; the counts added up. */
export function mergeResults(answers: CreateTasksResult[]): CreateTasksResult {
  const results: CreateTaskItemResult[] = answers.flatMap((a) => a.results);
  return {
    results,
    created: answers.reduce((n, a) => n + a.created, 0),
    existing: answers.reduce((n, a) => n + a.existing, 0),
    failed: answers.reduce((n, a) => n + a.failed, 0),
  };
}

/**
 * Sends `tasks` in chunks, `concurrency` requests at a time, and answers a result per task in
 * order. A single task over the body limit is its own result (41301), as a bad item is; any
 * other failed request rejects (the tasks of the requests answered before exist: send the
 * same tasks again, with keys, to finish without creating any twice).
 */
export async function createTasksInChunks(
  send: (tasks: CreateTaskRequest[]) => Promise<CreateTasksResult>,
  tasks: readonly CreateTaskRequest[],
  options: CreateTasksOptions = {},
): Promise<CreateTasksResult> {
  const chunkSize = options.chunkSize ?? CREATE_TASKS_MAX_ITEMS;
  if (!Number.isInteger(chunkSize) || chunkSize < 1 || chunkSize > CREATE_TASKS_MAX_ITEMS) {
    throw new RangeError(`chunkSize must be an integer in 1..${CREATE_TASKS_MAX_ITEMS}`);
  }
  const chunks = chunkTasks(tasks, chunkSize, options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
  const answers: CreateTasksResult[] = new Array<CreateTasksResult>(chunks.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < chunks.length) {
      const n = next++;
      answers[n] = await sendChunk(send, chunks[n]!.items);
      done += chunks[n]!.items.length;
      options.onProgress?.(done, tasks.length);
    }
  };
  const lanes = Math.max(1, Math.min(options.concurrency ?? 2, chunks.length));
  await Promise.all(Array.from({ length: lanes }, worker));
  return mergeResults(answers);
}

async function sendChunk(
  send: (tasks: CreateTaskRequest[]) => Promise<CreateTasksResult>,
  items: CreateTaskRequest[],
): Promise<CreateTasksResult> {
  try {
    return await send(items);
  } catch (err) {
    if (items.length === 1 && err instanceof TaskCenterApiError && err.status === 413) {
      return {
        results: [{ ok: false, err: err.err, msg: err.msg }],
        created: 0,
        existing: 0,
        failed: 1,
      };
    }
    throw err;
  }
}
