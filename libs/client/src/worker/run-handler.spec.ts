import { type FireEnvelope, TaskType } from '@task-center/contracts';
import { type FireContext } from './fire-handler';
import { RetryAfterError } from './outcome-error';
import { runHandler } from './run-handler';

const fire: FireEnvelope = {
  tag: 'billing',
  taskId: 't1',
  messageId: 't1:1000:2',
  scheduledAt: 1000,
  publishedAt: 1004,
  attempt: 2,
  taskType: TaskType.Loop,
  data: '{"x":1}',
};

describe('runHandler', () => {
  it('passes (taskId, data, msgId, ctx) and reports success', async () => {
    const seen: unknown[] = [];
    const run = await runHandler(
      (...args) => void seen.push(...args),
      fire,
      { 'tc-tag': 'billing' },
      new AbortController(),
    );
    expect(run.result).toBe('succeeded');
    expect(seen.slice(0, 3)).toEqual(['t1', '{"x":1}', 't1:1000:2']);
    const ctx = seen[3] as FireContext;
    expect(ctx).toMatchObject({
      attempt: 2,
      scheduledAt: 1000,
      publishedAt: 1004,
      tag: 'billing',
      taskType: TaskType.Loop,
      ack: false,
      headers: { 'tc-tag': 'billing' },
    });
    expect(ctx.maxRuntime).toBeUndefined();
  });

  it('reports a synchronous throw and a rejection as failures with their message', async () => {
    const sync = await runHandler(
      () => {
        throw new Error('sync boom');
      },
      fire,
      {},
      new AbortController(),
    );
    expect(sync).toMatchObject({ result: 'failed', error: 'sync boom' });
    const rejected = await runHandler(
      () => Promise.reject(new Error('async boom')),
      fire,
      {},
      new AbortController(),
    );
    expect(rejected).toMatchObject({ result: 'failed', error: 'async boom' });
    expect(rejected.timedOut).toBeUndefined();
  });

  it('reports the retryAfterMs of a RetryAfterError (or any error carrying one)', async () => {
    const run = (err: Error) =>
      runHandler(() => Promise.reject(err), fire, {}, new AbortController());
    expect(await run(new RetryAfterError('HTTP 429', 3000))).toMatchObject({
      result: 'failed',
      error: 'HTTP 429',
      retryAfterMs: 3000,
    });
    expect(await run(Object.assign(new Error('x'), { retryAfterMs: 12.2 }))).toMatchObject({
      retryAfterMs: 13,
    });
    expect(await run(Object.assign(new Error('x'), { retryAfterMs: -1 }))).not.toHaveProperty(
      'retryAfterMs',
    );
    expect(await run(new Error('plain'))).not.toHaveProperty('retryAfterMs');
  });

  it('reads headers given as a function once, and only when the handler reads them', async () => {
    let reads = 0;
    const headers = () => {
      reads++;
      return { 'tc-tag': 'billing' };
    };
    await runHandler(() => undefined, fire, headers, new AbortController());
    expect(reads).toBe(0);
    const seen: Record<string, string>[] = [];
    await runHandler(
      (_t, _d, _m, ctx) => void seen.push(ctx.headers, ctx.headers),
      fire,
      headers,
      new AbortController(),
    );
    expect(reads).toBe(1);
    expect(seen).toEqual([{ 'tc-tag': 'billing' }, { 'tc-tag': 'billing' }]);
  });

  it('fails a run past max_runtime as timed out and aborts its signal', async () => {
    jest.useFakeTimers();
    try {
      const controller = new AbortController();
      let signal: AbortSignal | undefined;
      const pending = runHandler(
        (_t, _d, _m, ctx) => {
          signal = ctx.signal;
          return new Promise(() => undefined);
        },
        { ...fire, maxRuntime: 2 },
        {},
        controller,
      );
      await jest.advanceTimersByTimeAsync(1999);
      expect(signal?.aborted).toBe(false);
      await jest.advanceTimersByTimeAsync(1);
      const run = await pending;
      expect(run).toMatchObject({ result: 'failed', timedOut: true });
      expect(run.error).toContain('max_runtime (2 s)');
      expect(signal?.aborted).toBe(true);
    } finally {
      jest.useRealTimers();
    }
  });
});
