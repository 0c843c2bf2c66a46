import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { type Model } from 'mongoose';
import { inSmallGroups } from '../database/bulk-write';
import { insertIgnoringDuplicates } from '../database/duplicate-key';
import { type RunEvent, type RunEventKind } from '../runs/run-records';
import { RunEventDoc } from './run-event.schema';
import { type RunCount, RunEventsRepository } from './run-events.repository';

function eventToDoc(e: RunEvent): RunEventDoc {
  return {
    _id: e.id,
    kind: e.kind,
    message_id: e.messageId,
    task_id: e.taskId,
    name: e.name,
    scheduled_at: e.scheduledAt,
    attempt: e.attempt,
    at: e.at,
    day: e.day,
    ...(e.error !== undefined && { error: e.error }),
    ...(e.startedAt !== undefined && { started_at: e.startedAt }),
    ...(e.durationMs !== undefined && { duration_ms: e.durationMs }),
    ...(e.worker !== undefined && { worker: e.worker }),
  };
}

function eventFromDoc(d: RunEventDoc): RunEvent {
  return {
    id: d._id,
    kind: d.kind as RunEventKind,
    messageId: d.message_id,
    taskId: d.task_id,
    name: d.name,
    scheduledAt: d.scheduled_at,
    attempt: d.attempt,
    at: d.at,
    day: d.day,
    ...(d.error != null && { error: d.error }),
    ...(d.started_at != null && { startedAt: d.started_at }),
    ...(d.duration_ms != null && { durationMs: d.duration_ms }),
    ...(d.worker != null && { worker: d.worker }),
  };
}

/**
 * Inserts and `_id` lookups on the hot path. `between` (index `{task_id, scheduled_at}`) and
 * `countsOfDay` (index `{day, name}`) are ranges: index reads on MongoDB, scans on FerretDB's
 * SQLite backend; only the runs API calls them.
 */
@Injectable()
export class MongoRunEventsRepository extends RunEventsRepository {
  constructor(@InjectModel(RunEventDoc.name) private readonly events: Model<RunEventDoc>) {
    super();
  }

  async insert(events: RunEvent[]): Promise<void> {
    await insertIgnoringDuplicates(this.events, events.map(eventToDoc));
  }

  async existing(ids: string[]): Promise<Set<string>> {
    const found = await inSmallGroups(ids, (_id) =>
      this.events.findOne({ _id }, { _id: 1 }).lean<{ _id: string }>(),
    );
    return new Set(found.flatMap((d) => (d ? [d._id] : [])));
  }

  async between(taskId: string, from: number, to: number): Promise<RunEvent[]> {
    const docs = await this.events
      .find({ task_id: taskId, scheduled_at: { $gte: from, $lte: to } })
      .lean<RunEventDoc[]>();
    return docs.map(eventFromDoc);
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
}
