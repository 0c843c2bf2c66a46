import { chunkTasks, createTasksInChunks } from './create-tasks-chunks';
import { TaskCenterApiError } from './task-center-api.error';
import { type CreateTaskRequest, type CreateTasksResult } from './task-center.types';

const task = (i: number, data = ''): CreateTaskRequest => ({
  name: 'mail.send',
  type: 1,
  data: data || String(i),
});

/** The server's answer for a chunk: task i gets id `t<i>` (its data), created. */
function answer(chunk: CreateTaskRequest[]): CreateTasksResult {
  return {
    results: chunk.map((t) => ({ ok: true, taskid: `t${t.data}`, name: t.name, created: true })),
    created: chunk.length,
    existing: 0,
    failed: 0,
  };
}

describe('chunkTasks', () => {
  it('cuts at the item limit, in order', () => {
    const items = Array.from({ length: 2001 }, (_, i) => i);
    const chunks = chunkTasks(items, 1000, 1 << 30);
    expect(chunks.map((c) => [c.start, c.items.length])).toEqual([
      [0, 1000],
      [1000, 1000],
      [2000, 1],
    ]);
    expect(chunks.flatMap((c) => c.items)).toEqual(items);
  });

  it('keeps each body under the byte limit; an item too large alone goes alone', () => {
    const items = ['a'.repeat(40), 'b'.repeat(40), 'c'.repeat(300), 'd'.repeat(10)];
    const chunks = chunkTasks(items, 1000, 100);
    expect(chunks.map((c) => c.items.map((s) => s[0]).join(''))).toEqual(['ab', 'c', 'd']);
    for (const c of chunks.filter((c) => c.items.length > 1)) {
      expect(JSON.stringify({ tasks: c.items }).length).toBeLessThanOrEqual(100);
    }
  });
});

describe('createTasksInChunks', () => {
  it('answers every task in order, also when later requests are answered first', async () => {
    const tasks = Array.from({ length: 2500 }, (_, i) => task(i));
    const sent: number[] = [];
    const progress: number[] = [];
    const result = await createTasksInChunks(
      async (chunk) => {
        sent.push(chunk.length);
        // The first request is the slowest: its answer comes after the second's.
        await new Promise((r) => setTimeout(r, chunk[0]!.data === '0' ? 30 : 1));
        return answer(chunk);
      },
      tasks,
      { concurrency: 3, onProgress: (done) => progress.push(done) },
    );
    expect(sent).toEqual([1000, 1000, 500]);
    expect(result.results.map((r) => (r.ok ? r.taskid : ''))).toEqual(
      tasks.map((t) => `t${t.data}`),
    );
    expect(result).toMatchObject({ created: 2500, existing: 0, failed: 0 });
    expect(progress.at(-1)).toBe(2500);
  });

  it('a single task over the body limit is its own result; the others are created', async () => {
    const tasks = [task(0), task(1, 'x'.repeat(2000)), task(2)];
    const result = await createTasksInChunks(
      (chunk) =>
        chunk.some((t) => t.data.length > 1000)
          ? Promise.reject(new TaskCenterApiError(413, 41301, 'request body is over the limit'))
          : Promise.resolve(answer(chunk)),
      tasks,
      { maxBodyBytes: 1000 },
    );
    expect(result.results.map((r) => (r.ok ? r.taskid : r.err))).toEqual(['t0', 41301, 't2']);
    expect(result).toMatchObject({ created: 2, failed: 1 });
  });

  it('rejects when a request fails for another reason', async () => {
    await expect(
      createTasksInChunks(
        () => Promise.reject(new TaskCenterApiError(503, 50301, 'busy')),
        [task(0), task(1)],
      ),
    ).rejects.toThrow('503');
  });

  it('refuses a chunk size the server would refuse', async () => {
    await expect(
      createTasksInChunks(() => Promise.reject(new Error('not sent')), [task(0)], {
        chunkSize: 1001,
      }),
    ).rejects.toThrow('chunkSize must be an integer in 1..1000');
  });
});
