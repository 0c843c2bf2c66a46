import { parseWorkerEvent } from './worker-event.parser';

const T = '0123456789abcdef01234567';
const worker = { id: 'w1', group: 'billing', host: 'h', pid: 7, sdk: '0.1.0' };
const outcome = {
  kind: 'outcome',
  v: 1,
  messageId: `${T}:1700000000000:2`,
  taskId: T,
  tag: 'billing.charge',
  attempt: 2,
  scheduledAt: 1700000000000,
  result: 'failed',
  error: 'boom',
  startedAt: 1700000001000,
  durationMs: 12,
  worker,
};
const json = (v: unknown) => Buffer.from(JSON.stringify(v));

describe('parseWorkerEvent', () => {
  it('accepts an outcome and a heartbeat as the SDK sends them', () => {
    expect(parseWorkerEvent(json(outcome))).toEqual({ ok: true, event: outcome });
    const beat = { kind: 'heartbeat', v: 1, worker, tags: ['a', '*'], at: 5, intervalMs: 1000 };
    expect(parseWorkerEvent(json(beat))).toEqual({ ok: true, event: beat });
    expect(parseWorkerEvent(json({ ...beat, stopping: true }))).toMatchObject({
      ok: true,
      event: { stopping: true },
    });
  });

  it("keeps a failed outcome's retryAfterMs when it is a whole number of ms, nothing else", () => {
    const parsed = (extra: object) => parseWorkerEvent(json({ ...outcome, ...extra }));
    expect(parsed({ retryAfterMs: 3000 })).toMatchObject({ event: { retryAfterMs: 3000 } });
    for (const bad of [-1, 1.5, '3000', null]) {
      expect(parsed({ retryAfterMs: bad })).toEqual({ ok: true, event: outcome });
    }
    const succeeded = parsed({ result: 'succeeded', error: undefined, retryAfterMs: 5 });
    expect(succeeded.ok && succeeded.event).not.toHaveProperty('retryAfterMs');
  });

  it.each([
    ['empty value', null],
    ['value is not JSON', Buffer.from('{nope')],
    ['value is not a JSON object', json([1])],
    ['unknown version 2', json({ ...outcome, v: 2 })],
    ['outcome: bad worker identity', json({ ...outcome, worker: { id: 'w' } })],
    ['unknown kind "x"', json({ ...outcome, kind: 'x' })],
    ['outcome: bad messageId', json({ ...outcome, messageId: 'a:b:c' })],
    ['outcome: fields disagree with messageId', json({ ...outcome, attempt: 3 })],
    ['outcome: bad result', json({ ...outcome, result: 'maybe' })],
    ['outcome: bad startedAt/durationMs/tag', json({ ...outcome, durationMs: -1 })],
    [
      'heartbeat: bad at/intervalMs',
      json({ kind: 'heartbeat', v: 1, worker, at: 1, intervalMs: 0 }),
    ],
  ])('rejects: %s', (reason, value) => {
    expect(parseWorkerEvent(value)).toEqual({ ok: false, reason });
  });

  it('bounds what it keeps: long errors are cut, stray tags dropped', () => {
    const parsed = parseWorkerEvent(json({ ...outcome, error: 'x'.repeat(5000) }));
    expect(parsed.ok && parsed.event.kind === 'outcome' && parsed.event.error?.length).toBe(2000);
    const beat = parseWorkerEvent(
      json({ kind: 'heartbeat', v: 1, worker, tags: ['a', 3, ''], at: 1, intervalMs: 1 }),
    );
    expect(beat.ok && beat.event.kind === 'heartbeat' && beat.event.tags).toEqual(['a']);
  });
});
