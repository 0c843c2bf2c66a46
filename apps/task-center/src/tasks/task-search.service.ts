import { Injectable } from '@nestjs/common';
import {
  type TaskSearchFilter,
  type TaskSearchSort,
  TasksRepository,
} from '../repositories/tasks.repository';
import {
  SEARCH_DEFAULT_LIMIT,
  SEARCHABLE_STATUSES,
  type SearchTasksDto,
} from './dto/search-tasks.dto';
import { type Task } from './task';
import { decodeCursor, encodeCursor } from './task-search-cursor';

/** A count stops here: counting every match of a broad filter would scan the collection. */
export const SEARCH_COUNT_CAP = 10_000;

export interface TaskSearchResult {
  tasks: Task[];
  nextCursor: string | null;
  total?: number;
  totalCapped?: boolean;
}

/** GET /v1/api/tasks: filters, two sort orders, an opaque cursor, an optional bounded count. */
@Injectable()
export class TaskSearchService {
  constructor(private readonly repo: TasksRepository) {}

  async search(query: SearchTasksDto, countCap = SEARCH_COUNT_CAP): Promise<TaskSearchResult> {
    const sort: TaskSearchSort = query.sort ?? 'created_at';
    const limit = query.limit ?? SEARCH_DEFAULT_LIMIT;
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, sort);
    const filter = filterOf(query);
    // One more than the page tells whether another page follows.
    const found = await this.repo.search(filter, sort, limit + 1, after);
    const tasks = found.slice(0, limit);
    const last = tasks.at(-1);
    const nextCursor =
      found.length > limit && last
        ? encodeCursor(sort, { key: sortKey(last, sort), id: last.id })
        : null;
    if (!query.count) return { tasks, nextCursor };
    const counted = await this.repo.countMatching(filter, countCap + 1);
    return {
      tasks,
      nextCursor,
      total: Math.min(counted, countCap),
      totalCapped: counted > countCap,
    };
  }
}

function sortKey(task: Task, sort: TaskSearchSort): number | null {
  return sort === 'created_at' ? task.createdAt : task.nextRunAt;
}

function filterOf(q: SearchTasksDto): TaskSearchFilter {
  const filter: TaskSearchFilter = {
    statuses: q.status?.length ? [...new Set(q.status)] : [...SEARCHABLE_STATUSES],
  };
  if (q.name !== undefined) filter.name = q.name;
  if (q.name_prefix !== undefined) filter.namePrefix = q.name_prefix;
  if (q.type !== undefined) filter.type = q.type;
  if (q.topic !== undefined) filter.topic = q.topic;
  if (q.key !== undefined) filter.key = q.key;
  if (q.next_run_after !== undefined) filter.nextRunFrom = q.next_run_after * 1000;
  if (q.next_run_before !== undefined) filter.nextRunBefore = q.next_run_before * 1000;
  return filter;
}
