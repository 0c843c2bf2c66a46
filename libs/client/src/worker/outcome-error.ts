/**
 * Throw it from a handler to fail the attempt and ask for the next one no sooner than
 * `retryAfterMs` from now (the task's backoff applies when it is longer). The HTTP delivery
 * worker throws it for a `Retry-After` on 429 and 503.
 */
export class RetryAfterError extends Error {
  override readonly name = 'RetryAfterError';

  constructor(
    message: string,
    readonly retryAfterMs: number,
  ) {
    super(message);
  }
}

/** The delay a thrown value asks for: a non-negative `retryAfterMs`, else none. */
export function retryAfterOf(err: unknown): number | undefined {
  const ms = (err as { retryAfterMs?: unknown } | null)?.retryAfterMs;
  return typeof ms === 'number' && Number.isFinite(ms) && ms >= 0 ? Math.ceil(ms) : undefined;
}

/** Longest error message an outcome carries (the contract's limit). */
export const MAX_ERROR_LENGTH = 2000;

/**
 * The message of whatever a handler threw, within MAX_ERROR_LENGTH characters. Handlers can
 * throw anything (strings, plain objects, errors without a message), so every case gives text.
 */
export function errorText(err: unknown): string {
  let text: string;
  if (err instanceof Error) text = err.message || err.name;
  else if (typeof err === 'string') text = err;
  else {
    try {
      text = JSON.stringify(err) ?? String(err);
    } catch {
      text = String(err);
    }
  }
  if (text === '') text = 'handler failed without a message';
  return truncate(text, MAX_ERROR_LENGTH);
}

/** Cuts `text` to `max` characters with a marker, never splitting a surrogate pair. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const marker = '… (truncated)';
  let end = max - marker.length;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return text.slice(0, end) + marker;
}
