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
 * The advance applied on top of the task as it is now (the API changed it since the advance
 * was planned): the fires happened, so they count; our next slot stands unless the API
 * rescheduled the task. Undefined when there is nothing to apply: the advance is in already,
 * or another advance of the same version already moved past our slot (ours re-published a
 * slot that was counted, under the same message id).
 */
export function merged(current: Task, a: Advance): Task | undefined {
  const { before } = a;
  if (current.status === 'deleted') return undefined;
  const applied =
    current.lastRunAt === a.lastRunAt && current.runCount >= before.runCount + a.fired;
  if (applied) return undefined;
  const movedOn =
    current.nextRunAt === null ||
    (before.nextRunAt !== null && current.nextRunAt > before.nextRunAt);
  if (current.version === before.version && movedOn) return undefined;
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
