import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { type Model } from 'mongoose';
import { inSmallGroups } from '../database/bulk-write';
import { isDuplicateKey } from '../database/duplicate-key';
import { FireDoc } from '../dispatch/fire.schema';
import { dueSlot } from '../tasks/task-shard';
import {
  type DeadLetter,
  type PublishedAttempt,
  type RunEvent,
  type RunEventKind,
  type RunTimer,
  type RunTimerKind,
} from './run-records';
import { RunStore } from './run.store';
import { DeadLetterDoc, RunEventDoc, RunTimerDoc } from './run.schemas';

/** insertMany, unordered, where an existing `_id` is the expected, harmless case. */
async function insertIgnoringDuplicates<T>(model: Model<T>, docs: object[]): Promise<void> {
  if (docs.length === 0) return;
  try {
    await model.collection.insertMany(docs, { ordered: false });
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
  }
}

export function eventToDoc(e: RunEvent): RunEventDoc {
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

export function eventFromDoc(d: RunEventDoc): RunEvent {
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

export function attemptFromDoc(d: FireDoc): PublishedAttempt {
  return {
    messageId: d._id,
    taskId: d.task_id,
    name: d.name,
    scheduledAt: d.scheduled_at,
    attempt: d.attempt,
    publishedAt: d.published_at,
    manual: d.manual,
  };
}

function deadFromDoc(d: DeadLetterDoc): DeadLetter {
  return {
    messageId: d._id,
    taskId: d.task_id,
    name: d.name,
    scheduledAt: d.scheduled_at,
    attempt: d.attempt,
    lastError: d.last_error,
    deadAt: d.dead_at,
    topic: d.topic,
    headers: d.headers,
  };
}

/**
 * Every method is an insert with a deterministic `_id`, an `_id` lookup or an `_id` delete
 * (FerretDB pushes `_id` equality down on every backend), except `timersDueBy`, a range that
 * FerretDB's SQLite backend answers by scanning `run_timers`; it runs only when this replica
 * takes a shard, and the collection holds only pending timers.
 */
@Injectable()
export class MongoRunStore extends RunStore {
  constructor(
    @InjectModel(RunEventDoc.name) private readonly events: Model<RunEventDoc>,
    @InjectModel(RunTimerDoc.name) private readonly timers: Model<RunTimerDoc>,
    @InjectModel(DeadLetterDoc.name) private readonly dead: Model<DeadLetterDoc>,
    @InjectModel(FireDoc.name) private readonly fires: Model<FireDoc>,
  ) {
    super();
  }

  async insertEvents(events: RunEvent[]): Promise<void> {
    await insertIgnoringDuplicates(this.events, events.map(eventToDoc));
  }

  async existingEvents(ids: string[]): Promise<Set<string>> {
    const found = await inSmallGroups(ids, (_id) =>
      this.events.findOne({ _id }, { _id: 1 }).lean<{ _id: string }>(),
    );
    return new Set(found.flatMap((d) => (d ? [d._id] : [])));
  }

  async claimTimers(timers: RunTimer[]): Promise<RunTimer[]> {
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

  async timersInSlot(shard: number, second: number): Promise<RunTimer[]> {
    const docs = await this.timers
      .find({ due_slot: dueSlot(shard, second * 1000) })
      .lean<RunTimerDoc[]>();
    return docs.map(timerFromDoc);
  }

  async timersDueBy(shard: number, until: number, limit: number): Promise<RunTimer[]> {
    const docs = await this.timers
      .find({ shard, due_at: { $lte: until } })
      .sort({ due_at: 1 })
      .limit(limit)
      .lean<RunTimerDoc[]>();
    return docs.map(timerFromDoc);
  }

  async deleteTimers(ids: string[]): Promise<void> {
    // One single-statement delete by `_id` each, at most MAX_BULK_OPS at once: stays far
    // from FerretDB's pool limit (see database/bulk-write.ts) and each is an `_id` lookup.
    await inSmallGroups(ids, (_id) => this.timers.deleteOne({ _id }));
  }

  async recordAttempts(attempts: PublishedAttempt[]): Promise<void> {
    await insertIgnoringDuplicates(
      this.fires,
      attempts.map((a) => ({
        _id: a.messageId,
        task_id: a.taskId,
        name: a.name,
        scheduled_at: a.scheduledAt,
        published_at: a.publishedAt,
        attempt: a.attempt,
        manual: a.manual,
        status: 'dispatched',
      })),
    );
  }

  async attempt(messageId: string): Promise<PublishedAttempt | null> {
    const doc = await this.fires.findOne({ _id: messageId }).lean<FireDoc>();
    return doc ? attemptFromDoc(doc) : null;
  }

  async insertDeadLetter(d: DeadLetter): Promise<void> {
    await insertIgnoringDuplicates(this.dead, [
      {
        _id: d.messageId,
        task_id: d.taskId,
        name: d.name,
        scheduled_at: d.scheduledAt,
        attempt: d.attempt,
        last_error: d.lastError,
        dead_at: d.deadAt,
        topic: d.topic,
        headers: d.headers,
      },
    ]);
  }

  async deadLetter(messageId: string): Promise<DeadLetter | null> {
    const doc = await this.dead.findOne({ _id: messageId }).lean<DeadLetterDoc>();
    return doc ? deadFromDoc(doc) : null;
  }

  async deleteDeadLetter(messageId: string): Promise<void> {
    await this.dead.deleteOne({ _id: messageId });
  }
}

export { deadFromDoc };
