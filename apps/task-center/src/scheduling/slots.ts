import { TaskType } from '@task-center/contracts';
import { CronRule } from './cron';
import { type ScheduleSpec } from './schedule';

/** Returns the first slot at or after an instant, within the spec's window, or null. */
export type SlotFinder = (from: number) => number | null;

/**
 * The slot enumeration of a validated spec. A one-shot's only slot is "as soon as allowed":
 * the later of `from` and startTime.
 */
export function slotFinder(spec: ScheduleSpec): SlotFinder {
  const start = spec.startTime ?? -Infinity;
  const end = spec.endTime ?? Infinity;
  const within = (slot: number | null): number | null =>
    slot !== null && slot <= end ? slot : null;
  switch (spec.type) {
    case TaskType.OneShot:
      return (from) => within(Math.max(from, start));
    case TaskType.Loop: {
      const period = requireDefined(spec.loopTime, 'loopTime') * 1000;
      const { anchor } = spec;
      // Pure arithmetic on the anchor: no drift, O(1) however far `from` is.
      return (from) => {
        const earliest = Math.max(from, start);
        const k = earliest <= anchor ? 0 : Math.ceil((earliest - anchor) / period);
        return within(anchor + k * period);
      };
    }
    case TaskType.Crontab: {
      const rule = CronRule.compile(requireDefined(spec.crontab, 'crontab'), spec.timezone);
      return (from) => rule.after(Math.max(from, start) - 1, end);
    }
  }
}

/** When a new task fires first, or null when no slot remains (the task is born completed). */
export function firstFireAt(spec: ScheduleSpec, now: number): number | null {
  return slotFinder(spec)(now);
}

/** The slot after `slot` (strictly), or null when none remains in the window. */
export function nextSlotAfter(spec: ScheduleSpec, slot: number): number | null {
  if (spec.type === TaskType.OneShot) return null;
  return slotFinder(spec)(slot + 1);
}

/** The first `count` fires a task created now with `spec` would get (startTime, endTime, loopCount). */
export function previewFires(spec: ScheduleSpec, now: number, count: number): number[] {
  const limit = Math.min(count, spec.type === TaskType.OneShot ? 1 : spec.loopCount || Infinity);
  const find = slotFinder(spec);
  const fires: number[] = [];
  for (let slot = find(now); slot !== null && fires.length < limit; slot = find(slot + 1)) {
    fires.push(slot);
  }
  return fires;
}

function requireDefined<T>(value: T | undefined, name: string): T {
  // validateSchedule rejects such specs; reaching this is a caller bug, not a user error.
  if (value === undefined) throw new Error(`ScheduleSpec.${name} is required (validate first)`);
  return value;
}
