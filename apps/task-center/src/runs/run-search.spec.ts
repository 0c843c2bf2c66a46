import { ApiError } from '../errors/api-error';
import { foldFires } from './fire-history';
import { type FireRecord, runEvent } from './run-records';
import {
  decodeCursor,
  encodeCursor,
  ErrorGroups,
  MAX_WINDOW_MS,
  searchStateOf,
  windowOf,
} from './run-search';

const TASK = '65f000000000000000000001';
const AT = 1_900_000_000_000;
const ref = (attempt: number) => ({ taskId: TASK, name: 'n', scheduledAt: AT, attempt });
const published = (attempt: number): FireRecord => ({
  messageId: `${TASK}:${AT}:${attempt}`,
  taskId: TASK,
  name: 'n',
  scheduledAt: AT,
  publishedAt: AT + attempt,
  attempt,
  manual: false,
});
const stateOf = (attempts: number, events: ReturnType<typeof runEvent>[]) =>
  searchStateOf(
    foldFires(
      Array.from({ length: attempts }, (_, i) => published(i + 1)),
      events,
    )[0]!,
  );

describe('searchStateOf', () => {
  it('maps the folded states: pending, succeeded, failed, timeout, dead', () => {
    expect(stateOf(1, [])).toBe('pending');
    expect(stateOf(1, [runEvent('succeeded', ref(1), AT + 10)])).toBe('succeeded');
    expect(stateOf(1, [runEvent('failed', ref(1), AT + 10)])).toBe('failed');
    expect(stateOf(1, [runEvent('timeout', ref(1), AT + 10)])).toBe('timeout');
    expect(
      stateOf(1, [runEvent('failed', ref(1), AT + 10), runEvent('dead', ref(1), AT + 11)]),
    ).toBe('dead');
  });

  it('follows the latest attempt: a failure then a published retry is pending again', () => {
    expect(stateOf(2, [runEvent('failed', ref(1), AT + 10)])).toBe('pending');
    expect(
      stateOf(2, [runEvent('failed', ref(1), AT + 10), runEvent('timeout', ref(2), AT + 20)]),
    ).toBe('timeout');
  });

  it('a redriven dead attempt, before its next attempt is out, is as it failed', () => {
    const events = [
      runEvent('timeout', ref(1), AT + 10),
      runEvent('dead', ref(1), AT + 11),
      runEvent('redriven', ref(1), AT + 12),
    ];
    expect(stateOf(1, events)).toBe('timeout');
  });
});

describe('windowOf', () => {
  const NOW = 1_900_000_000_123;

  it('defaults to the last 24 h up to the next whole second', () => {
    expect(windowOf(undefined, undefined, NOW)).toEqual({
      from: 1_900_000_001_000 - 86_400_000,
      to: 1_900_000_001_000,
    });
    expect(windowOf(undefined, 1000, NOW)).toEqual({ from: 1_000_000 - 86_400_000, to: 1_000_000 });
  });

  it('takes seconds, [from, to), at most 7 days', () => {
    expect(windowOf(10, 20, NOW)).toEqual({ from: 10_000, to: 20_000 });
    expect(windowOf(0, MAX_WINDOW_MS / 1000, NOW)).toEqual({ from: 0, to: MAX_WINDOW_MS });
    expect(() => windowOf(0, MAX_WINDOW_MS / 1000 + 1, NOW)).toThrow(ApiError);
    expect(() => windowOf(20, 20, NOW)).toThrow('from must be before to');
    expect(() => windowOf(21, 20, NOW)).toThrow(ApiError);
  });
});

describe('cursor', () => {
  it('round-trips and refuses anything else', () => {
    const key = { scheduledAt: AT, taskId: TASK };
    expect(decodeCursor(encodeCursor(key))).toEqual(key);
    for (const bad of [
      '',
      'abc',
      Buffer.from(`${AT}.xyz`).toString('base64url'),
      `${AT}.${TASK}`,
    ]) {
      expect(() => decodeCursor(bad)).toThrow('cursor must be the next_cursor of a previous page');
    }
  });
});

describe('ErrorGroups', () => {
  const failure = (error: string | undefined, name: string, at: number, attempt = 1) => ({
    kind: 'failed' as const,
    messageId: `${TASK}:${at}:${attempt}`,
    taskId: TASK,
    name,
    scheduledAt: at,
    at,
    ...(error !== undefined && { error }),
  });

  it('counts per message, first/last seen, names once (at most 10), the latest as example', () => {
    const g = new ErrorGroups();
    g.add(failure('boom', 'a', 30));
    g.add(failure('boom', 'b', 10));
    g.add(failure('boom', 'a', 20));
    g.add(failure('other', 'c', 40));
    g.add(failure(undefined, 'd', 5));
    for (let i = 0; i < 12; i++) g.add(failure('many', `n${i}`, 100 + i));
    const [many, boom, other, none] = g.top(10);
    expect(many).toMatchObject({ error: 'many', count: 12, firstSeen: 100, lastSeen: 111 });
    expect(many!.names).toHaveLength(10);
    expect(boom).toEqual({
      error: 'boom',
      count: 3,
      firstSeen: 10,
      lastSeen: 30,
      names: ['a', 'b'],
      example: { fireId: `${TASK}:30`, messageId: `${TASK}:30:1` },
    });
    // Equal counts: the latest first.
    expect([other!.error, none!.error]).toEqual(['other', '']);
    expect(g.top(1)).toHaveLength(1);
  });
});
