import { type FireEnvelope } from '@task-center/contracts';
import { type FireContext, type FireHandler } from './fire-handler';
import { type Abortable } from './lazy-abort';
import { errorText, retryAfterOf } from './outcome-error';

/** How one handler run ended, in the words of the outcome event. */
export interface HandlerRun {
  result: 'succeeded' | 'failed';
  error?: string;
  timedOut?: boolean;
  /** Failed only: the handler asked for the next attempt no sooner than this (ms). */
  retryAfterMs?: number;
  /** Epoch ms. */
  startedAt: number;
  durationMs: number;
}

/**
 * Runs `handler` for `fire`, bounded by the fire's max runtime. Past it, the run counts as a
 * timed-out failure at once and `controller` is aborted; the function itself cannot be stopped,
 * so whatever it does later is ignored. `headers` may be given as a function, called when the
 * handler first reads them.
 */
export async function runHandler(
  handler: FireHandler,
  fire: FireEnvelope,
  headers: Record<string, string> | (() => Record<string, string>),
  controller: Abortable,
): Promise<HandlerRun> {
  let headerStrings = typeof headers === 'function' ? undefined : headers;
  const ctx: FireContext = {
    taskId: fire.taskId,
    messageId: fire.messageId,
    tag: fire.tag,
    attempt: fire.attempt,
    scheduledAt: fire.scheduledAt,
    publishedAt: fire.publishedAt,
    taskType: fire.taskType,
    ...(fire.maxRuntime ? { maxRuntime: fire.maxRuntime } : {}),
    ack: fire.ack === true,
    // Made when read: most handlers read neither (see LazyAbort).
    get headers() {
      return (headerStrings ??= (headers as () => Record<string, string>)());
    },
    get signal() {
      return controller.signal;
    },
  };
  const startedAt = Date.now();
  const ended = (rest: Omit<HandlerRun, 'startedAt' | 'durationMs'>): HandlerRun => ({
    ...rest,
    startedAt,
    durationMs: Date.now() - startedAt,
  });

  // Promise.resolve().then() turns a synchronous throw into a rejection as well.
  const run = Promise.resolve()
    .then(() => handler(fire.taskId, fire.data, fire.messageId, ctx))
    .then(
      () => ended({ result: 'succeeded' }),
      (err: unknown) => {
        const retryAfterMs = retryAfterOf(err);
        return ended({
          result: 'failed',
          error: errorText(err),
          ...(retryAfterMs !== undefined && { retryAfterMs }),
        });
      },
    );
  if (!fire.maxRuntime) return run;

  const limitMs = fire.maxRuntime * 1000;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<HandlerRun>((resolve) => {
    timer = setTimeout(() => {
      const error = `handler still running after max_runtime (${fire.maxRuntime} s)`;
      controller.abort(new Error(error));
      resolve(ended({ result: 'failed', error, timedOut: true }));
    }, limitMs);
  });
  try {
    return await Promise.race([run, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
