import { createTasksInChunks, type CreateTasksOptions } from './create-tasks-chunks';
import { TaskCenterApiError } from './task-center-api.error';
import {
  type BulkTaskActionRequest,
  type BulkTaskActionResult,
  type CreateTaskRequest,
  type CreateTaskResponse,
  type CreateTasksResult,
  type DeadLetter,
  type DeadLetterPage,
  type Fire,
  type Overview,
  type OverviewWindow,
  type Preview,
  type PreviewFire,
  type PreviewTaskRequest,
  type RedriveDeadLettersRequest,
  type RedriveDeadLettersResult,
  type RedriveResult,
  type RunErrorGroup,
  type RunErrorsRange,
  type RunsFilters,
  type RunsPage,
  type RunStats,
  type SearchTasksFilters,
  type Task,
  type TaskPage,
  type TaskRunsPage,
  type TaskSearchPage,
  type UpdateTaskRequest,
  type Whoami,
  type WorkersView,
} from './task-center.types';

export interface TaskCenterClientOptions {
  /** Where the task center listens, e.g. `http://task-center:3000`. */
  baseUrl: string;
  /** Sent as `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
  /** Per request, default 10 s. */
  timeoutMs?: number;
}

/** The task center's HTTP API (`/v1/api`), typed. Every failure is a TaskCenterApiError. */
export class TaskCenterClient {
  private readonly base: string;
  private readonly timeoutMs: number;

  constructor(private readonly options: TaskCenterClientOptions) {
    this.base = `${options.baseUrl.replace(/\/+$/, '')}/v1/api`;
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  /** Creates a task; with a `key` a live task already holds, returns that one (`created: false`). */
  createTask(task: CreateTaskRequest): Promise<CreateTaskResponse> {
    return this.post('task', task);
  }

  /**
   * Creates many tasks (`POST /v1/api/create-tasks`, 1,000 per request, fewer when a body
   * would pass `maxBodyBytes`): one result per task in order, each what `createTask` answers
   * for it or its own `{ok: false, err, msg}`. A failed request rejects; with keys, sending
   * the same tasks again creates only the missing ones.
   */
  createTasks(
    tasks: readonly CreateTaskRequest[],
    options?: CreateTasksOptions,
  ): Promise<CreateTasksResult> {
    return createTasksInChunks(
      (chunk) => this.post('create-tasks', { tasks: chunk }),
      tasks,
      options,
    );
  }

  /** Deletes tasks by id; resolves to the ids that existed. */
  async deleteTasks(ids: string[]): Promise<string[]> {
    return (await this.post<{ SucIds: string[] }>('delete-task', { ids })).SucIds;
  }

  /** Deletes one task; false when it did not exist. */
  async deleteTask(id: string): Promise<boolean> {
    return (await this.deleteTasks([id])).includes(id);
  }

  /** Deletes every task with this name; resolves to their ids. */
  async deleteTasksByName(name: string): Promise<string[]> {
    return (await this.post<{ SucIds: string[] }>('delete-task-by-name', { name })).SucIds;
  }

  /** One task; a missing one rejects with status 404, err 40401. */
  getTask(id: string): Promise<Task> {
    return this.get<Task>('query-task-by-id', { taskid: id });
  }

  /** One page of the tasks with this name, newest first (limit default 100, at most 1000). */
  async listTasksByName(
    name: string,
    page: { cursor?: string; limit?: number } = {},
  ): Promise<TaskPage> {
    const query: Record<string, string> = { name };
    if (page.limit !== undefined) query.limit = String(page.limit);
    if (page.cursor !== undefined) query.cursor = page.cursor;
    const { body, headers } = await this.request<Task[]>('GET', 'query-task-by-name', { query });
    const nextCursor = headers.get('x-next-cursor');
    return nextCursor ? { tasks: body, nextCursor } : { tasks: body };
  }

  /** Changes fields in place; the schedule's next fire is recomputed when it changes. */
  updateTask(id: string, changes: UpdateTaskRequest): Promise<Task> {
    return this.post('update-task', { ...changes, taskid: id });
  }

  /** Stops firing until resumed (idempotent). */
  pauseTask(id: string): Promise<Task> {
    return this.post('pause-task', { taskid: id });
  }

  /** Fires again from the next slot; the slots passed while paused are not replayed. */
  resumeTask(id: string): Promise<Task> {
    return this.post('resume-task', { taskid: id });
  }

  /**
   * Pauses, resumes or deletes many tasks (`POST /v1/api/bulk-task-action`): by `ids`, one
   * result per id in order; by `filter` (an admin key), at most `limit` matching tasks the
   * action changes, with `more: true` while others are left. One task failing (unknown id,
   * wrong status) is its own result: check `failed`, the request still resolves.
   */
  bulkTaskAction(request: BulkTaskActionRequest): Promise<BulkTaskActionResult> {
    return this.post('bulk-task-action', request);
  }

  /** Queues one extra fire now, schedule unchanged. */
  runTaskNow(id: string): Promise<Task> {
    return this.post('run-task-now', { taskid: id });
  }

  /** The next fire times of a proposed schedule; nothing is stored. */
  async previewTask(schedule: PreviewTaskRequest): Promise<PreviewFire[]> {
    return (await this.previewSchedule(schedule)).fires;
  }

  /** The next fire times of a schedule, stored nowhere, and the schedule in words. */
  previewSchedule(schedule: PreviewTaskRequest): Promise<Preview> {
    return this.post('preview-task', schedule);
  }

  /** One page of live tasks matching every filter given (`GET /v1/api/tasks`). */
  searchTasks(filters: SearchTasksFilters = {}): Promise<TaskSearchPage> {
    return this.get<TaskSearchPage>('tasks', toQuery(filters));
  }

  /** One page of fires across tasks, newest first (`GET /v1/api/runs`). */
  runs(filters: RunsFilters = {}): Promise<RunsPage> {
    return this.get<RunsPage>('runs', toQuery(filters));
  }

  /** Failures recorded in a window, grouped by message (`GET /v1/api/run-errors`). */
  runErrors(range: RunErrorsRange = {}): Promise<RunErrorGroup[]> {
    return this.get<RunErrorGroup[]>('run-errors', toQuery(range));
  }

  /** One page of a task's fires with their attempts, newest first (limit default 50). */
  async taskRuns(
    taskId: string,
    page: { cursor?: string; limit?: number } = {},
  ): Promise<TaskRunsPage> {
    const query = toQuery({ taskid: taskId, ...page });
    const { body, headers } = await this.request<Fire[]>('GET', 'task-runs', { query });
    const nextCursor = headers.get('x-next-cursor');
    return nextCursor ? { fires: body, nextCursor } : { fires: body };
  }

  /** One fire (`<task id>:<scheduled ms>`) with every attempt; a missing one is a 404. */
  fireAttempts(fireId: string): Promise<Fire> {
    return this.get<Fire>('fire-attempts', { fire_id: fireId });
  }

  /** One page of dead fires not redriven, newest first (limit default 50). */
  async deadLetters(page: { cursor?: string; limit?: number } = {}): Promise<DeadLetterPage> {
    const query = toQuery(page);
    const { body, headers } = await this.request<DeadLetter[]>('GET', 'dead-letters', { query });
    const nextCursor = headers.get('x-next-cursor');
    return nextCursor ? { deadLetters: body, nextCursor } : { deadLetters: body };
  }

  /** Publishes a dead fire again as its next attempt (by the dead letter's `message_id`). */
  redriveDeadLetter(messageId: string): Promise<RedriveResult> {
    return this.post('redrive-dead-letter', { message_id: messageId });
  }

  /**
   * Redrives many dead letters (`POST /v1/api/redrive-dead-letters`): by `message_ids`, one
   * result per id in order; by `filter` (an admin key), oldest dead first, at most `limit`,
   * with `more: true` while others are left.
   */
  redriveDeadLetters(request: RedriveDeadLettersRequest): Promise<RedriveDeadLettersResult> {
    return this.post('redrive-dead-letters', request);
  }

  /** Backlog and the day's outcome counts per name (`date` YYYY-MM-DD, UTC; default today). */
  runStats(date?: string): Promise<RunStats> {
    return this.get<RunStats>('run-stats', toQuery({ date }));
  }

  /** Workers heard from recently, and the live ones per tag. */
  workers(): Promise<WorkersView> {
    return this.get<WorkersView>('workers', {});
  }

  /** Whether the server requires a key, and the scope of the one this client sends. */
  whoami(): Promise<Whoami> {
    return this.get<Whoami>('whoami', {});
  }

  /**
   * The system at a glance: tasks by status and type, fires and outcomes per minute (default
   * the last 60 minutes), lateness percentiles (default the last 5), dead letters waiting,
   * live workers and tags of active tasks without one.
   */
  overview(window: OverviewWindow = {}): Promise<Overview> {
    return this.get<Overview>('overview', toQuery(window));
  }

  private async post<T>(path: string, body: unknown): Promise<T> {
    return (await this.request<T>('POST', path, { body })).body;
  }

  private async get<T>(path: string, query: Record<string, string>): Promise<T> {
    return (await this.request<T>('GET', path, { query })).body;
  }

  private async request<T>(
    method: 'GET' | 'POST',
    path: string,
    { query, body }: { query?: Record<string, string>; body?: unknown },
  ): Promise<{ body: T; headers: Headers }> {
    const search = query ? new URLSearchParams(query).toString() : '';
    const url = `${this.base}/${path}${search ? `?${search}` : ''}`;
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.options.apiKey) headers.authorization = `Bearer ${this.options.apiKey}`;

    let response: Response;
    let text: string;
    try {
      response = await fetch(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      text = await response.text();
    } catch (err) {
      const reason =
        // A DOMException, which is not always `instanceof Error` (other realms, e.g. jest).
        (err as { name?: unknown }).name === 'TimeoutError'
          ? `no answer within ${this.timeoutMs} ms`
          : String((err as { cause?: unknown }).cause ?? err);
      throw new TaskCenterApiError(0, 0, `${method} ${url} failed: ${reason}`, { cause: err });
    }

    const parsed = parseJson(text);
    if (!response.ok) {
      const shaped = parsed as { err?: unknown; msg?: unknown } | undefined;
      const err = typeof shaped?.err === 'number' ? shaped.err : 0;
      const msg = typeof shaped?.msg === 'string' ? shaped.msg : text.slice(0, 500);
      throw new TaskCenterApiError(response.status, err, msg);
    }
    if (parsed === undefined) {
      throw new TaskCenterApiError(response.status, 0, `${method} ${url}: the body is not JSON`);
    }
    return { body: parsed as T, headers: response.headers };
  }
}

/** Query parameters as the API takes them: absent ones left out, lists comma-separated. */
export function toQuery(params: object): Record<string, string> {
  const query: Record<string, string> = {};
  for (const [name, value] of Object.entries(params) as [string, unknown][]) {
    if (value === undefined || value === null) continue;
    query[name] = Array.isArray(value) ? value.map(scalar).join(',') : scalar(value);
  }
  return query;
}

function scalar(value: unknown): string {
  if (typeof value === 'string') return value;
  return typeof value === 'number' || typeof value === 'boolean'
    ? String(value)
    : JSON.stringify(value);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
