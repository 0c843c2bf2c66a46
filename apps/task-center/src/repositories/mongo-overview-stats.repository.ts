import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { type Model } from 'mongoose';
import { emptyLateness } from '../overview/lateness-histogram';
import { type MinuteCounts } from '../overview/minute-tally';
import { OverviewStatDoc } from './overview-stat.schema';
import {
  type FleetSnapshot,
  OverviewStatsRepository,
  type ReplicaMinute,
} from './overview-stats.repository';

const SNAPSHOT_ID = 'snapshot';

const minuteId = (minute: number, replica: string) => `minute:${minute}:${replica}`;

/**
 * Replaces by `_id` only (single-document writes); reads filter on `kind` by equality, which
 * FerretDB v1 pushes down, and the range on `minute` over a collection of a few hundred rows.
 */
@Injectable()
export class MongoOverviewStatsRepository extends OverviewStatsRepository {
  constructor(@InjectModel(OverviewStatDoc.name) private readonly stats: Model<OverviewStatDoc>) {
    super();
  }

  async saveMinutes(
    replica: string,
    minutes: readonly { minute: number; counts: MinuteCounts }[],
    now: number,
  ): Promise<void> {
    if (minutes.length === 0) return;
    await this.stats.bulkWrite(
      minutes.map(({ minute, counts }) => {
        const _id = minuteId(minute, replica);
        const doc: OverviewStatDoc = {
          _id,
          kind: 'minute',
          minute,
          replica,
          fires: counts.fires,
          succeeded: counts.succeeded,
          failed: counts.failed,
          timeout: counts.timeout,
          dead: counts.dead,
          lateness: counts.lateness,
          lateness_max_ms: counts.latenessMaxMs,
          written_at: now,
        };
        return { replaceOne: { filter: { _id }, replacement: doc, upsert: true } };
      }),
      { ordered: false },
    );
  }

  async minutesSince(since: number): Promise<ReplicaMinute[]> {
    const docs = await this.stats
      .find({ kind: 'minute', minute: { $gte: since } })
      .lean<OverviewStatDoc[]>();
    return docs.map((d) => ({
      minute: d.minute ?? 0,
      replica: d.replica ?? '',
      counts: {
        fires: d.fires ?? 0,
        succeeded: d.succeeded ?? 0,
        failed: d.failed ?? 0,
        timeout: d.timeout ?? 0,
        dead: d.dead ?? 0,
        lateness: d.lateness ?? emptyLateness(),
        latenessMaxMs: d.lateness_max_ms ?? 0,
      },
    }));
  }

  async deleteMinutesBefore(before: number): Promise<number> {
    const res = await this.stats.deleteMany({ kind: 'minute', minute: { $lt: before } });
    return res.deletedCount;
  }

  async saveSnapshot(s: FleetSnapshot): Promise<void> {
    const doc: OverviewStatDoc = {
      _id: SNAPSHOT_ID,
      kind: 'snapshot',
      replica: s.replica,
      counted_at: s.countedAt,
      took_ms: s.tookMs,
      tasks: s.tasks,
      active_names: s.activeNames,
      active_names_truncated: s.activeNamesTruncated,
      dead_letters_waiting: s.deadLettersWaiting,
      written_at: s.countedAt,
    };
    await this.stats.replaceOne({ _id: SNAPSHOT_ID }, doc, { upsert: true });
  }

  async snapshot(): Promise<FleetSnapshot | null> {
    const d = await this.stats.findOne({ _id: SNAPSHOT_ID }).lean<OverviewStatDoc>();
    if (!d) return null;
    return {
      countedAt: d.counted_at ?? 0,
      tookMs: d.took_ms ?? 0,
      replica: d.replica ?? '',
      tasks: d.tasks ?? [],
      activeNames: d.active_names ?? [],
      activeNamesTruncated: d.active_names_truncated === true,
      deadLettersWaiting: d.dead_letters_waiting ?? 0,
    };
  }
}
