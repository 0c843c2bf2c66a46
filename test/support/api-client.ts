import { createServer } from 'node:net';
import { type TaskStatus } from '@task-center/contracts';

/** The fields of a task as /v1/api shows it that the dispatch suites look at. */
export interface TaskView {
  _id: string;
  name: string;
  type: number;
  data: string;
  status: TaskStatus;
  run_count: number;
  next_run_at: number | null;
  manual_runs: number[];
  last_run_at: number | null;
  loop_count?: number;
  start_time?: number;
}

/** A non-2xx answer (or a body that is not JSON), with what came back. */
export class ApiCallError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    what: string,
  ) {
    super(`${what} answered ${status}: ${JSON.stringify(body)}`);
  }
}

/** A loopback port nothing listens on (bound, then released). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * The task center's HTTP API over real HTTP (fetch), for an in-process app listening on a
 * port as well as for a spawned process. Every call throws on anything but 200.
 */
export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly timeoutMs = 10_000,
  ) {}

  static forPort(port: number): ApiClient {
    return new ApiClient(`http://127.0.0.1:${port}`);
  }

  async call<T>(
    method: 'GET' | 'POST',
    path: string,
    options: { body?: unknown; query?: Record<string, string | number> } = {},
  ): Promise<T> {
    const url = new URL(path, this.baseUrl);
    for (const [k, v] of Object.entries(options.query ?? {})) url.searchParams.set(k, String(v));
    const res = await fetch(url, {
      method,
      headers: options.body === undefined ? {} : { 'content-type': 'application/json' },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // leave it as text: the error below shows it
    }
    if (res.status !== 200) throw new ApiCallError(res.status, body, `${method} ${path}`);
    return body as T;
  }

  /** POST /v1/api/task; returns the new (or existing, by key) task's id. */
  async createTask(body: Record<string, unknown>): Promise<string> {
    const res = await this.call<{ taskid: string }>('POST', '/v1/api/task', { body });
    return res.taskid;
  }

  getTask(taskid: string): Promise<TaskView> {
    return this.call<TaskView>('GET', '/v1/api/query-task-by-id', { query: { taskid } });
  }

  /** Every task with this name (follows the cursor). */
  async tasksByName(name: string): Promise<TaskView[]> {
    const all: TaskView[] = [];
    let cursor: string | undefined;
    do {
      const url = new URL('/v1/api/query-task-by-name', this.baseUrl);
      url.searchParams.set('name', name);
      url.searchParams.set('limit', '1000');
      if (cursor) url.searchParams.set('cursor', cursor);
      const res = await fetch(url, { signal: AbortSignal.timeout(this.timeoutMs) });
      if (res.status !== 200) {
        throw new ApiCallError(res.status, await res.text(), 'GET /v1/api/query-task-by-name');
      }
      all.push(...((await res.json()) as TaskView[]));
      cursor = res.headers.get('x-next-cursor') ?? undefined;
    } while (cursor);
    return all;
  }

  async deleteTasks(ids: string[]): Promise<string[]> {
    const res = await this.call<{ SucIds: string[] }>('POST', '/v1/api/delete-task', {
      body: { ids },
    });
    return res.SucIds;
  }

  updateTask(taskid: string, fields: Record<string, unknown>): Promise<TaskView> {
    return this.call<TaskView>('POST', '/v1/api/update-task', { body: { taskid, ...fields } });
  }

  runNow(taskid: string): Promise<TaskView> {
    return this.call<TaskView>('POST', '/v1/api/run-task-now', { body: { taskid } });
  }

  /** True when GET /health answers 200. */
  async healthy(): Promise<boolean> {
    try {
      const res = await fetch(new URL('/health', this.baseUrl), {
        signal: AbortSignal.timeout(3000),
      });
      await res.arrayBuffer();
      return res.status === 200;
    } catch {
      return false;
    }
  }
}

/**
 * Creates tasks `concurrency` at a time (the order of the returned ids follows `bodies`).
 * Creating 80 tasks one by one on FerretDB takes seconds; in parallel, well under one.
 */
export async function createMany(
  api: ApiClient,
  bodies: Record<string, unknown>[],
  concurrency = 16,
): Promise<string[]> {
  const ids: string[] = new Array<string>(bodies.length);
  let next = 0;
  const worker = async () => {
    while (next < bodies.length) {
      const i = next++;
      ids[i] = await api.createTask(bodies[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, bodies.length) }, worker));
  return ids;
}
