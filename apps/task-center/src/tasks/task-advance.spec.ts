import { type Task } from './task';
import { type Advance, advanced, combined, merged, superseded } from './task-advance';
import { loopTaskAt } from './task.fixtures';

const S = 1000;
const T0 = 1_800_000_000_000;

const loop = (overrides: Partial<Task> = {}): Task =>
  loopTaskAt(T0, {
    id: '65f000000000000000000001',
    name: 'tag',
    loopCount: 10,
    createdAt: T0 - 10 * S,
    updatedAt: T0 - 10 * S,
    shard: 3,
    ...overrides,
  });

/** One regular fire of the task's next slot, published at `now`. */
function fire(before: Task, now: number, nextRunAt: number | null = now + S): Advance {
  return {
    before,
    nextRunAt,
    manualRuns: before.manualRuns.filter((at) => at > now),
    fired: 1,
    lastRunAt: now,
    now,
  };
}

describe('advanced', () => {
  it('moves the task to its next slot and counts the fire', () => {
    const next = advanced(fire(loop(), T0 + 5));
    expect(next).toMatchObject({
      status: 'active',
      nextRunAt: T0 + 5 + S,
      runCount: 1,
      lastRunAt: T0 + 5,
      dueAt: T0 + 5 + S,
      version: 1,
    });
  });

  it('completes the task when nothing is left to fire', () => {
    const next = advanced(fire(loop({ runCount: 9 }), T0, null));
    expect(next).toMatchObject({ status: 'completed', nextRunAt: null, dueAt: null, runCount: 10 });
  });

  it('keeps a pending run-now as the due time when the regular slots are over', () => {
    const task = loop({ manualRuns: [T0 + 500] });
    const next = advanced({ ...fire(task, T0, null), manualRuns: [T0 + 500] });
    expect(next).toMatchObject({ status: 'active', dueAt: T0 + 500 });
  });
});

describe('combined', () => {
  it('folds consecutive publishes into one advance from the first state', () => {
    const first = fire(loop(), T0);
    const second = fire(advanced(first), T0 + S);
    const third = fire(advanced(second), T0 + 2 * S);
    const folded = combined(combined(first, second), third);
    expect(folded.before).toBe(first.before);
    expect(folded.fired).toBe(3);
    expect(advanced(folded)).toEqual(advanced(third));
  });
});

describe('merged', () => {
  const first = fire(loop(), T0);
  const second = fire(advanced(first), T0 + S);
  const held = combined(first, second); // two fires, database still at `loop()`

  it('applies held fires on top of an API change that kept the schedule', () => {
    const edited = loop({ version: 2, data: '{"new":true}' });
    const result = merged(edited, held);
    expect(result).toMatchObject({
      version: 2,
      data: '{"new":true}',
      nextRunAt: T0 + 2 * S,
      runCount: 2,
      lastRunAt: T0 + S,
    });
  });

  it("keeps the API's new slot when the API rescheduled the task, still counting the fires", () => {
    const rescheduled = loop({ version: 2, nextRunAt: T0 + 60 * S, dueAt: T0 + 60 * S });
    expect(merged(rescheduled, held)).toMatchObject({ nextRunAt: T0 + 60 * S, runCount: 2 });
  });

  it('leaves a paused task paused and out of the due scan', () => {
    const paused = loop({ version: 2, status: 'paused', dueAt: null });
    expect(merged(paused, held)).toMatchObject({ status: 'paused', dueAt: null, runCount: 2 });
  });

  it('does nothing for a deleted task, an advance already in, or a slot counted by another', () => {
    expect(merged(loop({ version: 2, status: 'deleted' }), held)).toBeUndefined();
    expect(merged(advanced(held), held)).toBeUndefined();
    // Same version, already past our slot: a re-publish of a counted slot.
    const movedOn = loop({ nextRunAt: T0 + 5 * S, runCount: 5, lastRunAt: T0 + 4 * S });
    expect(merged(movedOn, held)).toBeUndefined();
  });

  it('never applies an advance on top of another of the same version: superseded, to be read again', () => {
    // Another replica counted one of our two slots: ours on top would count the second twice
    // and take its slot for a reschedule (the loop would complete before its last slots).
    const behind = advanced(first);
    expect(merged(behind, held)).toBeUndefined();
    expect(superseded(behind, held)).toBe(true);
    const movedOn = loop({ nextRunAt: T0 + 5 * S, runCount: 5, lastRunAt: T0 + 4 * S });
    expect(superseded(movedOn, held)).toBe(true);
    // Not superseded: ours is in already, the task is gone, or the API changed it (merged).
    expect(superseded(advanced(held), held)).toBe(false);
    expect(superseded(loop({ status: 'deleted' }), held)).toBe(false);
    expect(superseded(loop({ version: 2 }), held)).toBe(false);
  });

  it('removes only the run-now slots the advance published', () => {
    const task = loop({ manualRuns: [T0 - 100] });
    const a: Advance = { ...fire(task, T0), manualRuns: [] };
    const withNewRun = loop({ version: 2, manualRuns: [T0 - 100, T0 + 30 * S] });
    expect(merged(withNewRun, a)?.manualRuns).toEqual([T0 + 30 * S]);
  });
});
