import { TaskType } from '@task-center/contracts';
import cronstrue from 'cronstrue';
import { type ScheduleSpec } from './schedule';

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.000Z$/, 'Z');

/** `90` → `1 minute 30 seconds`; `7200` → `2 hours`. */
export function durationInWords(seconds: number): string {
  const parts: string[] = [];
  let rest = seconds;
  for (const [unit, size] of [
    ['day', 86_400],
    ['hour', 3600],
    ['minute', 60],
    ['second', 1],
  ] as const) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0) parts.push(`${n} ${unit}${n === 1 ? '' : 's'}`);
  }
  return parts.join(' ') || '0 seconds';
}

/**
 * A validated schedule in English, for people: `At 02:30, Monday through Friday (Europe/Berlin),
 * 3 times, until 2026-12-31T00:00:00Z`, `every 5 minutes from 2026-01-01T00:00:00Z`,
 * `once, at 2026-01-01T10:00:00Z`. Crontab wording by cronstrue (24-hour clock).
 */
export function describeSchedule(spec: ScheduleSpec): string {
  const times = spec.loopCount ? `, ${spec.loopCount} time${spec.loopCount === 1 ? '' : 's'}` : '';
  const until = spec.endTime !== undefined ? `, until ${iso(spec.endTime)}` : '';
  switch (spec.type) {
    case TaskType.OneShot:
      return spec.startTime !== undefined ? `once, at ${iso(spec.startTime)}` : 'once, right away';
    case TaskType.Loop:
      return `every ${durationInWords(spec.loopTime ?? 0)} from ${iso(spec.anchor)}${times}${until}`;
    case TaskType.Crontab: {
      const words = cronstrue.toString(spec.crontab ?? '', {
        use24HourTimeFormat: true,
        throwExceptionOnParseError: false,
      });
      const from = spec.startTime !== undefined ? `, from ${iso(spec.startTime)}` : '';
      return `${words} (${spec.timezone})${from}${times}${until}`;
    }
  }
}
