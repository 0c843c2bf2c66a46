import { type FilterQuery, Types } from 'mongoose';
import { uniqKey } from './task.mapper';
import { type TaskDoc } from './task.schema';
import { type Task } from '../tasks/task';
import {
  type TaskSearchFilter,
  type TaskSearchPosition,
  type TaskSearchSort,
} from './tasks.repository';

/** One sorted, limited find: the repository runs it. */
export type FindSorted = (
  filter: FilterQuery<TaskDoc>,
  sort: Record<string, 1 | -1>,
  limit: number,
) => Promise<Task[]>;

/**
 * The task search as MongoDB queries (pure): the filter, and where a page after `after`
 * starts in each sort. Served by the search indexes of task.schema.ts on MongoDB.
 */

/** A search filter as a query: equality where it can be, `status` always present. */
export function searchQuery(f: TaskSearchFilter): FilterQuery<TaskDoc> {
  const query: FilterQuery<TaskDoc> = {
    status: f.statuses.length === 1 ? f.statuses[0] : { $in: f.statuses },
  };
  if (f.name !== undefined) query.name = f.name;
  // Anchored and case-sensitive: an index range on MongoDB.
  if (f.namePrefix !== undefined) query.name = { $regex: `^${escapeRegex(f.namePrefix)}` };
  if (f.type !== undefined) query.type = f.type;
  if (f.topic !== undefined) query.topic = f.topic;
  // Live keyed tasks hold `k:<key>` (deleted ones fall back to their id): the unique index.
  if (f.key !== undefined) query.uniq_key = uniqKey('', f.key);
  if (f.nextRunFrom !== undefined || f.nextRunBefore !== undefined) {
    query.next_run_at = {
      ...(f.nextRunFrom !== undefined && { $gte: f.nextRunFrom }),
      ...(f.nextRunBefore !== undefined && { $lt: f.nextRunBefore }),
    };
  }
  return query;
}

/**
 * `base` with more conditions: these go under `$and` (two conditions on one field stay apart)
 * while base's equalities stay top-level, where FerretDB v1 pushes them down.
 */
export function allOf(
  base: FilterQuery<TaskDoc>,
  ...more: (FilterQuery<TaskDoc> | undefined)[]
): FilterQuery<TaskDoc> {
  const given = more.filter((p) => p !== undefined);
  return given.length === 0 ? base : { ...base, $and: given };
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `sort=created_at` (newest first): the tasks after `after`. */
export function createdBefore(after?: TaskSearchPosition): FilterQuery<TaskDoc> | undefined {
  return (
    after && {
      created_at: { $lte: after.key },
      $nor: [{ created_at: after.key, _id: { $gte: new Types.ObjectId(after.id) } }],
    }
  );
}

/** `sort=next_run_at` (soonest first), tasks with a next run: the ones after `after`. */
export function slotAfter(after?: TaskSearchPosition): FilterQuery<TaskDoc> | undefined {
  return (
    after && {
      next_run_at: { $gte: after.key },
      $nor: [{ next_run_at: after.key, _id: { $lte: new Types.ObjectId(after.id) } }],
    }
  );
}

/** `sort=next_run_at`, then the tasks without a next run, by id: the ones after `after`. */
export function unscheduledAfter(after?: TaskSearchPosition): FilterQuery<TaskDoc> {
  return {
    next_run_at: null,
    ...(after?.key === null && { _id: { $gt: new Types.ObjectId(after.id) } }),
  };
}

/**
 * Served on MongoDB by the search indexes of task.schema.ts: `status` leads every query
 * (one value or the live ones), the sort key and `_id` follow, so pages come in index order.
 */
export async function searchTasks(
  find: FindSorted,
  filter: TaskSearchFilter,
  sort: TaskSearchSort,
  limit: number,
  after?: TaskSearchPosition,
): Promise<Task[]> {
  const base = searchQuery(filter);
  if (sort === 'created_at') {
    return find(allOf(base, createdBefore(after)), { created_at: -1, _id: -1 }, limit);
  }
  // Soonest first, then the tasks without a next run (by id): two ranges of one index.
  const bySlot = { next_run_at: 1, _id: 1 } as const;
  const tasks: Task[] = [];
  if (after?.key !== null) {
    const scheduled = { next_run_at: { $ne: null } };
    tasks.push(...(await find(allOf(base, scheduled, slotAfter(after)), bySlot, limit)));
  }
  const windowed = filter.nextRunFrom !== undefined || filter.nextRunBefore !== undefined;
  if (tasks.length < limit && !windowed) {
    const unscheduled = unscheduledAfter(after);
    const rest = limit - tasks.length;
    tasks.push(...(await find(allOf(base, unscheduled), bySlot, rest)));
  }
  return tasks;
}
