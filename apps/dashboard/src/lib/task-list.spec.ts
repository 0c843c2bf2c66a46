import { type BulkTaskActionResult } from '@task-center/client/types';
import { TaskType } from '@task-center/contracts';
import {
  bulkSummaryOf,
  instantOf,
  mergeBulkResults,
  scheduleOf,
  toggleAll,
  toggleOne,
  totalOf,
} from './task-list';

describe('task list view', () => {
  it('shows an instant in a zone, with the UTC instant', () => {
    expect(instantOf(1772368200, 'en-GB', 'Europe/Paris')).toEqual({
      local: '1 Mar 2026, 13:30:00',
      utc: '2026-03-01T12:30:00Z',
    });
  });

  it('shows each type of schedule', () => {
    const base = { timezone: 'UTC' };
    expect(scheduleOf({ ...base, type: TaskType.Loop, loop_time: 60 })).toBe('every 60 s');
    expect(
      scheduleOf({ type: TaskType.Crontab, crontab: '0 2 * * *', timezone: 'Europe/Paris' }),
    ).toBe('0 2 * * * (Europe/Paris)');
    expect(scheduleOf({ ...base, type: TaskType.OneShot, start_time: 1772368200 })).toBe(
      'at 2026-03-01T12:30:00Z',
    );
    expect(scheduleOf({ ...base, type: TaskType.OneShot })).toBe('right away');
  });

  it('counts tasks, capped or not', () => {
    expect(totalOf({ total: 1234, total_capped: false })).toBe('1,234 tasks');
    expect(totalOf({ total: 1, total_capped: false })).toBe('1 task');
    expect(totalOf({ total: 10000, total_capped: true })).toBe('10,000+ tasks');
    expect(totalOf({})).toBeUndefined();
  });

  it('sums bulk rounds and says what happened, failures grouped by message', () => {
    const round = (ok: number, failed: string[], more: boolean): BulkTaskActionResult => ({
      action: 'pause',
      results: [
        ...Array.from({ length: ok }, (_, i) => ({
          taskid: `t${i}`,
          ok: true as const,
          status: 'paused' as const,
        })),
        ...failed.map((msg, i) => ({ taskid: `f${i}`, ok: false as const, err: 40902, msg })),
      ],
      succeeded: ok,
      failed: failed.length,
      more,
    });
    const merged = mergeBulkResults([
      round(2, [], true),
      round(1, ['task is completed', 'task is completed'], false),
    ]);
    expect(merged).toMatchObject({ succeeded: 3, failed: 2, more: false });
    expect(merged.results).toHaveLength(5);
    expect(bulkSummaryOf('pause', merged)).toBe('3 paused, 2 failed: task is completed (40902) ×2');
    expect(bulkSummaryOf('delete', round(4, [], false))).toBe('4 deleted');
  });

  it('selects a page with the header checkbox, and rows one by one', () => {
    expect([...toggleAll(new Set(), ['a', 'b'])]).toEqual(['a', 'b']);
    expect([...toggleAll(new Set(['a']), ['a', 'b'])]).toEqual(['a', 'b']);
    expect([...toggleAll(new Set(['a', 'b']), ['a', 'b'])]).toEqual([]);
    expect([...toggleOne(new Set(['a']), 'b')]).toEqual(['a', 'b']);
    expect([...toggleOne(new Set(['a']), 'a')]).toEqual([]);
  });
});
