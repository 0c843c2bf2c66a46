import { Inject, Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { type TaskStatus } from '@task-center/contracts';
import { type AnyBulkWriteOperation, type FilterQuery, type Model, Types } from 'mongoose';
import { APP_CONFIG, type AppConfig } from '../config';
import { inSmallGroups, MAX_BULK_OPS } from '../database/bulk-write';
import { isDuplicateKey } from '../database/duplicate-key';
import { TaskWriteLocks } from '../database/ferretdb/task-write-locks';
import { type NewTask, type Task } from '../tasks/task';
import { type Advance, advanced, merged } from '../tasks/task-advance';
import { BUCKET_MS, dueSlot, shardOf } from '../tasks/task-shard';
import {
  definitionToDoc,
  dueFields,
  newTaskToDoc,
  type TaskRecord,
  taskFromDoc,
  uniqKey,
  advanceUpdate,
  finishedBucket,
  setAndUnset,
  stripUndefined,
} from './task.mapper';
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

@Injectable()
export class MongoTasksRepository extends TasksRepository {
  constructor(
    @InjectModel(TaskDoc.name) private readonly tasks: Model<TaskDoc>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly locks: TaskWriteLocks,
  ) {
    super();
  }

  async insert(task: NewTask): Promise<Task> {
    const _id = new Types.ObjectId();
    const id = _id.toHexString();
    const doc = { _id, ...newTaskToDoc(id, shardOf(id, this.config.dispatch.shards), task) };
    try {
      await this.tasks.collection.insertOne(stripUndefined(doc));
    } catch (err) {
      if (isDuplicateKey(err)) throw new DuplicateKeyError(`key "${task.key}" is taken`);
      throw err;
    }
    return taskFromDoc(doc);
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

  async advance(advances: Advance[]): Promise<void> {
    if (advances.length === 0) return;
    const ops: AnyBulkWriteOperation<TaskDoc>[] = advances.map((a) => ({
      updateOne: {
        filter: {
          _id: new Types.ObjectId(a.before.id),
          version: a.before.version,
          next_run_at: a.before.nextRunAt,
          manual_runs: a.before.manualRuns,
        },
        update: advanceUpdate(advanced(a), a, this.config.retention.bucketMs),
      },
    }));
    // Small chunks, each under its own locks (a lock is held for one small write only), two
    // at a time: FerretDB runs the statements of one command one after another, and two
    // commands of half the size keep the same MAX_BULK_OPS statements in flight (measured on
    // its PostgreSQL backend: ~550 updates/s one chunk of 16 at a time, ~720/s two of 8).
    const size = MAX_BULK_OPS / 2;
    const chunks: number[] = [];
    for (let i = 0; i < advances.length; i += size) chunks.push(i);
    let next = 0;
    const writer = async () => {
      while (next < chunks.length) {
        const i = chunks[next++]!;
        await this.writeChunk(advances.slice(i, i + size), ops.slice(i, i + size));
      }
    };
    await Promise.all([writer(), writer()]);
  }

  private async writeChunk(part: Advance[], ops: AnyBulkWriteOperation<TaskDoc>[]) {
    await this.locks.withLocks(
      part.map((a) => a.before.id),
      async () => {
        const result = await this.tasks.bulkWrite(ops, { ordered: false });
        // Some tasks changed meanwhile (an API update, a run-now): merge those one by one.
        if (result.matchedCount < part.length) {
          for (const a of part) await this.reconcile(a);
        }
      },
    );
  }

  /** Applies one advance on top of whatever the task is now (see `merged`). */
  private async reconcile(a: Advance): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const doc = await this.tasks.findById(a.before.id).lean<TaskRecord>();
      if (!doc) return;
      const target = merged(taskFromDoc(doc), a);
      if (!target) return;
      const result = await this.tasks.updateOne(
        {
          _id: doc._id,
          version: doc.version,
          next_run_at: doc.next_run_at,
          manual_runs: doc.manual_runs,
        },
        advanceUpdate(target, a, this.config.retention.bucketMs),
      );
      if (result.matchedCount === 1) return;
    }
  }

  async countByTypeAndStatus(): Promise<TaskCount[]> {
    const rows = await this.tasks
      .aggregate<{
        _id: { type: number; status: string };
        count: number;
      }>([{ $group: { _id: { type: '$type', status: '$status' }, count: { $sum: 1 } } }])
      .exec();
    return rows.map((r) => ({ type: r._id.type, status: r._id.status, count: r.count }));
  }

  async activeNames(): Promise<string[]> {
    // `target: null` matches the tasks without one: an equality FerretDB pushes down.
    const names = await this.tasks.distinct('name', { status: 'active', target: null }).exec();
    return names.map(String);
  }

  async hasActiveHttpTargets(): Promise<boolean> {
    const found = await this.tasks
      .findOne({ status: 'active', 'target.type': 'http' }, { _id: 1 })
      .lean()
      .exec();
    return found !== null;
  }

  countDueBy(now: number): Promise<number> {
    return this.tasks.countDocuments({ status: 'active', due_at: { $ne: null, $lte: now } }).exec();
  }

  async deleteFinishedBucket(rb: number): Promise<number> {
    // `rb` is pushed down (equality); the status check, on the few rows found, is a guard:
    // a live task never keeps a bucket, and never is deleted if it somehow did.
    const { deletedCount } = await this.tasks.deleteMany({
      rb,
      status: { $in: ['completed', 'deleted'] satisfies TaskStatus[] },
    });
    return deletedCount;
  }

  async oldestFinishedBucket(): Promise<number | null> {
    const doc = await this.tasks
      .findOne({ rb: { $ne: null } }, { rb: 1 })
      .sort({ rb: 1 })
      .lean<{ rb: number }>();
    return doc?.rb ?? null;
  }
}
