import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { type Model } from 'mongoose';
import { inSmallGroups } from '../database/bulk-write';
import { isDuplicateKey } from '../database/duplicate-key';
import { type RunTimer, type RunTimerKind } from '../runs/run-records';
import { BUCKET_MS, dueSlot } from '../tasks/task-shard';
import { RunTimerDoc } from './run-timer.schema';
import { RunTimersRepository } from './run-timers.repository';

function timerToDoc(t: RunTimer): RunTimerDoc {
  return {
    _id: t.id,
    kind: t.kind,
    task_id: t.taskId,
    name: t.name,
    scheduled_at: t.scheduledAt,
    attempt: t.attempt,
    due_at: t.dueAt,
    shard: t.shard,
    due_slot: dueSlot(t.shard, t.dueAt)!,
    ...(t.reason !== undefined && { reason: t.reason }),
    ...(t.lastError !== undefined && { last_error: t.lastError }),
    created_at: t.createdAt,
  };
}

function timerFromDoc(d: RunTimerDoc): RunTimer {
  return {
    id: d._id,
    kind: d.kind as RunTimerKind,
    taskId: d.task_id,
    name: d.name,
    scheduledAt: d.scheduled_at,
    attempt: d.attempt,
    dueAt: d.due_at,
    shard: d.shard,
    ...(d.reason != null && { reason: d.reason }),
    ...(d.last_error != null && { lastError: d.last_error }),
    createdAt: d.created_at,
  };
}

/**
 * Inserts with a deterministic `_id`, `_id` deletes and `due_slot` equality (FerretDB pushes
 * these down), except `dueBy`, a range that FerretDB's SQLite backend answers by scanning
 * `run_timers`: it runs only when a replica takes a shard, and the collection holds only
 * pending timers. `countDueBy` scans too; only the run stats ask it.
 */
@Injectable()
export class MongoRunTimersRepository extends RunTimersRepository {
  constructor(@InjectModel(RunTimerDoc.name) private readonly timers: Model<RunTimerDoc>) {
    super();
  }

  async claim(timers: RunTimer[]): Promise<RunTimer[]> {
    // One insert each: the caller must know which claims it won, and an unordered bulk
    // insert does not say so reliably on FerretDB (some duplicates come back as one error).
    const won = await inSmallGroups(timers, async (t) => {
      try {
        await this.timers.collection.insertOne(timerToDoc(t) as never);
        return t;
      } catch (err) {
        if (isDuplicateKey(err)) return undefined;
        throw err;
      }
    });
    return won.filter((t): t is RunTimer => t !== undefined);
  }

  async inSlot(shard: number, bucket: number): Promise<RunTimer[]> {
    const docs = await this.timers
      .find({ due_slot: dueSlot(shard, bucket * BUCKET_MS) })
      .lean<RunTimerDoc[]>();
    return docs.map(timerFromDoc);
  }

  async dueBy(shard: number, until: number, limit: number): Promise<RunTimer[]> {
    const docs = await this.timers
      .find({ shard, due_at: { $lte: until } })
      .sort({ due_at: 1 })
      .limit(limit)
      .lean<RunTimerDoc[]>();
    return docs.map(timerFromDoc);
  }

  async delete(ids: string[]): Promise<void> {
    // One single-statement delete by `_id` each, at most MAX_BULK_OPS at once: stays far
    // from FerretDB's pool limit (see database/bulk-write.ts) and each is an `_id` lookup.
    await inSmallGroups(ids, (_id) => this.timers.deleteOne({ _id }));
  }

  countDueBy(kind: RunTimerKind, now: number): Promise<number> {
    return this.timers.countDocuments({ kind, due_at: { $lte: now } }).exec();
  }
}
