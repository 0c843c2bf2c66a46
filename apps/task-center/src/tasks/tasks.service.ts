import { Inject, Injectable } from '@nestjs/common';
import { type Settled, settleEach } from '../bulk/settle-each';
import { APP_CONFIG, type AppConfig } from '../config';
import { ApiError } from '../errors/api-error';
import { ErrorCode } from '../errors/error-codes';
import { describeSchedule, firstFireAt, previewFires } from '../scheduling';
import { type CreateTaskDto } from './dto/create-task.dto';
import { type UpdateTaskDto, type PreviewTaskDto } from './dto/update-task.dto';
import { TaskChangesRepository } from '../repositories/task-changes.repository';
import {
  DuplicateKeyError,
  type TaskPage,
  TasksRepository,
} from '../repositories/tasks.repository';
import { type NewTask, type Task, type TaskDefinition } from './task';
import { scheduleOf, TaskDefinitions } from './task-definitions';
import { BUCKET_MS } from './task-shard';

const CONCURRENT_UPDATE_TRIES = 3;

/** A paused task stays paused; a rescheduled one is active while it has a slot left. */
function statusAfterUpdate(
  current: Task['status'],
  rescheduled: boolean,
  nextRunAt: number | null,
) {
  if (current === 'paused' || !rescheduled) return current;
  return nextRunAt === null ? 'completed' : 'active';
}

/** A task after a status change, and whether it changed (pausing a paused task does not). */
interface Transition {
  task: Task;
  changed: boolean;
}

export interface CreateResult {
  task: Task;
  created: boolean;
}

/** A create's result, and whether the dispatchers must hear of the task before the answer. */
export interface CreateOutcome extends CreateResult {
  announce: boolean;
}

/** The task use cases behind /v1/api: create, read, update, delete, pause, resume, run now. */
@Injectable()
export class TasksService {
  constructor(
    private readonly repo: TasksRepository,
    private readonly definitions: TaskDefinitions,
    private readonly changes: TaskChangesRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async create(dto: CreateTaskDto, now = Date.now()): Promise<CreateResult> {
    const { task, created, announce } = await this.createChecked(dto, this.newTask(dto, now), now);
    if (announce) await this.changes.append([task.id], now);
    return { task, created };
  }

  /**
   * The task a create body makes, checked (an ApiError names what is wrong), not stored yet:
   * the validation create and bulk create share.
   */
  newTask(dto: CreateTaskDto, now: number): NewTask {
    const def = this.definitions.fromCreate(dto);
    const nextRunAt = this.firstSlot(def, now, now, 0);
    if (nextRunAt === null) {
      throw new ApiError(
        ErrorCode.INVALID_SCHEDULE,
        'the task would never fire: its window has already ended',
      );
    }
    return { ...def, status: 'active', nextRunAt, createdAt: now };
  }

  /** create() of a checked task, without its change-log append: the caller makes it. */
  async createChecked(dto: CreateTaskDto, task: NewTask, now: number): Promise<CreateOutcome> {
    // Insert first: a new key (the usual case) costs one round trip. The unique index on the
    // key says when a live task holds it; that task is read then.
    try {
      return this.inserted(await this.repo.insert(task), now);
    } catch (err) {
      if (!(err instanceof DuplicateKeyError)) throw err;
    }
    return this.createTaken(dto, task, now);
  }

  /**
   * createChecked() of a task whose key a live task was just seen to hold (its insert failed
   * on the key, or an earlier item of the same bulk request has it): that task, or with
   * `upsert` that task updated; inserted after all when the holder was deleted meanwhile.
   */
  async createTaken(dto: CreateTaskDto, task: NewTask, now: number): Promise<CreateOutcome> {
    for (let attempt = 1; ; attempt++) {
      const existing = task.key === undefined ? null : await this.repo.findByKey(task.key);
      if (existing) return this.matchedByKey(existing, dto, now);
      try {
        return this.inserted(await this.repo.insert(task), now);
      } catch (err) {
        // Lost a race with a concurrent create of the same key: read theirs on the next turn.
        if (!(err instanceof DuplicateKeyError) || attempt >= CONCURRENT_UPDATE_TRIES) throw err;
      }
    }
  }

  private inserted(task: Task, now: number): CreateOutcome {
    return { task, created: true, announce: this.dueSoon(task, now) };
  }

  /** A create whose key a live task holds: that task, or with `upsert` that task updated. */
  async matchedByKey(existing: Task, dto: CreateTaskDto, now: number): Promise<CreateOutcome> {
    if (!dto.upsert) return { task: existing, created: false, announce: false };
    const task = await this.replacedDefinition(existing, dto, now);
    return { task, created: false, announce: true };
  }

  /** A new task due before the dispatchers' next read-ahead: tell them now rather than miss it. */
  dueSoon(task: Task, now: number): boolean {
    return (
      task.nextRunAt !== null &&
      task.nextRunAt <= now + this.config.dispatch.readAheadMs + BUCKET_MS
    );
  }

  async get(id: string): Promise<Task> {
    const task = await this.repo.findById(id);
    if (!task) throw new ApiError(ErrorCode.TASK_NOT_FOUND, `task ${id} does not exist`);
    return task;
  }

  listByName(name: string, limit: number, cursor?: string): Promise<TaskPage> {
    return this.repo.listByName(name, limit, cursor);
  }

  /** Resolves once no dispatcher will start a fire of these tasks any more. */
  async deleteByIds(ids: string[], now = Date.now()): Promise<string[]> {
    return this.announced(await this.repo.markDeleted([...new Set(ids)], now), now);
  }

  async deleteByName(name: string, now = Date.now()): Promise<string[]> {
    return this.announced(await this.repo.markDeletedByName(name, now), now);
  }

  async update(dto: UpdateTaskDto, now = Date.now()): Promise<Task> {
    const { taskid, ...changes } = dto;
    return this.announced(await this.replacedDefinition(await this.get(taskid), changes, now), now);
  }

  async pause(id: string, now = Date.now()): Promise<Task> {
    const { task, changed } = await this.paused(id, now);
    return changed ? this.announced(task, now) : task;
  }

  async resume(id: string, now = Date.now()): Promise<Task> {
    const { task, changed } = await this.resumed(id, now);
    return changed ? this.announced(task, now) : task;
  }

  /**
   * pause() of each task, with one change-log entry for all of them (a log entry per task
   * would push the dispatchers past the log's end): per id, the task or its ApiError.
   */
  pauseEach(ids: string[], now = Date.now()): Promise<Settled<Task>[]> {
    return this.eachAnnounced(ids, (id) => this.paused(id, now), now);
  }

  /** resume() of each task, with one change-log entry for all of them. */
  resumeEach(ids: string[], now = Date.now()): Promise<Settled<Task>[]> {
    return this.eachAnnounced(ids, (id) => this.resumed(id, now), now);
  }

  private async paused(id: string, now: number): Promise<Transition> {
    const task = await this.get(id);
    if (task.status === 'paused') return { task, changed: false };
    this.requireStatus(task, 'active', 'paused');
    const paused = await this.repo.transition(id, 'active', 'paused', task.nextRunAt, now);
    return paused ? { task: paused, changed: true } : this.paused(id, now);
  }

  private async resumed(id: string, now: number): Promise<Transition> {
    const task = await this.get(id);
    if (task.status === 'active') return { task, changed: false };
    this.requireStatus(task, 'paused', 'resumed');
    // Slots that passed while paused are not caught up: pausing means "do not run".
    const next = this.firstSlot(task, task.createdAt, now, task.runCount);
    const resumed = await this.repo.transition(
      id,
      'paused',
      next === null ? 'completed' : 'active',
      next,
      now,
    );
    return resumed ? { task: resumed, changed: true } : this.resumed(id, now);
  }

  /** Announces every task `one` changed (also when another failed), before answering. */
  private async eachAnnounced(
    ids: string[],
    one: (id: string) => Promise<Transition>,
    now: number,
  ): Promise<Settled<Task>[]> {
    const all = await settleEach(ids, one);
    const changed = all.done.filter((t) => t.changed).map((t) => t.task.id);
    if (changed.length > 0) await this.changes.append(changed, now);
    if ('failure' in all) throw all.failure;
    return all.settled.map((s) => (s.ok ? { ok: true, value: s.value.task } : s));
  }

  async runNow(id: string, now = Date.now()): Promise<Task> {
    for (let attempt = 0; attempt < CONCURRENT_UPDATE_TRIES; attempt++) {
      const queued = await this.repo.addManualRun(id, now, now);
      if (queued) return this.announced(queued, now);
      this.requireStatus(await this.get(id), 'active', 'run now');
    }
    throw new ApiError(
      ErrorCode.STATE_CONFLICT,
      `task ${id} kept changing while it was queued; retry`,
    );
  }

  /** The next fire times of a proposed schedule (epoch ms), and the schedule in words. */
  preview(dto: PreviewTaskDto, now = Date.now()): { fires: number[]; description: string } {
    const spec = this.definitions.scheduleFrom(dto, now);
    return { fires: previewFires(spec, now, dto.count ?? 10), description: describeSchedule(spec) };
  }

  /** The definition replaced, not announced yet. */
  private async replacedDefinition(
    current: Task,
    changes: Partial<CreateTaskDto>,
    now: number,
  ): Promise<Task> {
    let task = current;
    for (let attempt = 0; attempt < CONCURRENT_UPDATE_TRIES; attempt++) {
      const def = this.definitions.merge(task, changes);
      const rescheduled = this.scheduleChanged(task, def);
      const nextRunAt = rescheduled
        ? this.firstSlot(def, task.createdAt, now, task.runCount)
        : task.nextRunAt;
      const status = statusAfterUpdate(task.status, rescheduled, nextRunAt);
      try {
        const replaced = await this.repo.replace(
          task.id,
          task.version,
          { ...def, status, nextRunAt },
          now,
        );
        if (replaced) return replaced;
      } catch (err) {
        if (err instanceof DuplicateKeyError) {
          throw new ApiError(ErrorCode.KEY_CONFLICT, `key "${def.key}" belongs to another task`);
        }
        throw err;
      }
      task = await this.get(task.id);
    }
    throw new ApiError(
      ErrorCode.STATE_CONFLICT,
      `task ${current.id} kept changing while it was updated; retry`,
    );
  }

  /** Records the change for the dispatchers before the caller's response goes out. */
  private async announced<T extends Task | string[]>(changed: T, now: number): Promise<T> {
    await this.changes.append(Array.isArray(changed) ? changed : [changed.id], now);
    return changed;
  }

  /** The first slot at or after `now`, or null when the window or the count is used up. */
  private firstSlot(
    def: TaskDefinition,
    createdAt: number,
    now: number,
    runCount: number,
  ): number | null {
    if (def.loopCount !== undefined && runCount >= def.loopCount) return null;
    return firstFireAt(scheduleOf(def, createdAt), now);
  }

  private scheduleChanged(before: TaskDefinition, after: TaskDefinition): boolean {
    const fields = [
      'type',
      'crontab',
      'loopTime',
      'loopCount',
      'startTime',
      'endTime',
      'timezone',
    ] as const;
    return fields.some((f) => before[f] !== after[f]);
  }

  private requireStatus(task: Task, wanted: Task['status'], action: string): void {
    if (task.status !== wanted) {
      throw new ApiError(
        ErrorCode.STATE_CONFLICT,
        `task ${task.id} is ${task.status}; only ${wanted} tasks can be ${action}`,
      );
    }
  }
}
