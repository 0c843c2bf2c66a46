import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { type Model } from 'mongoose';
import { FireDoc } from '../dispatch/fire.schema';
import { TaskDoc } from '../tasks/task.schema';
import { type PublishedAttempt, type RunEvent } from './run-records';
import { type DeadLetterPage, type RunCount, RunHistoryReader } from './run.store';
import { DeadLetterDoc, RunEventDoc, RunTimerDoc } from './run.schemas';
import { attemptFromDoc, deadFromDoc, eventFromDoc } from './mongo-run.store';

/**
 * Reads for the API. Honest costs: on MongoDB each query is an index range
 * (`fires`/`run_events` by `{task_id, scheduled_at}`, dead letters by `{dead_at, _id}`, stats by
 * `{day, name}`). FerretDB v1's SQLite backend pushes down only `_id` equality, so there every
 * method here scans its collection: fine for an operator's page view, not for a hot path
 * (nothing in dispatch or redelivery calls this class).
 */
@Injectable()
export class MongoRunHistoryReader extends RunHistoryReader {
  constructor(
    @InjectModel(FireDoc.name) private readonly fires: Model<FireDoc>,
    @InjectModel(RunEventDoc.name) private readonly events: Model<RunEventDoc>,
    @InjectModel(RunTimerDoc.name) private readonly timers: Model<RunTimerDoc>,
    @InjectModel(DeadLetterDoc.name) private readonly dead: Model<DeadLetterDoc>,
    @InjectModel(TaskDoc.name) private readonly tasks: Model<TaskDoc>,
  ) {
    super();
  }

  async fireTimes(taskId: string, limit: number, before?: number): Promise<number[]> {
    // Attempt 1 of every fire is recorded by the dispatcher: one row per fire.
    const docs = await this.fires
      .find({
        task_id: taskId,
        attempt: 1,
        ...(before !== undefined && { scheduled_at: { $lt: before } }),
      })
      .sort({ scheduled_at: -1 })
      .limit(limit)
      .select({ scheduled_at: 1 })
      .lean<{ scheduled_at: number }[]>();
    return docs.map((d) => d.scheduled_at);
  }

  async firesBetween(
    taskId: string,
    from: number,
    to: number,
  ): Promise<{ attempts: PublishedAttempt[]; events: RunEvent[] }> {
    const filter = { task_id: taskId, scheduled_at: { $gte: from, $lte: to } };
    const [attempts, events] = await Promise.all([
      this.fires.find(filter).lean<FireDoc[]>(),
      this.events.find(filter).lean<RunEventDoc[]>(),
    ]);
    return { attempts: attempts.map(attemptFromDoc), events: events.map(eventFromDoc) };
  }

  async deadLetters(limit: number, cursor?: string): Promise<DeadLetterPage> {
    let filter = {};
    if (cursor) {
      const dot = cursor.indexOf('.');
      const at = Number(cursor.slice(0, dot));
      const id = cursor.slice(dot + 1);
      filter = { $or: [{ dead_at: { $lt: at } }, { dead_at: at, _id: { $lt: id } }] };
    }
    const docs = await this.dead
      .find(filter)
      .sort({ dead_at: -1, _id: -1 })
      .limit(limit + 1)
      .lean<DeadLetterDoc[]>();
    const items = docs.slice(0, limit).map(deadFromDoc);
    const last = items.at(-1);
    return {
      items,
      nextCursor: docs.length > limit && last ? `${last.deadAt}.${last.messageId}` : null,
    };
  }

  async countsOfDay(day: string): Promise<RunCount[]> {
    const rows = await this.events.aggregate<{
      _id: { name: string; kind: RunCount['kind'] };
      count: number;
    }>([
      { $match: { day } },
      { $group: { _id: { name: '$name', kind: '$kind' }, count: { $sum: 1 } } },
    ]);
    return rows.map((r) => ({ name: r._id.name, kind: r._id.kind, count: r.count }));
  }

  async backlog(now: number): Promise<{ tasks: number; redeliveries: number }> {
    const [tasks, redeliveries] = await Promise.all([
      this.tasks.countDocuments({ status: 'active', due_at: { $ne: null, $lte: now } }),
      this.timers.countDocuments({ kind: 'redeliver', due_at: { $lte: now } }),
    ]);
    return { tasks, redeliveries };
  }
}
