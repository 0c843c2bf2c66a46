import { type Overview } from '../http/task-center.types';
import { overviewText, runStatsText, sparkline } from './overview-commands';

const T0 = 1_767_225_600_000;

function overview(fires: number[]): Overview {
  return {
    generated_at_ms: T0 + fires.length * 60_000,
    tasks: {
      counted_at_ms: T0,
      count_took_ms: 4,
      total: 12,
      by_status: { active: 6, paused: 2, completed: 4, deleted: 9 },
      by_type: { one_shot: 9, loop: 2, crontab: 1 },
    },
    series: {
      minute_ms: 60_000,
      points: fires.map((f, i) => ({
        at_ms: T0 + i * 60_000,
        fires: f,
        succeeded: f,
        failed: i,
        timeout: 0,
        dead: 0,
      })),
    },
    lateness: { from_ms: T0, count: 7, p50_ms: 5, p90_ms: 20, p99_ms: 50, max_ms: 43 },
    dead_letters_waiting: 3,
    workers: { live: 2, by_tag: [{ tag: 'emails', live_workers: 2 }] },
    tags_without_worker: { tags: ['billing'], truncated: false },
    replicas_reporting: 1,
  };
}

describe('overview command output', () => {
  it('draws a sparkline scaled to the largest value', () => {
    expect(sparkline([0, 7, 14])).toBe('▁▄█');
    expect(sparkline([0, 0])).toBe('▁▁');
    expect(sparkline([])).toBe('');
  });

  it('prints every part of the overview on its own line', () => {
    const text = overviewText(overview([1, 2, 3]));
    expect(text).toContain('12 (active 6, paused 2, completed 4; one-shot 9, loop 2, crontab 1)');
    expect(text).toMatch(/fires, 3 min\s+6 {2}▃▅█ {2}\(this minute 3\)/);
    expect(text).toContain('succeeded 6, failed 3, timeout 0, dead 0');
    expect(text).toContain('p50 5 ms, p90 20 ms, p99 50 ms, max 43 ms (7 fires');
    expect(text).toContain('3 waiting');
    expect(text).toContain('2 live: emails (2)');
    expect(text).toMatch(/no live worker\s+billing/);
  });

  it('says what is not known yet instead of printing nulls', () => {
    const o = {
      ...overview([0]),
      tasks: null,
      dead_letters_waiting: null,
      tags_without_worker: null,
    };
    o.lateness = { from_ms: T0, count: 0, p50_ms: null, p90_ms: null, p99_ms: null, max_ms: null };
    const text = overviewText(o);
    expect(text).toContain('not counted yet');
    expect(text).toContain('no fires');
    expect(text).not.toContain('null');
  });

  it('lists run stats per name with a total row', () => {
    const text = runStatsText({
      date: '2026-01-01',
      backlog: { tasks: 1, redeliveries: 2 },
      totals: { succeeded: 5, failed: 1, timeout: 0, dead: 1 },
      by_name: {
        b: { succeeded: 2, failed: 0, timeout: 0, dead: 1 },
        a: { succeeded: 3, failed: 1, timeout: 0, dead: 0 },
      },
    });
    expect(text.split('\n')).toEqual([
      '2026-01-01 (UTC); backlog: 1 tasks, 2 redeliveries',
      'NAME     SUCCEEDED  FAILED  TIMEOUT  DEAD',
      'a        3          1       0        0',
      'b        2          0       0        1',
      '(total)  5          1       0        1',
    ]);
  });
});
