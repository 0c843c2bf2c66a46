/** Helpers of the crontab specs: instants as ISO strings, rendered in a zone via Intl. */
import { TaskType } from '@task-center/contracts';
import { type ScheduleSpec } from './schedule';
import { previewFires } from './slots';

// Instants are written as ISO strings with explicit offsets, so nothing depends on the
// machine's TZ; results are rendered the same way (via Intl, independently of our offset code).
export const at = (iso: string): number => {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`bad ISO in test: ${iso}`);
  return ms;
};

const renderers = new Map<string, Intl.DateTimeFormat>();
export function local(instant: number, timeZone: string): string {
  let format = renderers.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      timeZoneName: 'longOffset',
    });
    renderers.set(timeZone, format);
  }
  const p: Record<string, string> = {};
  for (const part of format.formatToParts(instant)) p[part.type] = part.value;
  const offset = (p.timeZoneName ?? '').replace('GMT', '').replace('\u2212', '-') || '+00:00';
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}${offset}`;
}

export const cron = (crontab: string, timezone = 'UTC', window: Partial<ScheduleSpec> = {}) =>
  ({ type: TaskType.Crontab, crontab, timezone, anchor: 0, ...window }) as ScheduleSpec;

/** The next `count` fires from `fromIso` (inclusive), rendered in the task's zone. */
export function fires(crontab: string, timezone: string, fromIso: string, count: number): string[] {
  return previewFires(cron(crontab, timezone), at(fromIso), count).map((t) => local(t, timezone));
}
