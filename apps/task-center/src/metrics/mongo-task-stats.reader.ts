import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { type Model } from 'mongoose';
import { TaskDoc } from '../tasks/task.schema';
import { type TaskCount, TaskStatsReader } from './task-stats.reader';

@Injectable()
export class MongoTaskStatsReader extends TaskStatsReader {
  constructor(@InjectModel(TaskDoc.name) private readonly tasks: Model<TaskDoc>) {
    super();
  }

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
    const names = await this.tasks.distinct('name', { status: 'active' }).exec();
    return names.map(String);
  }
}
