import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { type Model } from 'mongoose';
import { insertIgnoringDuplicates } from '../database/duplicate-key';
import { type FireRecord } from '../runs/run-records';
import { FireDoc } from './fire.schema';
import { FiresRepository } from './fires.repository';

function fireToDoc(r: FireRecord): FireDoc {
  return {
    _id: r.messageId,
    task_id: r.taskId,
    name: r.name,
    scheduled_at: r.scheduledAt,
    published_at: r.publishedAt,
    attempt: r.attempt,
    manual: r.manual,
    status: 'dispatched',
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
 */
@Injectable()
export class MongoFiresRepository extends FiresRepository {
  constructor(@InjectModel(FireDoc.name) private readonly fires: Model<FireDoc>) {
    super();
  }

  async record(fires: FireRecord[]): Promise<void> {
    await insertIgnoringDuplicates(this.fires, fires.map(fireToDoc));
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
}
