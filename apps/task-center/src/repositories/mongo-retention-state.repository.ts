import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { type Model } from 'mongoose';
import { RetentionStateDoc } from './retention-state.schema';
import { RetentionStateRepository } from './retention-state.repository';

/** `_id` lookups and replaces: an index on every backend. */
@Injectable()
export class MongoRetentionStateRepository extends RetentionStateRepository {
  constructor(
    @InjectModel(RetentionStateDoc.name) private readonly state: Model<RetentionStateDoc>,
  ) {
    super();
  }

  async cursor(stream: string): Promise<number | null> {
    const doc = await this.state.findOne({ _id: stream }).lean<RetentionStateDoc>();
    return doc?.cursor ?? null;
  }

  async saveCursor(stream: string, cursor: number, now: number): Promise<void> {
    await this.state.replaceOne(
      { _id: stream },
      { _id: stream, cursor, updated_at: now },
      { upsert: true },
    );
  }
}
