/** Tasks changed by the API, or every task when too many changed to list. */
export type TaskChange = string[] | 'all';

/**
 * Changes appended together, as entries to write: ['all'] when one of them says every task,
 * else each id once, in entries of at most `maxIds` (a longer list would be written as 'all').
 */
export function mergeChanges(changes: TaskChange[], maxIds: number): TaskChange[] {
  if (changes.includes('all')) return ['all'];
  const ids = [...new Set((changes as string[][]).flat())];
  const entries: string[][] = [];
  for (let i = 0; i < ids.length; i += maxIds) entries.push(ids.slice(i, i + maxIds));
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
