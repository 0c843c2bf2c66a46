import { type TaskStatus } from '@task-center/contracts';
import { type AppConfig } from '../config';
import { ApiError } from '../errors/api-error';
import { type TaskChangesRepository } from '../repositories/task-changes.repository';
import { type TaskSearchFilter, type TasksRepository } from '../repositories/tasks.repository';
import { type Task } from './task';
import { TaskBulkService } from './task-bulk.service';
import { type TaskDefinitions } from './task-definitions';
import { loopTaskAt, nextTaskId } from './task.fixtures';
import { TasksService } from './tasks.service';

const NOW = 1_767_225_600_000;

/** The tasks repository port over a map; `failOn` makes one id's reads throw a non-API error. */
function setup(stored: Task[], failOn?: string) {
  const tasks = new Map(stored.map((t) => [t.id, t]));
  const searches: { filter: TaskSearchFilter; limit: number }[] = [];
  const repo = {
    findById: (id: string) => {
      if (id === failOn) return Promise.reject(new Error('connection reset'));
      const t = tasks.get(id);
      return Promise.resolve(t && t.status !== 'deleted' ? t : null);
    },
    transition: (id: string, from: TaskStatus, to: TaskStatus, nextRunAt: number | null) => {
      const t = tasks.get(id);
      if (!t || t.status !== from) return Promise.resolve(null);
      const next = { ...t, status: to, nextRunAt, version: t.version + 1 };
      tasks.set(id, next);
      return Promise.resolve(next);
    },
    markDeleted: (ids: string[]) => {
      const live = ids.filter((id) => tasks.get(id) && tasks.get(id)!.status !== 'deleted');
      for (const id of live) tasks.set(id, { ...tasks.get(id)!, status: 'deleted' });
      return Promise.resolve(live);
    },
    search: (filter: TaskSearchFilter, _sort: string, limit: number) => {
      searches.push({ filter, limit });
      const found = [...tasks.values()]
        .filter((t) => filter.statuses.includes(t.status))
        .filter((t) => filter.name === undefined || t.name === filter.name)
        .sort((a, b) => b.createdAt - a.createdAt);
      return Promise.resolve(found.slice(0, limit));
    },
  } as unknown as TasksRepository;
  const appended: string[][] = [];
  const changes = {
    append: (ids: string[]) => {
      appended.push(ids);
      return Promise.resolve();
    },
  } as unknown as TaskChangesRepository;
  const config = { dispatch: { readAheadMs: 5000 } } as AppConfig;
  const service = new TasksService(repo, {} as TaskDefinitions, changes, config);
  return { bulk: new TaskBulkService(service, repo), tasks, appended, searches };
}

const task = (overrides: Partial<Task> = {}) => loopTaskAt(NOW + 60_000, overrides);

describe('TaskBulkService', () => {
  it('by ids: a result per id in order, one change-log entry for the tasks that changed', async () => {
    const active = task();
    const paused = task({ status: 'paused' });
    const completed = task({ status: 'completed', nextRunAt: null });
    const unknown = nextTaskId();
    const { bulk, tasks, appended } = setup([active, paused, completed]);

    const out = await bulk.byIds(
      'pause',
      [active.id, unknown, paused.id, completed.id, active.id],
      NOW,
    );

    expect(out.more).toBe(false);
    expect(out.results).toEqual([
      { taskid: active.id, ok: true, status: 'paused' },
      { taskid: unknown, ok: false, err: 40401, msg: `task ${unknown} does not exist` },
      { taskid: paused.id, ok: true, status: 'paused' },
      {
        taskid: completed.id,
        ok: false,
        err: 40902,
        msg: `task ${completed.id} is completed; only active tasks can be paused`,
      },
      { taskid: active.id, ok: true, status: 'paused' },
    ]);
    expect(tasks.get(active.id)!.status).toBe('paused');
    // Only the task that changed, once, in one entry.
    expect(appended).toEqual([[active.id]]);
  });

  it('resume moves a paused task to its next slot, or completed when its count is used up', async () => {
    const again = task({ status: 'paused', nextRunAt: NOW - 3_600_000 });
    const spent = task({ status: 'paused', loopCount: 2, runCount: 2 });
    const { bulk, appended } = setup([again, spent]);
    const out = await bulk.byIds('resume', [again.id, spent.id], NOW);
    expect(out.results).toEqual([
      { taskid: again.id, ok: true, status: 'active' },
      { taskid: spent.id, ok: true, status: 'completed' },
    ]);
    expect(appended).toEqual([[again.id, spent.id]]);
  });

  it('announces what changed before failing on an error below the API', async () => {
    const [a, b, broken] = [task(), task(), task()];
    const { bulk, appended, tasks } = setup([a, broken, b], broken.id);
    await expect(bulk.byIds('pause', [a.id, broken.id, b.id], NOW)).rejects.toThrow(
      'connection reset',
    );
    expect(tasks.get(a.id)!.status).toBe('paused');
    expect(appended).toEqual([[a.id, b.id]]);
  });

  it('deletes by ids in one write; the ids that were not live fail alone', async () => {
    const [a, gone] = [task(), task({ status: 'deleted' })];
    const { bulk, appended } = setup([a, gone]);
    const out = await bulk.byIds('delete', [gone.id, a.id], NOW);
    expect(out.results).toEqual([
      { taskid: gone.id, ok: false, err: 40401, msg: `task ${gone.id} does not exist` },
      { taskid: a.id, ok: true, status: 'deleted' },
    ]);
    expect(appended).toEqual([[a.id]]);
  });

  it('by filter: searches only the statuses the action changes, one more than the limit', async () => {
    const stored = [1, 2, 3].map((i) => task({ name: 'n', createdAt: NOW - i }));
    const { bulk, searches } = setup([...stored, task({ name: 'n', status: 'paused' })]);

    const first = await bulk.byFilter('pause', { name: 'n' }, 2, NOW);
    expect(searches[0]).toEqual({ filter: { statuses: ['active'], name: 'n' }, limit: 3 });
    expect(first.results.map((r) => r.taskid)).toEqual([stored[0]!.id, stored[1]!.id]);
    expect(first.more).toBe(true);
    const second = await bulk.byFilter('pause', { name: 'n' }, 2, NOW);
    expect(second.results.map((r) => r.taskid)).toEqual([stored[2]!.id]);
    expect(second.more).toBe(false);
    expect((await bulk.byFilter('pause', { name: 'n' }, 2, NOW)).results).toEqual([]);

    await bulk.byFilter('delete', { status: ['completed', 'paused'] }, 10, NOW);
    expect(searches.at(-1)!.filter.statuses).toEqual(['paused', 'completed']);
  });

  it('by filter: a status the action never changes is a 400 naming both', async () => {
    const { bulk, searches } = setup([task()]);
    const refused = bulk.byFilter('resume', { status: ['active', 'completed'] }, 10, NOW);
    await expect(refused).rejects.toThrow(ApiError);
    await expect(refused).rejects.toMatchObject({
      code: 40001,
      message:
        'filter.status active, completed selects no task that resume changes: resume acts on paused tasks',
    });
    expect(searches).toEqual([]);
  });
});
