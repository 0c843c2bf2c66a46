import {
  type BulkTaskAction,
  type BulkTaskActionResult,
  type Task,
  type TaskSearchPage,
} from '@task-center/client/types';
import { TaskType } from '@task-center/contracts';
import { pastOf } from './task-filters';

// What the Tasks table shows of a task and of a search, in words.

export const TYPE_NAMES: Record<number, string> = { 1: 'one-shot', 2: 'loop', 3: 'crontab' };

/** Unix seconds → the viewer's local date and time, and the UTC instant (for a `title`). */
export function instantOf(
  seconds: number,
  locale?: string,
  timeZone?: string,
): { local: string; utc: string } {
  const date = new Date(seconds * 1000);
  const local = new Intl.DateTimeFormat(locale, {
    dateStyle: 'medium',
    timeStyle: 'medium',
    ...(timeZone && { timeZone }),
  }).format(date);
  return { local, utc: date.toISOString().replace(/\.\d{3}Z$/, 'Z') };
}

/** `0 2 * * * (Europe/Paris)`, `every 60 s`, `at <UTC instant>`, `right away`. */
export function scheduleOf(
  task: Pick<Task, 'type' | 'crontab' | 'loop_time' | 'start_time' | 'timezone'>,
): string {
  switch (task.type) {
    case TaskType.Loop:
      return `every ${task.loop_time ?? 0} s`;
    case TaskType.Crontab:
      return `${task.crontab ?? ''} (${task.timezone})`;
    default:
      return task.start_time ? `at ${instantOf(task.start_time).utc}` : 'right away';
  }
}

/** `1 task`, `1,234 tasks`, `10,000+ tasks`; undefined when the page was not counted. */
export function totalOf(
  page: Pick<TaskSearchPage, 'total' | 'total_capped'>,
  locale = 'en-US',
): string | undefined {
  if (page.total === undefined) return undefined;
  const n = new Intl.NumberFormat(locale).format(page.total);
  if (page.total_capped) return `${n}+ tasks`;
  return `${n} task${page.total === 1 ? '' : 's'}`;
}

/** Bulk results summed over requests (the rounds of "apply to all matching"). */
export function mergeBulkResults(results: BulkTaskActionResult[]): BulkTaskActionResult {
  return {
    action: results[0]?.action ?? 'pause',
    results: results.flatMap((r) => r.results),
    succeeded: results.reduce((sum, r) => sum + r.succeeded, 0),
    failed: results.reduce((sum, r) => sum + r.failed, 0),
    more: results.at(-1)?.more ?? false,
  };
}

/**
 * `3 paused, 1 failed: no such task (40401)`: the count done, then the failures grouped by
 * message (the same message once, with how many got it).
 */
export function bulkSummaryOf(action: BulkTaskAction, result: BulkTaskActionResult): string {
  const done = `${result.succeeded} ${pastOf(action)}`;
  if (result.failed === 0) return done;
  const messages = new Map<string, number>();
  for (const item of result.results) {
    if (item.ok) continue;
    const key = `${item.msg} (${item.err})`;
    messages.set(key, (messages.get(key) ?? 0) + 1);
  }
  const why = [...messages].map(([msg, n]) => (n > 1 ? `${msg} ×${n}` : msg)).join('; ');
  return `${done}, ${result.failed} failed: ${why}`;
}

/** The selection after the header checkbox: every id of the page, or none when all were set. */
export function toggleAll(selected: ReadonlySet<string>, pageIds: string[]): Set<string> {
  const all = pageIds.length > 0 && pageIds.every((id) => selected.has(id));
  return new Set(all ? [] : pageIds);
}

export function toggleOne(selected: ReadonlySet<string>, id: string): Set<string> {
  const next = new Set(selected);
  if (next.has(id)) next.delete(id);
  else next.add(id);
  return next;
}
