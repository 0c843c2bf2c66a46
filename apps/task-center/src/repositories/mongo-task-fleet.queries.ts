import { type TaskStatus } from '@task-center/contracts';
import { type Model } from 'mongoose';
import { type TaskDoc } from './task.schema';
import { type TaskCount } from './tasks.repository';

/**
 * Queries over the whole `tasks` collection (counts for metrics, alerts and the overview;
 * the retention purge's bucket deletes), kept apart from the per-task reads and writes.
 */
export class TaskFleetQueries {
  constructor(private readonly tasks: Model<TaskDoc>) {}

  async countByTypeAndStatus(): Promise<TaskCount[]> {
    const rows = await this.tasks
      .aggregate<{
        _id: { type: number; status: string };
        count: number;
      }>([{ $group: { _id: { type: '$type', status: '$status' }, count: { $sum: 1 } } }])
      .exec();
    return rows.map((r) => ({ type: r._id.type, status: r._id.status, count: r.count }));
  }

  async activeNames(): Promise<string[]> {
    // `target: null` matches the tasks without one: an equality FerretDB pushes down.
    const names = await this.tasks.distinct('name', { status: 'active', target: null }).exec();
    return names.map(String);
  }

  async hasActiveHttpTargets(): Promise<boolean> {
    const found = await this.tasks
      .findOne({ status: 'active', 'target.type': 'http' }, { _id: 1 })
      .lean()
      .exec();
    return found !== null;
  }

  countDueBy(now: number): Promise<number> {
    return this.tasks.countDocuments({ status: 'active', due_at: { $ne: null, $lte: now } }).exec();
  }

  async deleteFinishedBucket(rb: number): Promise<number> {
    // `rb` is pushed down (equality); the status check, on the few rows found, is a guard:
    // a live task never keeps a bucket, and never is deleted if it somehow did.
    const { deletedCount } = await this.tasks.deleteMany({
      rb,
      status: { $in: ['completed', 'deleted'] satisfies TaskStatus[] },
    });
    return deletedCount;
  }

  async oldestFinishedBucket(): Promise<number | null> {
    const doc = await this.tasks
      .findOne({ rb: { $ne: null } }, { rb: 1 })
      .sort({ rb: 1 })
      .lean<{ rb: number }>();
    return doc?.rb ?? null;
  }
}
