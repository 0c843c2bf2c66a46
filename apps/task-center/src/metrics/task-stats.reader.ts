/** Tasks counted by type and status. */
export interface TaskCount {
  type: number;
  status: string;
  count: number;
}

/**
 * The metrics' and alerts' reads of the tasks collection. Both scan it (no index helps a
 * count of everything, and FerretDB's SQLite backend scans on any filter other than _id),
 * so callers cache the answers: a scrape or a check costs O(tasks) at most every 15-60 s.
 */
export abstract class TaskStatsReader {
  abstract countByTypeAndStatus(): Promise<TaskCount[]>;
  /** Distinct names of tasks that will fire again (status active). */
  abstract activeNames(): Promise<string[]>;
}
