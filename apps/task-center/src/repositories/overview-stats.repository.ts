import { type MinuteCounts } from '../overview/minute-tally';
import { type TaskCount } from './tasks.repository';

/** One replica's counts of one minute. */
export interface ReplicaMinute {
  minute: number;
  replica: string;
  counts: MinuteCounts;
}

/** Fleet-wide counts taken once a minute, so that no request has to scan for them. */
export interface FleetSnapshot {
  countedAt: number;
  tookMs: number;
  replica: string;
  tasks: TaskCount[];
  /** Names of active tasks, sorted, at most ACTIVE_NAMES_MAX of them. */
  activeNames: string[];
  activeNamesTruncated: boolean;
  deadLettersWaiting: number;
}

/** The `overview_stats` collection: per-replica minutes and the fleet snapshot. */
export abstract class OverviewStatsRepository {
  /** Writes (replaces) the given minutes of `replica` in one round trip. */
  abstract saveMinutes(
    replica: string,
    minutes: readonly { minute: number; counts: MinuteCounts }[],
    now: number,
  ): Promise<void>;
  /** Every replica's minutes from `since` on (inclusive). */
  abstract minutesSince(since: number): Promise<ReplicaMinute[]>;
  /** Deletes minutes older than `before`; returns how many. */
  abstract deleteMinutesBefore(before: number): Promise<number>;
  abstract saveSnapshot(snapshot: FleetSnapshot): Promise<void>;
  abstract snapshot(): Promise<FleetSnapshot | null>;
}
