import { ApiError } from '../errors/api-error';
import {
  type TaskSearchFilter,
  type TaskSearchPosition,
  type TaskSearchSort,
  type TasksRepository,
} from '../repositories/tasks.repository';
import { type Task } from './task';
import { loopTaskAt } from './task.fixtures';
import { decodeCursor, encodeCursor } from './task-search-cursor';
import { SEARCH_COUNT_CAP, TaskSearchService } from './task-search.service';

/** A repository port that answers from fixed tasks and counts `matching`, up to its limit. */
function serviceWith(stored: Task[], matching = stored.length) {
  const calls: {
    filter: TaskSearchFilter;
    sort: TaskSearchSort;
    limit: number;
    after?: TaskSearchPosition;
  }[] = [];
  const repo = {
    search: (filter, sort, limit, after) => {
      calls.push({ filter, sort, limit, after });
      return Promise.resolve(stored.slice(0, limit));
    },
    countMatching: (_filter, limit) => Promise.resolve(Math.min(matching, limit)),
  } as Pick<TasksRepository, 'search' | 'countMatching'> as TasksRepository;
  return { service: new TaskSearchService(repo), calls };
}

const tasks = (n: number) => Array.from({ length: n }, (_, i) => loopTaskAt(1_000_000 + i));

describe('TaskSearchService', () => {
  it('asks for one task more than the page and makes a cursor from the last one shown', async () => {
    const stored = tasks(3);
    const { service, calls } = serviceWith(stored);
    const page = await service.search({ limit: 2, sort: 'next_run_at' });
    expect(calls[0]).toMatchObject({ sort: 'next_run_at', limit: 3, after: undefined });
    expect(page.tasks).toEqual(stored.slice(0, 2));
    expect(decodeCursor(page.nextCursor!, 'next_run_at')).toEqual({
      key: stored[1]!.nextRunAt,
      id: stored[1]!.id,
    });
    expect(page).not.toHaveProperty('total');
  });

  it('ends with a null cursor when nothing follows; defaults: live statuses, created_at, 50', async () => {
    const { service, calls } = serviceWith(tasks(50));
    expect((await service.search({})).nextCursor).toBeNull();
    expect(calls[0]).toMatchObject({
      sort: 'created_at',
      limit: 51,
      filter: { statuses: ['active', 'paused', 'completed'] },
    });
  });

  it('passes a cursor back as the position after which to read, in ms', async () => {
    const { service, calls } = serviceWith([]);
    const cursor = encodeCursor('next_run_at', { key: null, id: 'a'.repeat(24) });
    await service.search({
      sort: 'next_run_at',
      cursor,
      next_run_after: 10,
      next_run_before: 20,
      status: ['paused', 'paused'],
    });
    expect(calls[0]!.after).toEqual({ key: null, id: 'a'.repeat(24) });
    expect(calls[0]!.filter).toEqual({
      statuses: ['paused'],
      nextRunFrom: 10_000,
      nextRunBefore: 20_000,
    });
  });

  it('rejects a cursor of the other sort before reading anything', async () => {
    const { service, calls } = serviceWith(tasks(1));
    const cursor = encodeCursor('created_at', { key: 5, id: 'b'.repeat(24) });
    await expect(service.search({ sort: 'next_run_at', cursor })).rejects.toThrow(ApiError);
    expect(calls).toHaveLength(0);
  });

  describe('count', () => {
    it('is exact below the cap and at it', async () => {
      expect(await serviceWith(tasks(1), 7).service.search({ count: true })).toMatchObject({
        total: 7,
        totalCapped: false,
      });
      const atCap = await serviceWith(tasks(1), 10).service.search({ count: true }, 10);
      expect(atCap).toMatchObject({ total: 10, totalCapped: false });
    });

    it('stops at the cap and says so when more match', async () => {
      const over = await serviceWith(tasks(1), 11).service.search({ count: true }, 10);
      expect(over).toMatchObject({ total: 10, totalCapped: true });
      const huge = await serviceWith(tasks(1), 5_000_000).service.search({ count: true });
      expect(huge).toMatchObject({ total: SEARCH_COUNT_CAP, totalCapped: true });
    });
  });
});

describe('search cursor', () => {
  it('round-trips both sorts, including a task without a next run', () => {
    const at = { key: 1_700_000_000_123, id: 'c'.repeat(24) };
    expect(decodeCursor(encodeCursor('created_at', at), 'created_at')).toEqual(at);
    expect(decodeCursor(encodeCursor('next_run_at', at), 'next_run_at')).toEqual(at);
    const none = { key: null, id: 'd'.repeat(24) };
    expect(decodeCursor(encodeCursor('next_run_at', none), 'next_run_at')).toEqual(none);
  });

  it.each([
    ['not base64url', 'a+b/c='],
    ['garbage', Buffer.from('hello').toString('base64url')],
    ['a bad id', Buffer.from('c:1:xyz').toString('base64url')],
    ['no key under created_at', Buffer.from(`c:-:${'e'.repeat(24)}`).toString('base64url')],
    ['too long', 'A'.repeat(201)],
  ])('calls %s malformed', (_what, cursor) => {
    expect(() => decodeCursor(cursor, 'created_at')).toThrow(/cursor is malformed/);
  });

  it('names the sort a cursor belongs to', () => {
    const cursor = encodeCursor('next_run_at', { key: 1, id: 'f'.repeat(24) });
    expect(() => decodeCursor(cursor, 'created_at')).toThrow(
      'cursor belongs to a search with sort=next_run_at, not sort=created_at: repeat that sort or start without a cursor',
    );
  });
});
