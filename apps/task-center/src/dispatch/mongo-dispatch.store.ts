import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { type AnyBulkWriteOperation, type Model, Types } from 'mongoose';
import { MAX_BULK_OPS } from '../database/bulk-write';
import { isDuplicateKey } from '../database/duplicate-key';
import { type Task } from '../tasks/task';
import { dueFields, type TaskRecord, taskFromDoc } from '../tasks/task.mapper';
import { TaskDoc } from '../tasks/task.schema';
import { dueSlot } from '../tasks/task-shard';
import { TaskWriteLocks } from '../tasks/task-write-locks';
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
    // One _id lookup each: the only filter every FerretDB backend pushes down.
    const docs = await Promise.all(
      ids
        .filter((id) => Types.ObjectId.isValid(id))
        .map((id) => this.tasks.findById(id).lean<TaskRecord>()),
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
        update: this.advanceUpdate(a.before, a.nextRunAt, a.manualRuns, a),
      },
    }));
    // A chunk at a time, each under its own locks: a lock is held for one small write only.
    for (let i = 0; i < advances.length; i += MAX_BULK_OPS) {
      const part = advances.slice(i, i + MAX_BULK_OPS);
      await this.locks.withLocks(
        part.map((a) => a.before.id),
        async () => {
          const result = await this.tasks.bulkWrite(ops.slice(i, i + MAX_BULK_OPS), {
            ordered: false,
          });
          // Some tasks changed meanwhile (an API update, a run-now): merge those one by one.
          if (result.matchedCount < part.length) {
            for (const a of part) await this.reconcile(a);
          }
        },
      );
    }
  }

  private advanceUpdate(base: Task, nextRunAt: number | null, manualRuns: number[], a: Advance) {
    const done = nextRunAt === null && manualRuns.length === 0;
    const status = done && base.status === 'active' ? 'completed' : base.status;
    return {
      $set: {
        status,
        next_run_at: nextRunAt,
        manual_runs: manualRuns,
        ...dueFields(base.shard, status, nextRunAt, manualRuns),
        last_run_at: a.lastRunAt,
        updated_at: a.now,
      },
      $inc: { run_count: a.fired },
    };
  }

  /**
   * Applies one advance on top of whatever the task is now: the fires happened, so they
   * count; our next slot stands unless the API rescheduled the task in between.
   */
  private async reconcile(a: Advance): Promise<void> {
    const firedManual = new Set(a.before.manualRuns.filter((at) => !a.manualRuns.includes(at)));
    for (let attempt = 0; attempt < 5; attempt++) {
      const doc = await this.tasks.findById(a.before.id).lean<TaskRecord>();
      if (!doc || doc.status === 'deleted') return;
      const now = taskFromDoc(doc);
      const applied = now.lastRunAt === a.lastRunAt && now.runCount >= a.before.runCount + a.fired;
      if (applied) return;
      // Same version (no API change) but already past our slot: another advance counted this
      // slot, and ours was a re-publish of it (same message id). Counting it again would make
      // run_count exceed the fires of the schedule.
      const movedOn =
        now.nextRunAt === null ||
        (a.before.nextRunAt !== null && now.nextRunAt > a.before.nextRunAt);
      if (doc.version === a.before.version && movedOn) return;
      const rescheduled = now.nextRunAt !== a.before.nextRunAt;
      const nextRunAt = rescheduled ? now.nextRunAt : a.nextRunAt;
      const manualRuns = now.manualRuns.filter((at) => !firedManual.has(at));
      const result = await this.tasks.updateOne(
        {
          _id: doc._id,
          version: doc.version,
          next_run_at: doc.next_run_at,
          manual_runs: doc.manual_runs,
        },
        this.advanceUpdate(now, nextRunAt, manualRuns, a),
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
