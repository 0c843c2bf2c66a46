import { foldFires } from './fire-history';
import { type FireRecord, type RunEvent, type RunEventKind } from './run-records';

const T = '0123456789abcdef01234567';
const published = (scheduledAt: number, attempt: number): FireRecord => ({
  messageId: `${T}:${scheduledAt}:${attempt}`,
  taskId: T,
  name: 'job',
  scheduledAt,
  attempt,
  publishedAt: scheduledAt + attempt * 1000,
  manual: false,
});
const event = (scheduledAt: number, attempt: number, kind: RunEventKind, at: number): RunEvent => ({
  id: `${T}:${scheduledAt}:${attempt}:${kind}`,
  kind,
  messageId: `${T}:${scheduledAt}:${attempt}`,
  taskId: T,
  name: 'job',
  scheduledAt,
  attempt,
  at,
  day: '2026-01-01',
  ...(kind !== 'succeeded' && { error: `${kind} ${attempt}` }),
});

describe('foldFires', () => {
  it('fails twice then succeeds: one fire, three attempts in order, succeeded', () => {
    const [fire, ...rest] = foldFires(
      [published(1000, 3), published(1000, 1), published(1000, 2)],
      [event(1000, 2, 'failed', 20), event(1000, 1, 'failed', 10), event(1000, 3, 'succeeded', 30)],
    );
    expect(rest).toHaveLength(0);
    expect(fire).toMatchObject({ fireId: `${T}:1000`, state: 'succeeded', lastError: 'failed 2' });
    expect(fire!.attempts.map((a) => [a.attempt, a.outcomes.map((o) => o.kind)])).toEqual([
      [1, ['failed']],
      [2, ['failed']],
      [3, ['succeeded']],
    ]);
  });

  it('states: dispatched, retrying (failure or timeout), dead, redriven', () => {
    const fires = foldFires(
      [published(1, 1), published(2, 1), published(3, 1), published(4, 1), published(5, 2)],
      [
        event(2, 1, 'failed', 1),
        event(3, 1, 'timeout', 1),
        event(4, 1, 'failed', 1),
        event(4, 1, 'dead', 2),
        event(5, 1, 'dead', 2),
        event(5, 1, 'redriven', 3),
      ],
    );
    expect(fires.map((f) => [f.scheduledAt, f.state])).toEqual([
      [5, 'dispatched'],
      [4, 'dead'],
      [3, 'retrying'],
      [2, 'retrying'],
      [1, 'dispatched'],
    ]);
  });

  it('ignores duplicate events and keeps an outcome whose publish record is missing', () => {
    const [fire] = foldFires([], [event(7, 1, 'succeeded', 5), event(7, 1, 'succeeded', 6)]);
    expect(fire!.attempts).toEqual([
      { attempt: 1, messageId: `${T}:7:1`, outcomes: [{ kind: 'succeeded', at: 5 }] },
    ]);
    expect(fire!.state).toBe('succeeded');
  });
});
