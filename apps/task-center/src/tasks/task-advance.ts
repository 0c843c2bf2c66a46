import { dueAt, type Task } from './task';

/**
 * Pure rules for what a publish does to a task: the state it leaves, several publishes folded
 * into one write, and a publish merged into a task the API changed meanwhile. The dispatcher
 * applies them in memory and the tasks repository in the database, so both agree.
 */

/** What one publish did to a task, to be written back. */
export interface Advance {
  /** The task as the dispatcher loaded it: the write applies only if it is still so. */
  before: Task;
  nextRunAt: number | null;
  manualRuns: number[];
  /** Regular fires made (manual runs do not count against loop_count). */
  fired: number;
  lastRunAt: number;
  now: number;
}

/** The task as this advance leaves it. */
export function advanced(a: Advance): Task {
  const { before } = a;
  const done = a.nextRunAt === null && a.manualRuns.length === 0;
  const status = done && before.status === 'active' ? 'completed' : before.status;
  return {
    ...before,
    status,
    nextRunAt: a.nextRunAt,
    manualRuns: a.manualRuns,
    runCount: before.runCount + a.fired,
    lastRunAt: a.lastRunAt,
    updatedAt: a.now,
    dueAt: dueAt(status, a.nextRunAt, a.manualRuns),
  };
}

/** `second` planned from the state `first` left, both written as one advance. */
export function combined(first: Advance, second: Advance): Advance {
  return {
    before: first.before,
    nextRunAt: second.nextRunAt,
    manualRuns: second.manualRuns,
    fired: first.fired + second.fired,
    lastRunAt: second.lastRunAt,
    now: second.now,
  };
}

/**
 * The advance applied on top of the task as the API changed it since the advance was planned
 * (a new `version`): the fires happened, so they count; our next slot stands unless the API
 * rescheduled the task. Undefined when there is nothing to apply: the task is deleted, the
 * advance is in already, or the API did not change it (see `superseded`).
 */
export function merged(current: Task, a: Advance): Task | undefined {
  const { before } = a;
  if (current.status === 'deleted' || alreadyIn(current, a)) return undefined;
  // Same version: not an API change but another advance (another replica's, or ours planned
  // from another copy). Applying ours on top would take its slot for a reschedule and count
  // fires twice (a loop then completes before its last slots); the caller reads it again.
  if (current.version === before.version) return undefined;
  const rescheduled = current.nextRunAt !== before.nextRunAt;
  const firedManual = new Set(before.manualRuns.filter((at) => !a.manualRuns.includes(at)));
  return advanced({
    before: current,
    nextRunAt: rescheduled ? current.nextRunAt : a.nextRunAt,
    manualRuns: current.manualRuns.filter((at) => !firedManual.has(at)),
    fired: a.fired,
    lastRunAt: a.lastRunAt,
    now: a.now,
  });
}

/**
 * The database moved the task on by another advance of the same version: ours is not written,
 * and the dispatcher must read the task again. Its fires that the other advance did not
 * cover are published again from the database's copy, under the same message ids.
 */
export function superseded(current: Task, a: Advance): boolean {
  return (
    current.status !== 'deleted' && !alreadyIn(current, a) && current.version === a.before.version
  );
}

function alreadyIn(current: Task, a: Advance): boolean {
  return current.lastRunAt === a.lastRunAt && current.runCount >= a.before.runCount + a.fired;
}
