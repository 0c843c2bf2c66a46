import { type AnyBulkWriteOperation, type Model, Types } from 'mongoose';
import { MAX_BULK_OPS } from '../database/bulk-write';
import { type TaskWriteLocks } from '../database/ferretdb/task-write-locks';
import { type Advance, advanced, merged, superseded } from '../tasks/task-advance';
import { advanceUpdate, type TaskRecord, taskFromDoc } from './task.mapper';
import { type TaskDoc } from './task.schema';

/**
 * The dispatcher's write-back of task advances (`TasksRepository.advance`): conditional on the
 * version it planned from, in small locked chunks, merged one by one where the task changed.
 */
export class TaskAdvanceWrites {
  constructor(
    private readonly tasks: Model<TaskDoc>,
    private readonly locks: TaskWriteLocks,
    /** RETENTION_BUCKET_S in ms: a task that completes gets its retention bucket. */
    private readonly bucketMs: number,
  ) {}

  /** Writes the advances; returns those another advance of the same version superseded. */
  async write(advances: Advance[]): Promise<Advance[]> {
    const superseded: Advance[] = [];
    if (advances.length === 0) return superseded;
    const ops: AnyBulkWriteOperation<TaskDoc>[] = advances.map((a) => ({
      updateOne: {
        filter: {
          _id: new Types.ObjectId(a.before.id),
          version: a.before.version,
          next_run_at: a.before.nextRunAt,
          manual_runs: a.before.manualRuns,
        },
        update: advanceUpdate(advanced(a), a, this.bucketMs),
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
        superseded.push(
          ...(await this.writeChunk(advances.slice(i, i + size), ops.slice(i, i + size))),
        );
      }
    };
    await Promise.all([writer(), writer()]);
    return superseded;
  }

  private async writeChunk(
    part: Advance[],
    ops: AnyBulkWriteOperation<TaskDoc>[],
  ): Promise<Advance[]> {
    return this.locks.withLocks(
      part.map((a) => a.before.id),
      async () => {
        const superseded: Advance[] = [];
        const result = await this.tasks.bulkWrite(ops, { ordered: false });
        // Some tasks changed meanwhile (an API update, a run-now, another advance): merge
        // those one by one.
        if (result.matchedCount < part.length) {
          for (const a of part) if (!(await this.reconcile(a))) superseded.push(a);
        }
        return superseded;
      },
    );
  }

  /**
   * Applies one advance on top of whatever the task is now (see `merged`); false when another
   * advance of the same version superseded it (see `superseded`).
   */
  private async reconcile(a: Advance): Promise<boolean> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const doc = await this.tasks.findById(a.before.id).lean<TaskRecord>();
      if (!doc) return true;
      const current = taskFromDoc(doc);
      const target = merged(current, a);
      if (!target) return !superseded(current, a);
      const result = await this.tasks.updateOne(
        {
          _id: doc._id,
          version: doc.version,
          next_run_at: doc.next_run_at,
          manual_runs: doc.manual_runs,
        },
        advanceUpdate(target, a, this.bucketMs),
      );
      if (result.matchedCount === 1) return true;
    }
    return true;
  }
}
