/**
 * An HTTP target: a task whose fires call a URL instead of going to SDK workers. The task
 * center publishes such fires to the HTTP topic with the target in the `tc-target` header
 * (JSON, the API's snake_case), so the delivery worker needs nothing but the message.
 */
export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

export const HTTP_TARGET_DEFAULTS = { method: 'POST', timeoutS: 10 } as const;
export const HTTP_TARGET_LIMITS = {
  urlMaxLength: 2048,
  timeoutMinS: 1,
  timeoutMaxS: 300,
  maxHeaders: 50,
  headersMaxBytes: 8192,
} as const;

/** Request headers a target may not set: hop-by-hop ones, and those the transport owns. */
export const FORBIDDEN_TARGET_HEADERS: ReadonlySet<string> = new Set([
  'host',
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'content-length',
  'expect',
]);

/** RFC 9110 token: what a header name may be made of. */
export const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}$/;

export interface HttpTarget {
  type: 'http';
  url: string;
  method: HttpMethod;
  /** Lower-cased names. */
  headers: Record<string, string>;
  timeoutS: number;
}

/** The `tc-target` header value of a fire. */
export function encodeHttpTarget(target: HttpTarget): string {
  return JSON.stringify({
    type: target.type,
    url: target.url,
    method: target.method,
    headers: target.headers,
    timeout_s: target.timeoutS,
  });
}

/** Parses a `tc-target` header; a reason instead when it is not one this version understands. */
export function decodeHttpTarget(
  value: string | undefined,
): { ok: true; target: HttpTarget } | { ok: false; reason: string } {
  if (value === undefined) return { ok: false, reason: 'missing header tc-target' };
  let raw: unknown;
  try {
    raw = JSON.parse(value);
  } catch {
    return { ok: false, reason: 'tc-target is not JSON' };
  }
  const t = raw as Record<string, unknown> | null;
  if (typeof t !== 'object' || t === null || t.type !== 'http') {
    return { ok: false, reason: 'tc-target: unknown target type' };
  }
  if (typeof t.url !== 'string' || !HTTP_METHODS.includes(t.method as HttpMethod)) {
    return { ok: false, reason: 'tc-target: bad url or method' };
  }
  const timeoutS = t.timeout_s;
  if (typeof timeoutS !== 'number' || !Number.isInteger(timeoutS) || timeoutS < 1) {
    return { ok: false, reason: 'tc-target: bad timeout_s' };
  }
  const headers: Record<string, string> = {};
  if (typeof t.headers === 'object' && t.headers !== null) {
    for (const [name, v] of Object.entries(t.headers)) {
      if (typeof v === 'string') headers[name.toLowerCase()] = v;
    }
  }
  return {
    ok: true,
    target: { type: 'http', url: t.url, method: t.method as HttpMethod, headers, timeoutS },
  };
}
