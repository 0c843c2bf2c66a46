import { FORBIDDEN_TARGET_HEADERS, HEADER_NAME, HTTP_TARGET_LIMITS } from '@task-center/contracts';

/** Headers the delivery worker sets on every request; a target may not replace them. */
const RESERVED = new Set(['user-agent', 'idempotency-key']);

/** Control characters other than tab: what would split or corrupt a header line. */
// eslint-disable-next-line no-control-regex -- refusing control characters is the point
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f]/;

/**
 * A target's headers with lower-cased names, or why they cannot be sent (one line naming the
 * header, starting with `target.headers`).
 */
export function normalizeTargetHeaders(
  headers: Record<string, unknown>,
): { ok: true; headers: Record<string, string> } | { ok: false; problem: string } {
  const out: Record<string, string> = {};
  const entries = Object.entries(headers);
  if (entries.length > HTTP_TARGET_LIMITS.maxHeaders) {
    return bad(`has ${entries.length} headers; at most ${HTTP_TARGET_LIMITS.maxHeaders}`);
  }
  let bytes = 0;
  for (const [name, value] of entries) {
    const lower = name.toLowerCase();
    const shown = JSON.stringify(name.slice(0, 60));
    if (!HEADER_NAME.test(name)) return bad(`name ${shown} is not a valid HTTP header name`);
    if (FORBIDDEN_TARGET_HEADERS.has(lower)) {
      return bad(`must not set ${lower}: the connection owns it`);
    }
    if (RESERVED.has(lower) || lower.startsWith('tc-')) {
      return bad(`must not set ${lower}: the task center sets it on every request`);
    }
    if (lower in out) return bad(`sets ${lower} twice (names are case-insensitive)`);
    if (typeof value !== 'string') return bad(`${lower} must be a string`);
    if (CONTROL.test(value)) return bad(`${lower} must not contain control characters`);
    bytes += Buffer.byteLength(lower) + Buffer.byteLength(value);
    out[lower] = value;
  }
  if (bytes > HTTP_TARGET_LIMITS.headersMaxBytes) {
    return bad(`are ${bytes} bytes; at most ${HTTP_TARGET_LIMITS.headersMaxBytes}`);
  }
  return { ok: true, headers: out };
}

const bad = (problem: string) => ({ ok: false as const, problem: `target.headers ${problem}` });
