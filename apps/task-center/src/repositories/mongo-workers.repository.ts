import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { type Model } from 'mongoose';
import { type WorkerRecord } from '../runs/run-records';
import { WorkerDoc } from './worker.schema';
import { WorkersRepository } from './workers.repository';

/**
 * One document per worker process, replaced on each heartbeat. Heartbeats are keyed by
 * worker id, so one results partition, hence one consumer, writes a given document: the
 * non-atomic replace of FerretDB v1 has no concurrent writer to lose against.
 */
@Injectable()
export class MongoWorkersRepository extends WorkersRepository {
  constructor(@InjectModel(WorkerDoc.name) private readonly workers: Model<WorkerDoc>) {
    super();
  }

  async save(w: WorkerRecord): Promise<void> {
    await this.workers.replaceOne(
      { _id: w.id },
      {
        _id: w.id,
        group: w.group,
        host: w.host,
        pid: w.pid,
        sdk: w.sdk,
        tags: w.tags,
        last_seen: w.lastSeen,
        interval_ms: w.intervalMs,
        stopping: w.stopping,
      },
      { upsert: true },
    );
  }

  /** A scan on FerretDB's SQLite backend; the collection holds one row per worker process. */
  async seenSince(since: number): Promise<WorkerRecord[]> {
    const docs = await this.workers
      .find({ last_seen: { $gte: since } })
      .sort({ last_seen: -1 })
      .limit(1000)
      .lean<WorkerDoc[]>();
    return docs.map((d) => ({
      id: d._id,
      group: d.group,
      host: d.host,
      pid: d.pid,
      sdk: d.sdk,
      tags: d.tags,
      lastSeen: d.last_seen,
      intervalMs: d.interval_ms,
      stopping: d.stopping,
    }));
  }

  /** A range on a collection of one document per worker process: small on every backend. */
  async deleteSeenBefore(before: number): Promise<number> {
    const { deletedCount } = await this.workers.deleteMany({ last_seen: { $lt: before } });
    return deletedCount;
  }
}
