import { Injectable } from '@nestjs/common';
import { type TaskStatus } from '@task-center/contracts';
import { type Settled } from '../bulk/settle-each';
import { ApiError } from '../errors/api-error';
import { ErrorCode } from '../errors/error-codes';
import { type TaskSearchFilter, TasksRepository } from '../repositories/tasks.repository';
import {
  BULK_MAX_ITEMS,
  type BulkTaskAction,
  type BulkTaskFilterDto,
} from './dto/bulk-task-action.dto';
import { TasksService } from './tasks.service';

/** The statuses a task can have for the action to change it: a filter selects only these. */
export const CHANGED_BY: Record<BulkTaskAction, readonly TaskStatus[]> = {
  pause: ['active'],
  resume: ['paused'],
  delete: ['active', 'paused', 'completed'],
};

export type BulkTaskResult =
  | { taskid: string; ok: true; status: TaskStatus }
  | { taskid: string; ok: false; err: number; msg: string };

export interface BulkTaskOutcome {
  action: BulkTaskAction;
  results: BulkTaskResult[];
  /** By filter: more tasks matched than the limit. */
  more: boolean;
}

/**
 * POST /v1/api/bulk-task-action: pause, resume or delete many tasks, by ids or by a filter,
 * through the single-task paths of TasksService (so the change log is written before the
 * answer, one entry per request).
 */
@Injectable()
export class TaskBulkService {
  constructor(
    private readonly tasks: TasksService,
    private readonly repo: TasksRepository,
  ) {}

  /** One result per id, in the order given (a repeated id gets the same result). */
  async byIds(action: BulkTaskAction, ids: string[], now = Date.now()): Promise<BulkTaskOutcome> {
    const unique = [...new Set(ids)];
    const results = new Map<string, BulkTaskResult>();
    for (const [i, one] of (await this.act(action, unique, now)).entries()) {
      results.set(unique[i]!, resultOf(unique[i]!, one));
    }
    return { action, results: ids.map((id) => results.get(id)!), more: false };
  }

  /**
   * The matching tasks the action changes, newest first, at most `limit`. What was acted on
   * no longer matches, so the same request again takes the next ones until `more` is false.
   */
  async byFilter(
    action: BulkTaskAction,
    filter: BulkTaskFilterDto,
    limit = BULK_MAX_ITEMS,
    now = Date.now(),
  ): Promise<BulkTaskOutcome> {
    const found = await this.repo.search(searchFilter(action, filter), 'created_at', limit + 1);
    const ids = found.slice(0, limit).map((t) => t.id);
    const settled = await this.act(action, ids, now);
    return {
      action,
      results: settled.map((one, i) => resultOf(ids[i]!, one)),
      more: found.length > limit,
    };
  }

  private async act(
    action: BulkTaskAction,
    ids: string[],
    now: number,
  ): Promise<Settled<TaskStatus>[]> {
    if (action === 'delete') {
      const deleted = new Set(await this.tasks.deleteByIds(ids, now));
      return ids.map((id) =>
        deleted.has(id)
          ? { ok: true, value: 'deleted' }
          : {
              ok: false,
              error: new ApiError(ErrorCode.TASK_NOT_FOUND, `task ${id} does not exist`),
            },
      );
    }
    const settled =
      action === 'pause'
        ? await this.tasks.pauseEach(ids, now)
        : await this.tasks.resumeEach(ids, now);
    return settled.map((s) => (s.ok ? { ok: true, value: s.value.status } : s));
  }
}

function resultOf(taskid: string, one: Settled<TaskStatus>): BulkTaskResult {
  return one.ok
    ? { taskid, ok: true, status: one.value }
    : { taskid, ok: false, err: one.error.code, msg: one.error.message };
}

/** The filter as a task search, narrowed to the statuses the action changes. */
export function searchFilter(action: BulkTaskAction, f: BulkTaskFilterDto): TaskSearchFilter {
  const changed = CHANGED_BY[action];
  const statuses = f.status ? changed.filter((s) => f.status!.includes(s)) : [...changed];
  if (statuses.length === 0) {
    throw new ApiError(
      ErrorCode.INVALID_PARAM,
      `filter.status ${f.status!.join(', ')} selects no task that ${action} changes: ${action} acts on ${changed.join(', ')} tasks`,
    );
  }
  const filter: TaskSearchFilter = { statuses };
  if (f.name !== undefined) filter.name = f.name;
  if (f.name_prefix !== undefined) filter.namePrefix = f.name_prefix;
  if (f.type !== undefined) filter.type = f.type;
  return filter;
}
