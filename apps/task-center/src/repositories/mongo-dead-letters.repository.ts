import { Inject, Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { type FilterQuery, type Model } from 'mongoose';
import { APP_CONFIG, type AppConfig } from '../config';
import { insertIgnoringDuplicates } from '../database/duplicate-key';
import { bucketOf } from '../retention/retention-buckets';
import { type DeadLetter } from '../runs/run-records';
import { DeadLetterDoc } from './dead-letter.schema';
import {
  type DeadLetterFilter,
  type DeadLetterPage,
  type DeadLetterPosition,
  DeadLettersRepository,
} from './dead-letters.repository';

function deadToDoc(d: DeadLetter, rb: number): DeadLetterDoc {
  return {
    _id: d.messageId,
    task_id: d.taskId,
    name: d.name,
    scheduled_at: d.scheduledAt,
    attempt: d.attempt,
    last_error: d.lastError,
    dead_at: d.deadAt,
    topic: d.topic,
    headers: d.headers,
    rb,
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
 * `_id` inserts, lookups and deletes; `page` reads the `{dead_at, _id}` index on MongoDB and
 * scans on FerretDB's SQLite backend (an operator's page view).
 */
@Injectable()
export class MongoDeadLettersRepository extends DeadLettersRepository {
  constructor(
    @InjectModel(DeadLetterDoc.name) private readonly dead: Model<DeadLetterDoc>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super();
  }

  async insert(dead: DeadLetter): Promise<void> {
    const rb = bucketOf(dead.deadAt, this.config.retention.bucketMs);
    await insertIgnoringDuplicates(this.dead, [deadToDoc(dead, rb)]);
  }

  async deleteBucket(rb: number): Promise<number> {
    const { deletedCount } = await this.dead.deleteMany({ rb });
    return deletedCount;
  }

  async oldestBucket(): Promise<number | null> {
    const doc = await this.dead
      .findOne({ rb: { $ne: null } }, { rb: 1 })
      .sort({ rb: 1 })
      .lean<{ rb: number }>();
    return doc?.rb ?? null;
  }

  async findById(messageId: string): Promise<DeadLetter | null> {
    const doc = await this.dead.findOne({ _id: messageId }).lean<DeadLetterDoc>();
    return doc ? deadFromDoc(doc) : null;
  }

  async delete(messageId: string): Promise<void> {
    await this.dead.deleteOne({ _id: messageId });
  }

  count(): Promise<number> {
    return this.dead.estimatedDocumentCount().exec();
  }

  async page(limit: number, cursor?: string): Promise<DeadLetterPage> {
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

  /** Reads the `{dead_at, _id}` index backwards on MongoDB; scans on FerretDB's SQLite. */
  async matching(
    f: DeadLetterFilter,
    limit: number,
    after?: DeadLetterPosition,
  ): Promise<DeadLetter[]> {
    const filter: FilterQuery<DeadLetterDoc> = {};
    if (f.name !== undefined) filter.name = f.name;
    if (f.deadFrom !== undefined || f.deadBefore !== undefined) {
      filter.dead_at = {
        ...(f.deadFrom !== undefined && { $gte: f.deadFrom }),
        ...(f.deadBefore !== undefined && { $lt: f.deadBefore }),
      };
    }
    if (after) {
      filter.$or = [
        { dead_at: { $gt: after.deadAt } },
        { dead_at: after.deadAt, _id: { $gt: after.messageId } },
      ];
    }
    const docs = await this.dead
      .find(filter)
      .sort({ dead_at: 1, _id: 1 })
      .limit(limit)
      .lean<DeadLetterDoc[]>();
    return docs.map(deadFromDoc);
  }
}
