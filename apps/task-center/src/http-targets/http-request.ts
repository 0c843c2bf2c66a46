import { type FireEnvelope, type HttpTarget, signatureHeader } from '@task-center/contracts';

/** What the delivery worker sends for one fire. */
export interface TargetRequest {
  url: string;
  method: HttpTarget['method'];
  headers: Record<string, string>;
  body: string | undefined;
}

export interface RequestSettings {
  /** `HTTP_TARGET_SIGNING_SECRETS`; none = no `tc-signature`. */
  secrets: readonly string[];
  userAgent: string;
  nowMs: number;
}

/**
 * Pure: the request of one fire. Body = the task's data byte for byte (none for a GET with
 * empty data); the fire's identity in `tc-*` headers and `idempotency-key` (the message id,
 * the same on every re-publish of one attempt); signed over `<unix seconds>.<body>`.
 */
export function targetRequest(
  fire: Pick<FireEnvelope, 'messageId' | 'taskId' | 'tag' | 'scheduledAt' | 'attempt' | 'data'>,
  target: HttpTarget,
  settings: RequestSettings,
): TargetRequest {
  const body = fire.data;
  const headers: Record<string, string> = {
    'content-type': 'application/octet-stream',
    ...target.headers,
    'user-agent': settings.userAgent,
    'idempotency-key': fire.messageId,
    'tc-message-id': fire.messageId,
    'tc-task-id': fire.taskId,
    'tc-tag': fire.tag,
    'tc-scheduled-at': String(fire.scheduledAt),
    'tc-attempt': String(fire.attempt),
  };
  if (settings.secrets.length > 0) {
    headers['tc-signature'] = signatureHeader(
      settings.secrets,
      body,
      Math.floor(settings.nowMs / 1000),
    );
  }
  const noBody = target.method === 'GET' && body === '';
  if (noBody) delete headers['content-type'];
  return { url: target.url, method: target.method, headers, body: noBody ? undefined : body };
}

/** How one response ends the attempt. */
export type ResponseOutcome = { ok: true } | { ok: false; error: string; retryAfterMs?: number };

/** The part of a response body kept in the run history. */
export const BODY_SNIPPET_BYTES = 1024;

/**
 * Pure: 2xx succeeded; anything else failed, with the status, the reason phrase and the
 * first KiB of the body; a 3xx says that redirects are not followed; a `Retry-After` on 429
 * and 503 asks for the next attempt no sooner than it.
 */
export function responseOutcome(
  status: number,
  headers: Record<string, string | string[] | undefined>,
  bodySnippet: string,
  nowMs: number,
): ResponseOutcome {
  if (status >= 200 && status < 300) return { ok: true };
  const head = `HTTP ${status}${reasonOf(status)}`;
  let error: string;
  if (status >= 300 && status < 400) {
    const location = first(headers.location);
    error = `${head}: redirects are not followed${location ? ` (location: ${location.slice(0, 500)})` : ''}`;
  } else {
    error = bodySnippet === '' ? head : `${head}: ${bodySnippet}`;
  }
  if (status === 429 || status === 503) {
    const retryAfterMs = parseRetryAfter(first(headers['retry-after']), nowMs);
    if (retryAfterMs !== undefined) {
      return {
        ok: false,
        error: `${error} (retry after ${Math.ceil(retryAfterMs / 1000)} s)`,
        retryAfterMs,
      };
    }
  }
  return { ok: false, error };
}

/** `Retry-After` as delay-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d{1,10}$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  // An HTTP date has a weekday and "GMT"; Date.parse alone would also accept "1".
  if (Number.isNaN(at) || !/GMT$/.test(text)) return undefined;
  return Math.max(0, at - nowMs);
}

const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

const REASONS: Record<number, string> = {
  301: 'Moved Permanently',
  302: 'Found',
  303: 'See Other',
  307: 'Temporary Redirect',
  308: 'Permanent Redirect',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  409: 'Conflict',
  410: 'Gone',
  413: 'Content Too Large',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

const reasonOf = (status: number) => (REASONS[status] ? ` ${REASONS[status]}` : '');
