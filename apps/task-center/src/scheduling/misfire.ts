import { TaskType } from '@task-center/contracts';
import { type MisfirePolicy, type ScheduleSpec } from './schedule';
import { slotFinder } from './slots';

/** The scheduler's state of one task. */
export interface ScheduleState {
  /** The next slot to fire (epoch ms); the dispatch loop plans once it is <= now. */
  nextRunAt: number;
  /** Fires already made, counted against loopCount. */
  runCount: number;
}

export interface PlanOptions {
  policy: MisfirePolicy;
  /** A slot is missed when now - slot > misfireThresholdMs; slots within it always fire. */
  misfireThresholdMs: number;
  /** fire_all: most missed slots fired by one plan; the rest are dropped. */
  maxCatchUp: number;
}

export interface DuePlan {
  /** Slots to publish now, ascending, all <= now. */
  fires: number[];
  /** The slot to wait for next, or null when the task is completed. */
  nextRunAt: number | null;
}

/**
 * Which slots to fire at `now` and what comes next. Deterministic in (spec, state, now, opts):
 * re-planning after a crash yields the same slots, hence the same message ids.
 */
export function planDue(
  spec: ScheduleSpec,
  state: ScheduleState,
  now: number,
  opts: PlanOptions,
): DuePlan {
  const { nextRunAt, runCount } = state;
  if (nextRunAt > now) return { fires: [], nextRunAt };
  const end = Math.min(now, spec.endTime ?? Infinity);

  if (spec.type === TaskType.OneShot) {
    // Its single slot fires whatever the policy: skipping it would lose the task.
    return { fires: runCount < 1 && nextRunAt <= end ? [nextRunAt] : [], nextRunAt: null };
  }

  const remaining = spec.loopCount ? spec.loopCount - runCount : Infinity;
  if (remaining <= 0) return { fires: [], nextRunAt: null };

  const find = slotFinder(spec);
  const cutoff = now - opts.misfireThresholdMs; // slots before it are missed
  const fires: number[] = [];

  if (nextRunAt < cutoff && nextRunAt <= end) {
    if (opts.policy === 'fire_once') {
      // The earliest missed slot stands for the whole missed run, so a re-plan picks the same one.
      fires.push(nextRunAt);
    } else if (opts.policy === 'fire_all') {
      const cap = Math.min(opts.maxCatchUp, remaining);
      let slot: number | null = nextRunAt;
      while (slot !== null && slot < cutoff && fires.length < cap) {
        fires.push(slot);
        slot = find(slot + 1);
      }
    }
  }

  // On-time slots, found from the cutoff directly: a long downtime costs nothing to cross.
  let slot = nextRunAt >= cutoff ? nextRunAt : find(cutoff);
  for (; slot !== null && slot <= end && fires.length < remaining; slot = find(slot + 1)) {
    fires.push(slot);
  }

  return { fires, nextRunAt: fires.length >= remaining ? null : find(now + 1) };
}
