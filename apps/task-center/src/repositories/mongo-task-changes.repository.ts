import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { type Collection, type Connection } from 'mongoose';
import { isDuplicateKey } from '../database/duplicate-key';
import { GroupCommit } from '../database/group-commit';
import {
  CHANGE_LOG_KEEP,
  mergeChanges,
  type TaskChange,
  TaskChangesRepository,
} from './task-changes.repository';

const MAX_IDS = 500;

interface ChangeDoc {
  _id: string;
  seq?: number;
  ids?: string[];
  all?: boolean;
  at?: number;
}

/**
 * One document `chg:<seq>` per entry, and a `head` document holding (at least nearly) the
 * newest seq. A sequence number is taken by inserting its document: the unique `_id` makes
 * that atomic on FerretDB too, whose read-modify-write updates (`$inc`) can lose increments
 * under concurrency. Every access is by `_id`, the one lookup FerretDB's SQLite backend
 * pushes down.
 */
@Injectable()
export class MongoTaskChangesRepository extends TaskChangesRepository {
  private readonly docs: Collection<ChangeDoc>;
  private lastSeq = 0;
  /**
   * Appends that arrive while one is being written go out together, as one entry (of at most
   * MAX_IDS ids): concurrent creates (one POST /v1/api/task each) cost one entry per round
   * trip, not one each, and do not race each other for the next seq.
   */
  private readonly appends = new GroupCommit<{ change: TaskChange; now: number }, void>(
    async (items) => {
      const now = Math.max(...items.map((i) => i.now));
      const changes = items.map((i) => i.change);
      for (const entry of mergeChanges(changes, MAX_IDS)) await this.write(entry, now);
      return items.map(() => undefined);
    },
    { maxBatch: 1000, maxInFlight: 1 },
  );

  constructor(@InjectConnection() connection: Connection) {
    super();
    this.docs = connection.collection<ChangeDoc>('task_changes');
  }

  async append(change: TaskChange, now: number): Promise<void> {
    if (change !== 'all' && change.length === 0) return;
    await this.appends.submit({ change, now });
  }

  /** One entry; mergeChanges made it 'all' or at most MAX_IDS ids. */
  private async write(change: TaskChange, now: number): Promise<void> {
    const body = { at: now, ...(change === 'all' ? { all: true } : { ids: change }) };
    let seq = Math.max(this.lastSeq, await this.head());
    for (;;) {
      seq++;
      try {
        await this.docs.insertOne({ _id: `chg:${seq}`, ...body });
        break;
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
      }
    }
    this.lastSeq = seq;
    await this.docs
      .updateOne({ _id: 'head' }, { $max: { seq } }, { upsert: true })
      .catch((err: unknown) => {
        if (!isDuplicateKey(err)) throw err; // a concurrent first upsert: theirs will do
      });
    if (seq > CHANGE_LOG_KEEP) await this.docs.deleteOne({ _id: `chg:${seq - CHANGE_LOG_KEEP}` });
  }

  async head(): Promise<number> {
    return (await this.docs.findOne({ _id: 'head' }))?.seq ?? 0;
  }

  async entry(seq: number): Promise<TaskChange | undefined> {
    const doc = await this.docs.findOne({ _id: `chg:${seq}` });
    if (!doc) return undefined;
    return doc.all ? 'all' : (doc.ids ?? []);
  }
}
