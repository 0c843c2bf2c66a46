import { Inject, Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { type FilterQuery, type Model } from 'mongoose';
import { APP_CONFIG, type AppConfig } from '../config';
import { insertIgnoringDuplicates } from '../database/duplicate-key';
import { historyBucket } from '../retention/retention-buckets';
import { type FireKey, type FireRecord, fireIdOf } from '../runs/run-records';
import { FireDoc } from './fire.schema';
import { type FireSearch, FiresRepository } from './fires.repository';

function fireToDoc(r: FireRecord, rb: number): FireDoc {
  return {
    _id: r.messageId,
    task_id: r.taskId,
    name: r.name,
    scheduled_at: r.scheduledAt,
    published_at: r.publishedAt,
    attempt: r.attempt,
    manual: r.manual,
    status: 'dispatched',
    rb,
  };
}

function fireFromDoc(d: FireDoc): FireRecord {
  return {
    messageId: d._id,
    taskId: d.task_id,
    name: d.name,
    scheduledAt: d.scheduled_at,
    publishedAt: d.published_at,
    attempt: d.attempt,
    manual: d.manual,
  };
}

/**
 * Inserts and `_id` lookups, which FerretDB answers from an index on every backend. The
 * history reads are ranges on `{task_id, scheduled_at}`: an index range on MongoDB, a scan
 * on FerretDB's SQLite backend (fine for an operator's page view, never on a hot path).
 * The fire search (`search`, `ofFires`) is the same: index ranges on MongoDB (see
 * fire.schema.ts), a scan of `fires` per call on FerretDB's SQLite backend.
 */
@Injectable()
export class MongoFiresRepository extends FiresRepository {
  constructor(
    @InjectModel(FireDoc.name) private readonly fires: Model<FireDoc>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super();
  }

  async record(fires: FireRecord[]): Promise<void> {
    const { historyMs, bucketMs } = this.config.retention;
    const now = Date.now();
    await insertIgnoringDuplicates(
      this.fires,
      fires.map((r) => fireToDoc(r, historyBucket(r.scheduledAt, now, historyMs, bucketMs))),
    );
  }

  async deleteBucket(rb: number): Promise<number> {
    const { deletedCount } = await this.fires.deleteMany({ rb });
    return deletedCount;
  }

  async oldestBucket(): Promise<number | null> {
    const doc = await this.fires
      .findOne({ rb: { $ne: null } }, { rb: 1 })
      .sort({ rb: 1 })
      .lean<{ rb: number }>();
    return doc?.rb ?? null;
  }

  async findById(messageId: string): Promise<FireRecord | null> {
    const doc = await this.fires.findOne({ _id: messageId }).lean<FireDoc>();
    return doc ? fireFromDoc(doc) : null;
  }

  async scheduledTimes(taskId: string, limit: number, before?: number): Promise<number[]> {
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

  async between(taskId: string, from: number, to: number): Promise<FireRecord[]> {
    const docs = await this.fires
      .find({ task_id: taskId, scheduled_at: { $gte: from, $lte: to } })
      .lean<FireDoc[]>();
    return docs.map(fireFromDoc);
  }

  async search(q: FireSearch): Promise<FireKey[]> {
    // The scheduled-time range bounds the index scan; the tie on one millisecond is decided
    // by task id on the index keys (an `$or` MongoDB evaluates before fetching).
    const upper = q.after ? Math.min(q.after.scheduledAt, q.to - 1) : q.to - 1;
    const filter: FilterQuery<FireDoc> = {
      scheduled_at: { $gte: q.from, $lte: upper },
      attempt: 1,
      ...(q.name !== undefined && { name: q.name }),
      ...(q.taskId !== undefined && { task_id: q.taskId }),
    };
    if (q.after) {
      filter.$or = [
        { scheduled_at: { $lt: q.after.scheduledAt } },
        { task_id: { $lt: q.after.taskId } },
      ];
    }
    const docs = await this.fires
      .find(filter)
      .sort({ scheduled_at: -1, task_id: -1 })
      .limit(q.limit)
      .select({ _id: 0, task_id: 1, scheduled_at: 1 })
      .lean<{ task_id: string; scheduled_at: number }[]>();
    return docs.map((d) => ({ taskId: d.task_id, scheduledAt: d.scheduled_at }));
  }

  async ofFires(fires: FireKey[]): Promise<FireRecord[]> {
    if (fires.length === 0) return [];
    const times = fires.map((f) => f.scheduledAt);
    // `{task_id, scheduled_at}` with an `$in`: one index range per task on MongoDB.
    const docs = await this.fires
      .find({
        task_id: { $in: [...new Set(fires.map((f) => f.taskId))] },
        scheduled_at: { $gte: Math.min(...times), $lte: Math.max(...times) },
      })
      .lean<FireDoc[]>();
    const wanted = new Set(fires.map((f) => fireIdOf(f.taskId, f.scheduledAt)));
    return docs.filter((d) => wanted.has(fireIdOf(d.task_id, d.scheduled_at))).map(fireFromDoc);
  }
}
