import { type Fire, type RedriveItemResult } from '@task-center/client/types';
import {
  EMPTY_TALLY,
  attemptsOf,
  describeRedriveFilter,
  fireBadge,
  formatDuration,
  lastOutcomeOf,
  parseRunsQuery,
  redriveFilterOf,
  redriveSummary,
  runsQueryToSearch,
  tallyRedrive,
  taskIdOf,
  windowOf,
} from './runs-view';

const ID = '6740a5f3c2d1e0b9a8f7e6d5';

const fire = (state: Fire['state'], attempts: Fire['attempts']): Fire => ({
  fire_id: `${ID}:1767225600000`,
  task_id: ID,
  name: 'orders.expire',
  scheduled_at_ms: 1767225600000,
  state,
  attempts,
});

describe('runs view: the query in the URL', () => {
  it('reads view, states (repeated or comma-separated), name and range', () => {
    const q = parseRunsQuery(
      new URLSearchParams('view=runs&state=dead,failed&state=pending&name=%20a.b%20&from=7d'),
    );
    expect(q).toEqual({
      view: 'runs',
      states: ['pending', 'failed', 'dead'],
      name: 'a.b',
      range: '7d',
    });
  });

  it('falls back to the defaults on anything unknown', () => {
    expect(parseRunsQuery(new URLSearchParams('view=nope&state=weird&from=1y'))).toEqual({
      view: 'failures',
      states: [],
      name: '',
      range: '24h',
    });
  });

  it('writes back what it reads, leaving the defaults out', () => {
    for (const search of ['', 'view=dead', 'view=runs&state=failed%2Cdead&name=x&from=1h']) {
      const q = parseRunsQuery(new URLSearchParams(search));
      expect(runsQueryToSearch(q).toString()).toBe(search);
    }
    expect(
      runsQueryToSearch({ view: 'failures', states: [], name: '', range: '24h' }).toString(),
    ).toBe('');
  });

  it('turns a range into a window of unix seconds that includes now', () => {
    const now = Date.UTC(2026, 0, 1, 12, 0, 0, 500);
    const { from, to } = windowOf('1h', now);
    expect(to).toBe(now / 1000 - 0.5 + 1);
    expect(to - from).toBe(3600);
    expect(windowOf('7d', now).to - windowOf('7d', now).from).toBe(604_800);
  });
});

describe('runs view: fires', () => {
  it('names a fire state in the words of the filter', () => {
    expect(fireBadge(fire('dispatched', []))).toEqual({ label: 'pending', tone: 'dispatched' });
    expect(fireBadge(fire('dead', [])).label).toBe('dead');
    const timedOut = fire('retrying', [
      { attempt: 1, message_id: `${ID}:1:1`, outcomes: [{ result: 'timeout', at_ms: 1 }] },
      { attempt: 2, message_id: `${ID}:1:2`, outcomes: [] },
    ]);
    expect(fireBadge(timedOut)).toEqual({ label: 'timeout, retrying', tone: 'retrying' });
    expect(lastOutcomeOf(timedOut)?.result).toBe('timeout');
    expect(attemptsOf(timedOut)).toBe(2);
    expect(attemptsOf(fire('dispatched', []))).toBe(1);
  });

  it('formats durations', () => {
    expect(formatDuration(undefined)).toBe('');
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(2400)).toBe('2.4 s');
    expect(formatDuration(42_000)).toBe('42 s');
    expect(formatDuration(185_000)).toBe('3 min 5 s');
    expect(formatDuration(3_720_000)).toBe('1 h 2 min');
  });

  it('finds the task id of a fire or message id', () => {
    expect(taskIdOf(`${ID}:1767225600000:3`)).toBe(ID);
  });
});

describe('runs view: redrive', () => {
  const ok = (n: number): RedriveItemResult => ({
    message_id: `${ID}:${n}:1`,
    ok: true,
    redriven_as: `${ID}:${n}:2`,
    attempt: 2,
  });
  const bad = (n: number, msg: string): RedriveItemResult => ({
    message_id: `${ID}:${n}:1`,
    ok: false,
    err: 40404,
    msg,
  });

  it('sums batches and says what happened per item', () => {
    let tally = tallyRedrive(EMPTY_TALLY, [ok(1), bad(2, 'no such dead letter')]);
    expect(redriveSummary(tally)).toBe('1 redriven, 1 failed: no such dead letter');
    tally = tallyRedrive(tally, [ok(3), bad(4, 'no such dead letter'), bad(5, 'being redriven')]);
    expect(redriveSummary(tally)).toBe(
      '2 redriven, 3 failed: no such dead letter (×2); being redriven',
    );
    expect(redriveSummary(tallyRedrive(EMPTY_TALLY, [ok(1), ok(2)]))).toBe('2 redriven');
    expect(redriveSummary(EMPTY_TALLY)).toBe('Nothing matched: no dead letter redriven.');
    expect(EMPTY_TALLY).toEqual({ succeeded: 0, failed: 0, problems: [] });
  });

  it('builds a filter with at least one field, until after since', () => {
    const parse = (v: string) => Date.parse(`${v}:00Z`);
    expect(redriveFilterOf({ name: ' a ', since: '', until: '' }, parse)).toEqual({
      filter: { name: 'a' },
    });
    expect(
      redriveFilterOf({ name: '', since: '2026-01-01T00:00', until: '2026-01-02T00:00' }, parse),
    ).toEqual({ filter: { since: 1767225600, until: 1767312000 } });
    expect(redriveFilterOf({ name: ' ', since: '', until: '' }, parse)).toHaveProperty('problem');
    expect(
      redriveFilterOf({ name: '', since: '2026-01-02T00:00', until: '2026-01-01T00:00' }, parse),
    ).toEqual({ problem: 'until must be after since' });
    expect(redriveFilterOf({ name: '', since: 'garbage', until: '' }, () => NaN)).toEqual({
      problem: 'since is not a date and time',
    });
  });

  it('describes a filter for the confirmation', () => {
    const iso = (ms: number) => new Date(ms).toISOString();
    expect(describeRedriveFilter({ name: 'a', since: 1767225600 }, iso)).toBe(
      'every dead letter named a, dead since 2026-01-01T00:00:00.000Z',
    );
  });
});
