import { Inject, Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { type Model } from 'mongoose';
import { APP_CONFIG, type AppConfig } from '../config';
import { inSmallGroups } from '../database/bulk-write';
import { historyBucket } from '../retention/retention-buckets';
import { insertIgnoringDuplicates } from '../database/duplicate-key';
import {
  type FireKey,
  fireIdOf,
  type RunEvent,
  type RunEventKind,
  utcDay,
} from '../runs/run-records';
import { RunEventDoc } from './run-event.schema';
import { type FailureEvent, type RunCount, RunEventsRepository } from './run-events.repository';

const FAILURE_KINDS: RunEventKind[] = ['failed', 'timeout', 'dead'];
const DAY_MS = 86_400_000;

/** The UTC days (`day` values) that [from, to) ms touches. */
function daysOf(from: number, to: number): string[] {
  const days: string[] = [];
  for (let t = from - (from % DAY_MS); t < to; t += DAY_MS) days.push(utcDay(t));
  return days;
}

function eventToDoc(e: RunEvent, rb: number): RunEventDoc {
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
    rb,
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
 * Inserts and `_id` lookups on the hot path. `between` and `ofFires` (index
 * `{task_id, scheduled_at}`), `countsOfDay` and `failures` (index `{day, name}`) are ranges:
 * index reads on MongoDB, scans on FerretDB's SQLite backend; only the runs API calls them.
 */
@Injectable()
export class MongoRunEventsRepository extends RunEventsRepository {
  constructor(
    @InjectModel(RunEventDoc.name) private readonly events: Model<RunEventDoc>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super();
  }

  async insert(events: RunEvent[]): Promise<void> {
    // The bucket of the fire's scheduled time, as its fire records: they are purged together.
    const { historyMs, bucketMs } = this.config.retention;
    const now = Date.now();
    await insertIgnoringDuplicates(
      this.events,
      events.map((e) => eventToDoc(e, historyBucket(e.scheduledAt, now, historyMs, bucketMs))),
    );
  }

  async deleteBucket(rb: number): Promise<number> {
    const { deletedCount } = await this.events.deleteMany({ rb });
    return deletedCount;
  }

  async oldestBucket(): Promise<number | null> {
    const doc = await this.events
      .findOne({ rb: { $ne: null } }, { rb: 1 })
      .sort({ rb: 1 })
      .lean<{ rb: number }>();
    return doc?.rb ?? null;
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

  async ofFires(fires: FireKey[]): Promise<RunEvent[]> {
    if (fires.length === 0) return [];
    const times = fires.map((f) => f.scheduledAt);
    const docs = await this.events
      .find({
        task_id: { $in: [...new Set(fires.map((f) => f.taskId))] },
        scheduled_at: { $gte: Math.min(...times), $lte: Math.max(...times) },
      })
      .lean<RunEventDoc[]>();
    const wanted = new Set(fires.map((f) => fireIdOf(f.taskId, f.scheduledAt)));
    return docs.filter((d) => wanted.has(fireIdOf(d.task_id, d.scheduled_at))).map(eventFromDoc);
  }

  async *failures(from: number, to: number): AsyncIterable<FailureEvent> {
    // `day` (of `at`) is indexed already: the window's few days bound the index range on
    // MongoDB, `at` and `kind` are checked on the fetched events of those days.
    const cursor = this.events
      .find({
        day: { $in: daysOf(from, to) },
        at: { $gte: from, $lt: to },
        kind: { $in: FAILURE_KINDS },
      })
      .select({ kind: 1, message_id: 1, task_id: 1, name: 1, scheduled_at: 1, at: 1, error: 1 })
      .lean<RunEventDoc[]>()
      .cursor({ batchSize: 1000 });
    for await (const doc of cursor) {
      yield {
        kind: doc.kind as RunEventKind,
        messageId: doc.message_id,
        taskId: doc.task_id,
        name: doc.name,
        scheduledAt: doc.scheduled_at,
        at: doc.at,
        ...(doc.error != null && { error: doc.error }),
      };
    }
  }
}
