/** Tasks changed by the API, or every task when too many changed to list. */
export type TaskChange = string[] | 'all';

/**
 * Changes appended together, as the entries to write, in order: ['all'] when one of them is
 * every task or lists more than `maxIds` (as a lone append of it would be written), else the
 * changes packed whole into entries of at most `maxIds` ids.
 */
export function mergeChanges(changes: TaskChange[], maxIds: number): TaskChange[] {
  if (changes.some((c) => c === 'all' || c.length > maxIds)) return ['all'];
  const entries: string[][] = [];
  let entry: string[] = [];
  for (const change of changes as string[][]) {
    if (change.length === 0) continue;
    if (entry.length + change.length > maxIds) {
      entries.push(entry);
      entry = [];
    }
    entry.push(...change);
  }
  if (entry.length > 0) entries.push(entry);
  return entries;
}

/** Entries kept; a reader further behind than this reloads everything. */
export const CHANGE_LOG_KEEP = 2000;

/**
 * The `task_changes` collection: an ordered log of task changes that dispatchers poll. It is
 * how a replica learns, within milliseconds, that a task it has loaded ahead of time was
 * deleted, paused or changed, or that a new task is due before its next read-ahead: equality
 * lookups only, so it stays cheap on FerretDB, and it needs no change streams.
 */
export abstract class TaskChangesRepository {
  /** Appends one entry; resolves once it is durable (so the API can answer after it). */
  abstract append(change: TaskChange, now: number): Promise<void>;
  /**
   * The newest sequence number, or slightly less under concurrent appends (0 when empty).
   * Entries are gap-free: a reader follows them one by one until one is missing.
   */
  abstract head(): Promise<number>;
  /** The entry with this sequence number; undefined if not written yet or expired. */
  abstract entry(seq: number): Promise<TaskChange | undefined>;
}
