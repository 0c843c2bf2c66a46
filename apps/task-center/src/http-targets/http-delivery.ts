import { type FireContext } from '@task-center/client/worker/fire-handler';
import { RetryAfterError } from '@task-center/client/worker/outcome-error';
import { decodeHttpTarget, FireHeader } from '@task-center/contracts';
import { type Dispatcher, request } from 'undici';
import { describeRequestError } from './guarded-agent';
import { type HostLimiter } from './host-limiter';
import { BODY_SNIPPET_BYTES, responseOutcome, targetRequest } from './http-request';

export interface DeliverySettings {
  /** The guarded keep-alive agent: SSRF rules on every connect. */
  dispatcher: Dispatcher;
  limiter: HostLimiter;
  secrets: readonly string[];
  userAgent: string;
  maxPerHost: number;
  /** Longest wait for a free connection to a busy host before the attempt fails. */
  queueWaitMs: number;
}

/**
 * The handler of the HTTP delivery worker: one fire, one request. Resolves on a 2xx; throws
 * (a failed attempt, redelivered at the task's backoff by the task center) otherwise, with
 * the status and the start of the body, or what went wrong on the way.
 */
export class HttpDelivery {
  constructor(private readonly settings: DeliverySettings) {}

  readonly handle = async (
    taskId: string,
    data: string,
    messageId: string,
    ctx: FireContext,
  ): Promise<void> => {
    const decoded = decodeHttpTarget(ctx.headers[FireHeader.target]);
    if (!decoded.ok) throw new Error(`not an HTTP target fire: ${decoded.reason}`);
    const { target } = decoded;
    const url = new URL(target.url);
    const where = `${target.method} ${url.origin}${url.pathname}`;
    const release =
      this.settings.limiter.tryAcquire(url.host) ?? (await this.slotFor(url.host, ctx.signal));
    try {
      const req = targetRequest(
        {
          messageId,
          taskId,
          tag: ctx.tag,
          scheduledAt: ctx.scheduledAt,
          attempt: ctx.attempt,
          data,
        },
        target,
        { secrets: this.settings.secrets, userAgent: this.settings.userAgent, nowMs: Date.now() },
      );
      const timeoutMs = target.timeoutS * 1000;
      // One controller and one timer per request: AbortSignal.timeout + AbortSignal.any cost
      // ~9 % of the worker's CPU at 1,000 requests/s.
      const abort = new AbortController();
      const stop = () => abort.abort(ctx.signal.reason);
      ctx.signal.addEventListener('abort', stop, { once: true });
      const timer = setTimeout(
        () => abort.abort(new DOMException('request timed out', 'TimeoutError')),
        timeoutMs,
      );
      let outcome;
      try {
        const res = await request(req.url, {
          dispatcher: this.settings.dispatcher,
          method: req.method,
          headers: req.headers,
          body: req.body,
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
          signal: abort.signal,
        });
        const ok = res.statusCode >= 200 && res.statusCode < 300;
        const snippet = ok ? (await res.body.dump(), '') : await readSnippet(res.body);
        outcome = responseOutcome(res.statusCode, res.headers, snippet, Date.now());
      } catch (err) {
        throw new Error(`${where}: ${describeRequestError(err, target.timeoutS)}`);
      } finally {
        clearTimeout(timer);
        ctx.signal.removeEventListener('abort', stop);
      }
      if (outcome.ok) return;
      const error = `${where}: ${outcome.error}`;
      throw outcome.retryAfterMs === undefined
        ? new Error(error)
        : new RetryAfterError(error, outcome.retryAfterMs);
    } finally {
      release();
    }
  };

  /** A connection slot to `host`, waiting at most queueWaitMs behind its other requests. */
  private async slotFor(host: string, signal: AbortSignal): Promise<() => void> {
    const { limiter, queueWaitMs, maxPerHost } = this.settings;
    try {
      return await limiter.acquire(
        host,
        AbortSignal.any([signal, AbortSignal.timeout(queueWaitMs)]),
      );
    } catch (err) {
      if (signal.aborted) throw err;
      throw new Error(
        `waited ${queueWaitMs / 1000} s for one of the ${maxPerHost} requests in flight to ${host} (HTTP_TARGET_MAX_PER_HOST)`,
      );
    }
  }
}

/** The first KiB of a body as text; the rest is discarded. */
async function readSnippet(body: Dispatcher.ResponseData['body']): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buf = chunk as Buffer;
    chunks.push(buf);
    size += buf.length;
    if (size >= BODY_SNIPPET_BYTES) break; // leaving the loop destroys the stream
  }
  return Buffer.concat(chunks).subarray(0, BODY_SNIPPET_BYTES).toString('utf8').trim();
}
