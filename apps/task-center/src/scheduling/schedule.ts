import { TaskType } from '@task-center/contracts';
import { CronRule } from './cron';
import { slotFinder } from './slots';
import { isValidTimeZone, LAST_INSTANT } from './time-zone';

/** What to do with slots that passed while the task center was not dispatching. */
export type MisfirePolicy = 'fire_once' | 'skip' | 'fire_all';

/** The timing part of a task, as the scheduler sees it. All instants are epoch milliseconds. */
export interface ScheduleSpec {
  type: TaskType;
  /** Type 3 only: 5 fields, or 6 with leading seconds. */
  crontab?: string;
  /** Type 2 only: seconds, integer >= 1. */
  loopTime?: number;
  /** Types 2 and 3: max fires; 0 or undefined = unlimited. */
  loopCount?: number;
  /** Optional window start (inclusive). */
  startTime?: number;
  /** Optional window end (inclusive): no slot after it ever fires. */
  endTime?: number;
  /** IANA zone the crontab is evaluated in. */
  timezone: string;
  /** Loops fire at anchor + k * loopTime; the caller passes startTime ?? createdAt. */
  anchor: number;
}

const TYPE_NAMES: Record<TaskType, string> = {
  [TaskType.OneShot]: 'type 1 (one-shot)',
  [TaskType.Loop]: 'type 2 (loop)',
  [TaskType.Crontab]: 'type 3 (crontab)',
};

/**
 * Why `spec` cannot be scheduled, in words for the user (API field names), or undefined when
 * it can. Every other function of this module assumes a spec that passed.
 */
export function validateSchedule(spec: ScheduleSpec): string | undefined {
  const { type, crontab, loopTime, loopCount, startTime, endTime, timezone } = spec;
  if (type !== TaskType.OneShot && type !== TaskType.Loop && type !== TaskType.Crontab) {
    return `type must be 1 (one-shot), 2 (loop) or 3 (crontab), got ${String(type)}`;
  }
  if (typeof timezone !== 'string' || !isValidTimeZone(timezone)) {
    return `timezone "${String(timezone)}" is not a known IANA time zone (e.g. "Europe/Berlin", "UTC")`;
  }
  for (const [name, value] of [
    ['start_time', startTime],
    ['end_time', endTime],
    ['anchor', spec.anchor],
  ] as const) {
    if (value !== undefined && !(Number.isInteger(value) && value >= 0 && value <= LAST_INSTANT)) {
      return `${name} must be a whole number of milliseconds since the epoch, got ${value}`;
    }
  }
  if (startTime !== undefined && endTime !== undefined && endTime <= startTime) {
    return 'end_time must be after start_time';
  }
  if (crontab !== undefined && type !== TaskType.Crontab) {
    return `crontab is only for type 3 (crontab), not ${TYPE_NAMES[type]}`;
  }
  if (loopTime !== undefined && type !== TaskType.Loop) {
    return `loop_time is only for type 2 (loop), not ${TYPE_NAMES[type]}`;
  }
  if (loopCount !== undefined && loopCount !== 0 && type === TaskType.OneShot) {
    return 'loop_count is not allowed for type 1 (one-shot): it fires once';
  }
  if (loopCount !== undefined && !(Number.isSafeInteger(loopCount) && loopCount >= 0)) {
    return `loop_count must be an integer >= 0 (0 = unlimited), got ${loopCount}`;
  }
  if (type === TaskType.Loop) {
    if (loopTime === undefined) return 'loop_time is required for type 2 (loop)';
    if (!(Number.isSafeInteger(loopTime) && loopTime >= 1)) {
      return `loop_time must be an integer number of seconds >= 1, got ${loopTime}`;
    }
  }
  if (type === TaskType.Crontab) {
    const reason = crontabProblem(crontab, timezone);
    if (reason) return reason;
  }
  // Checked last, on a spec otherwise valid: there must be at least one slot in the window.
  if (slotFinder(spec)(Math.max(startTime ?? spec.anchor, spec.anchor)) === null) {
    if (type === TaskType.Crontab) {
      return endTime === undefined
        ? `crontab "${crontab}" never fires`
        : `crontab "${crontab}" never fires between start_time and end_time`;
    }
    return 'end_time is before the first fire';
  }
  return undefined;
}

function crontabProblem(crontab: string | undefined, timezone: string): string | undefined {
  if (crontab === undefined || crontab.trim() === '') {
    return 'crontab is required for type 3 (crontab)';
  }
  const fields = crontab.trim().split(/\s+/);
  if (fields.length < 5 || fields.length > 6) {
    return (
      `crontab "${crontab}": expected 5 fields (minute hour day-of-month month day-of-week) ` +
      `or 6 with leading seconds, got ${fields.length}`
    );
  }
  // cron-parser draws H from an unseeded random source: the slots would change on every parse.
  // Month and weekday names (THU, MAR) are removed first: their letters are not the H operator.
  if (fields.some((field) => /H/.test(field.replace(/[a-z]{3}/gi, '')))) {
    return `crontab "${crontab}": H (hashed random value) is not supported`;
  }
  try {
    CronRule.compile(crontab, timezone);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // cron-parser's wording for `0 0 30 2 *`: no allowed month has the allowed day.
    if (message === 'Invalid explicit day of month definition') {
      return `crontab "${crontab}" never fires: none of its months has that day of month`;
    }
    return `crontab "${crontab}": ${message}`;
  }
  return undefined;
}
