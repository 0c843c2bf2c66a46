import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { type AnyBulkWriteOperation, type Model, Types } from 'mongoose';
import { inSmallGroups, MAX_BULK_OPS } from '../database/bulk-write';
import { isDuplicateKey } from '../database/duplicate-key';
import { type Task } from '../tasks/task';
import { dueFields, type TaskRecord, taskFromDoc } from '../tasks/task.mapper';
import { TaskDoc } from '../tasks/task.schema';
import { dueSlot } from '../tasks/task-shard';
import { TaskWriteLocks } from '../tasks/task-write-locks';
import { advanced, merged } from './advance';
import { type Advance, DispatchStore, type FireRecord } from './dispatch.store';
import { FireDoc } from './fire.schema';

@Injectable()
export class MongoDispatchStore extends DispatchStore {
  constructor(
    @InjectModel(TaskDoc.name) private readonly tasks: Model<TaskDoc>,
    @InjectModel(FireDoc.name) private readonly fires: Model<FireDoc>,
    private readonly locks: TaskWriteLocks,
  ) {
    super();
  }

  async dueInSlot(shard: number, bucket: number): Promise<Task[]> {
    const slot = dueSlot(shard, bucket * 1000);
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

  async byIds(ids: string[]): Promise<Task[]> {
    const docs = await inSmallGroups(
      ids.filter((id) => Types.ObjectId.isValid(id)),
      (id) => this.tasks.findById(id).lean<TaskRecord>(),
    );
    return docs.filter((d): d is TaskRecord => d !== null).map(taskFromDoc);
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
        update: this.updateTo(advanced(a), a),
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

  /** The write that takes a task to `target`: run_count moves by the fires, the rest is set. */
  private updateTo(target: Task, a: Advance) {
    return {
      $set: {
        status: target.status,
        next_run_at: target.nextRunAt,
        manual_runs: target.manualRuns,
        ...dueFields(target.shard, target.status, target.nextRunAt, target.manualRuns),
        last_run_at: target.lastRunAt,
        updated_at: a.now,
      },
      $inc: { run_count: a.fired },
    };
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
        this.updateTo(target, a),
      );
      if (result.matchedCount === 1) return;
    }
  }

  async recordFires(records: FireRecord[]): Promise<void> {
    if (records.length === 0) return;
    try {
      await this.fires.collection.insertMany(
        records.map((r) => ({
          _id: r.messageId as unknown as Types.ObjectId,
          task_id: r.taskId,
          name: r.name,
          scheduled_at: r.scheduledAt,
          published_at: r.publishedAt,
          attempt: r.attempt,
          manual: r.manual,
          status: 'dispatched',
        })),
        { ordered: false },
      );
    } catch (err) {
      // A re-published fire already has its record: duplicates are expected, nothing else.
      if (!isDuplicateKey(err)) throw err;
    }
  }
}
