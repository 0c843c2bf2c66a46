import { Inject, Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { type TaskStatus } from '@task-center/contracts';
import { type FilterQuery, type Model, mongo, Types } from 'mongoose';
import { APP_CONFIG, type AppConfig } from '../config';
import { inSmallGroups, MAX_BULK_OPS } from '../database/bulk-write';
import { isDuplicateKey, isDuplicateKeyWrite } from '../database/duplicate-key';
import { GroupCommit } from '../database/group-commit';
import { TaskWriteLocks } from '../database/ferretdb/task-write-locks';
import { type NewTask, type Task } from '../tasks/task';
import { type Advance } from '../tasks/task-advance';
import { BUCKET_MS, dueSlot, shardOf } from '../tasks/task-shard';
import {
  definitionToDoc,
  dueFields,
  newTaskToDoc,
  type TaskRecord,
  taskFromDoc,
  uniqKey,
  finishedBucket,
  setAndUnset,
  stripUndefined,
} from './task.mapper';
import { TaskAdvanceWrites } from './mongo-task-advances';
import { TaskFleetQueries } from './mongo-task-fleet.queries';
import { searchQuery, searchTasks } from './task-search.query';
import { TaskDoc } from './task.schema';
import {
  DuplicateKeyError,
  type TaskCount,
  type TaskPage,
  type TaskReplacement,
  type TaskSearchFilter,
  type TaskSearchPosition,
  type TaskSearchSort,
  TasksRepository,
} from './tasks.repository';

const LIVE = { status: { $ne: 'deleted' as TaskStatus } };
const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

@Injectable()
export class MongoTasksRepository extends TasksRepository {
  constructor(
    @InjectModel(TaskDoc.name) private readonly tasks: Model<TaskDoc>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly locks: TaskWriteLocks,
  ) {
    super();
    this.advances = new TaskAdvanceWrites(tasks, locks, config.retention.bucketMs);
    this.fleet = new TaskFleetQueries(tasks);
  }

  /** The dispatcher's write-back (mongo-task-advances.ts). */
  private readonly advances: TaskAdvanceWrites;
  /** Whole-collection counts and retention deletes (mongo-task-fleet.queries.ts). */
  private readonly fleet: TaskFleetQueries;

  /**
   * Concurrent single inserts (one per POST /v1/api/task) go to the database together, as one
   * insertMany per round trip: a lone create still takes one round trip.
   */
  private readonly inserts = new GroupCommit<NewTask, Task>((tasks) => this.insertMany(tasks), {
    maxBatch: 256,
    maxInFlight: 2,
  });

  /** @throws DuplicateKeyError when a live task holds the key. */
  insert(task: NewTask): Promise<Task> {
    return this.inserts.submit(task);
  }

  async insertMany(tasks: NewTask[]): Promise<(Task | Error)[]> {
    // The driver refuses an empty batch (a request whose every item failed validation).
    if (tasks.length === 0) return [];
    const docs = tasks.map((task) => {
      const _id = new Types.ObjectId();
      const id = _id.toHexString();
      return stripUndefined({
        _id,
        ...newTaskToDoc(id, shardOf(id, this.config.dispatch.shards), task),
      });
    });
    // In key order: two requests inserting the same keys meet on the first one, instead of
    // each holding a key the other waits for (a deadlock on FerretDB/PostgreSQL).
    const order = docs
      .map((_, i) => i)
      .sort((a, b) => compare(docs[a]!.uniq_key, docs[b]!.uniq_key));
    const failed = new Map<number, Error>();
    try {
      await this.tasks.collection.insertMany(
        order.map((i) => docs[i]!),
        { ordered: false },
      );
    } catch (err) {
      if (!(err instanceof mongo.MongoBulkWriteError)) throw err;
      for (const e of [err.writeErrors].flat()) {
        const i = order[e.index]!;
        failed.set(
          i,
          isDuplicateKeyWrite(e)
            ? new DuplicateKeyError(`key "${tasks[i]!.key}" is taken`)
            : new Error(`insert failed: ${e.errmsg ?? e.code}`),
        );
      }
    }
    return docs.map((doc, i) => failed.get(i) ?? taskFromDoc(doc));
  }

  async findById(id: string): Promise<Task | null> {
    if (!Types.ObjectId.isValid(id)) return null;
    const doc = await this.tasks
      .findOne({ _id: new Types.ObjectId(id), ...LIVE })
      .lean<TaskRecord>();
    return doc && taskFromDoc(doc);
  }

  async findByIds(ids: string[]): Promise<Map<string, Task>> {
    const found = await inSmallGroups([...new Set(ids)], (id) => this.findById(id));
    return new Map(found.flatMap((t) => (t ? [[t.id, t] as const] : [])));
  }

  async knownIds(ids: string[]): Promise<Set<string>> {
    const valid = [...new Set(ids)].filter((id) => Types.ObjectId.isValid(id));
    // One `_id` lookup each (see markDeleted), with no status filter: a deleted task is known.
    const found = await inSmallGroups(valid, (id) =>
      this.tasks
        .findOne({ _id: new Types.ObjectId(id) }, { _id: 1 })
        .lean<{ _id: Types.ObjectId }>(),
    );
    return new Set(found.flatMap((doc) => (doc ? [doc._id.toHexString()] : [])));
  }

  async findByKey(key: string): Promise<Task | null> {
    const doc = await this.tasks
      .findOne({ uniq_key: uniqKey('', key), ...LIVE })
      .lean<TaskRecord>();
    return doc && taskFromDoc(doc);
  }

  async listByName(name: string, limit: number, cursor?: string): Promise<TaskPage> {
    const filter = { name, ...LIVE, ...(cursor && { _id: { $lt: new Types.ObjectId(cursor) } }) };
    const docs = await this.tasks
      .find(filter)
      .sort({ _id: -1 })
      .limit(limit + 1)
      .lean<TaskRecord[]>();
    const page = docs.slice(0, limit).map(taskFromDoc);
    return { tasks: page, nextCursor: docs.length > limit ? (page.at(-1)?.id ?? null) : null };
  }

  /** See task-search.query.ts: the pages come in the order of the search indexes. */
  search(
    filter: TaskSearchFilter,
    sort: TaskSearchSort,
    limit: number,
    after?: TaskSearchPosition,
  ): Promise<Task[]> {
    return searchTasks((q, order, n) => this.findSorted(q, order, n), filter, sort, limit, after);
  }

  countMatching(filter: TaskSearchFilter, limit: number): Promise<number> {
    return this.tasks.countDocuments(searchQuery(filter), { limit }).exec();
  }

  private async findSorted(
    filter: FilterQuery<TaskDoc>,
    sort: Record<string, 1 | -1>,
    limit: number,
  ): Promise<Task[]> {
    const docs = await this.tasks.find(filter).sort(sort).limit(limit).lean<TaskRecord[]>();
    return docs.map(taskFromDoc);
  }

  async markDeleted(ids: string[], now: number): Promise<string[]> {
    const objectIds = [...new Set(ids)]
      .filter((id) => Types.ObjectId.isValid(id))
      .map((id) => new Types.ObjectId(id));
    // One `_id` lookup per task (with `_id: {$in}` and 1,000,000 tasks stored, deleting 1,000
    // tasks 10 at a time did not finish in 2 minutes on FerretDB).
    const found = await inSmallGroups(objectIds, (_id) =>
      this.tasks.findOne({ _id, ...LIVE }, { _id: 1 }).lean<{ _id: Types.ObjectId }>(),
    );
    return this.deleteLive(
      found.filter((doc) => doc !== null),
      now,
    );
  }

  async markDeletedByName(name: string, now: number): Promise<string[]> {
    const live = await this.tasks
      .find({ name, ...LIVE }, { _id: 1 })
      .lean<{ _id: Types.ObjectId }[]>();
    return this.deleteLive(live, now);
  }

  /**
   * Deletes per document so that each live task is reported once and its key is freed in
   * the same atomic write (`uniq_key` falls back to the id form).
   */
  private async deleteLive(live: { _id: Types.ObjectId }[], now: number): Promise<string[]> {
    if (live.length === 0) return [];
    const ids = live.map(({ _id }) => _id.toHexString());
    // A chunk at a time, each under its own locks: a lock is held for one small write only.
    for (let k = 0; k < live.length; k += MAX_BULK_OPS) {
      const part = live.slice(k, k + MAX_BULK_OPS);
      await this.locks.withLocks(
        part.map(({ _id }) => _id.toHexString()),
        () =>
          this.tasks.bulkWrite(
            part.map(({ _id }) => ({
              updateOne: {
                filter: { _id, ...LIVE },
                update: {
                  $set: {
                    status: 'deleted',
                    uniq_key: uniqKey(_id.toHexString(), undefined),
                    next_run_at: null,
                    due_at: null,
                    due_slot: null,
                    manual_runs: [],
                    deleted_at: now,
                    updated_at: now,
                    ...finishedBucket('deleted', now, this.config.retention.bucketMs),
                  },
                  $inc: { version: 1 },
                },
              },
            })),
            { ordered: false },
          ),
      );
    }
    return ids;
  }

  async replace(
    id: string,
    version: number,
    next: TaskReplacement,
    now: number,
  ): Promise<Task | null> {
    if (!Types.ObjectId.isValid(id)) return null;
    return this.locks.withLocks([id], () => this.replaceLocked(id, version, next, now));
  }

  private async replaceLocked(
    id: string,
    version: number,
    next: TaskReplacement,
    now: number,
  ): Promise<Task | null> {
    const current = await this.findById(id);
    if (!current || current.version !== version) return null;
    const { $set, $unset } = setAndUnset(definitionToDoc(next));
    const finished = finishedBucket(next.status, now, this.config.retention.bucketMs);
    Object.assign($set, {
      uniq_key: uniqKey(id, next.key),
      status: next.status,
      next_run_at: next.nextRunAt,
      ...dueFields(current.shard, next.status, next.nextRunAt, current.manualRuns),
      updated_at: now,
      ...finished,
    });
    // A completed task rescheduled into the future is live again: out of the purge's reach.
    if (!finished) $unset.rb = '';
    try {
      const doc = await this.tasks
        .findOneAndUpdate(
          { _id: new Types.ObjectId(id), version, ...LIVE },
          { $set, ...(Object.keys($unset).length > 0 && { $unset }), $inc: { version: 1 } },
          { new: true },
        )
        .lean<TaskRecord>();
      return doc && taskFromDoc(doc);
    } catch (err) {
      if (isDuplicateKey(err)) throw new DuplicateKeyError(`key "${next.key}" is taken`);
      throw err;
    }
  }

  async transition(
    id: string,
    from: TaskStatus,
    to: TaskStatus,
    nextRunAt: number | null,
    now: number,
  ): Promise<Task | null> {
    return this.locks.withLocks([id], () => this.transitionLocked(id, from, to, nextRunAt, now));
  }

  private async transitionLocked(
    id: string,
    from: TaskStatus,
    to: TaskStatus,
    nextRunAt: number | null,
    now: number,
  ): Promise<Task | null> {
    const current = await this.findById(id);
    if (!current || current.status !== from) return null;
    const finished = finishedBucket(to, now, this.config.retention.bucketMs);
    const doc = await this.tasks
      .findOneAndUpdate(
        { _id: new Types.ObjectId(id), status: from },
        {
          $set: {
            status: to,
            next_run_at: nextRunAt,
            ...dueFields(current.shard, to, nextRunAt, current.manualRuns),
            updated_at: now,
            ...finished,
          },
          ...(!finished && { $unset: { rb: '' } }),
          $inc: { version: 1 },
        },
        { new: true },
      )
      .lean<TaskRecord>();
    return doc && taskFromDoc(doc);
  }

  async addManualRun(id: string, at: number, now: number): Promise<Task | null> {
    return this.locks.withLocks([id], () => this.addManualRunLocked(id, at, now));
  }

  private async addManualRunLocked(id: string, at: number, now: number): Promise<Task | null> {
    const current = await this.findById(id);
    if (!current || current.status !== 'active') return null;
    // Computed from a read: a concurrent advance can only make this due time early, and an
    // early wake-up of the dispatcher finds nothing due and re-reads the task.
    const doc = await this.tasks
      .findOneAndUpdate(
        { _id: new Types.ObjectId(id), status: 'active' },
        {
          $push: { manual_runs: at },
          $set: {
            ...dueFields(current.shard, 'active', current.nextRunAt, [...current.manualRuns, at]),
            updated_at: now,
          },
          // A new version: the dispatcher takes this copy over the one it holds in memory.
          $inc: { version: 1 },
        },
        { new: true },
      )
      .lean<TaskRecord>();
    return doc && taskFromDoc(doc);
  }

  async dueInSlot(shard: number, bucket: number): Promise<Task[]> {
    const slot = dueSlot(shard, bucket * BUCKET_MS);
    const docs = await this.tasks.find({ due_slot: slot }).lean<TaskRecord[]>();
    return docs.map(taskFromDoc);
  }

  async dueBy(shard: number, until: number, limit: number): Promise<Task[]> {
    const docs = await this.tasks
      .find({ shard, due_at: { $ne: null, $lte: until } })
      .sort({ due_at: 1 })
      .limit(limit)
      .lean<TaskRecord[]>();
    return docs.map(taskFromDoc);
  }

  advance(advances: Advance[]): Promise<Advance[]> {
    return this.advances.write(advances);
  }

  countByTypeAndStatus(): Promise<TaskCount[]> {
    return this.fleet.countByTypeAndStatus();
  }

  activeNames(): Promise<string[]> {
    return this.fleet.activeNames();
  }

  hasActiveHttpTargets(): Promise<boolean> {
    return this.fleet.hasActiveHttpTargets();
  }

  countDueBy(now: number): Promise<number> {
    return this.fleet.countDueBy(now);
  }

  deleteFinishedBucket(rb: number): Promise<number> {
    return this.fleet.deleteFinishedBucket(rb);
  }

  oldestFinishedBucket(): Promise<number | null> {
    return this.fleet.oldestFinishedBucket();
  }
}
