import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Request signing for HTTP targets: the task center signs every request it makes, the
 * receiver checks the signature with the same shared secret(s).
 *
 * `tc-signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body bytes>")>`, one
 * `v1=` per signing secret so that a key can be rotated without a window where the receiver
 * rejects requests (sign with new and old, then move receivers, then drop the old key).
 */
export const SIGNATURE_HEADER = 'tc-signature';

/** Plain-object headers (Node's `req.headers`, Express) or a fetch `Headers`. */
export type SignatureHeaders =
  Record<string, string | string[] | undefined> | { get(name: string): string | null };

const SCHEME = 'v1';
const HEX_SHA256 = /^[0-9a-f]{64}$/i;
const DIGITS = /^\d+$/;

export function signatureHeader(
  secrets: readonly string[],
  body: string | Uint8Array,
  unixSeconds: number,
): string {
  if (!Number.isSafeInteger(unixSeconds) || unixSeconds < 0) {
    throw new RangeError(`signature timestamp must be whole unix seconds, got ${unixSeconds}`);
  }
  const t = String(unixSeconds);
  const parts = secrets.map((secret) => `${SCHEME}=${hmacOf(secret, t, body).toString('hex')}`);
  return [`t=${t}`, ...parts].join(',');
}

export function verifySignature(
  secrets: string | readonly string[],
  headers: SignatureHeaders,
  rawBody: string | Uint8Array,
  toleranceS = 300,
  nowS = Math.floor(Date.now() / 1000),
): boolean {
  return signatureProblem(secrets, headers, rawBody, toleranceS, nowS) === undefined;
}

/** Why a request's signature does not verify, or `undefined` when it does (for logging). */
export function signatureProblem(
  secrets: string | readonly string[],
  headers: SignatureHeaders,
  rawBody: string | Uint8Array,
  toleranceS = 300,
  nowS = Math.floor(Date.now() / 1000),
): string | undefined {
  // Callers are often plain JavaScript; a parsed JSON body is the classic mistake.
  if (typeof rawBody !== 'string' && !(rawBody instanceof Uint8Array)) {
    return 'raw body must be a string or bytes (was the body parsed before verifying?)';
  }
  const value = headerValue(headers);
  if (value === undefined || value.trim() === '') return `missing ${SIGNATURE_HEADER} header`;
  const parsed = parseSignature(value);
  if (!parsed) return `malformed ${SIGNATURE_HEADER} header`;

  const skew = nowS - Number(parsed.t);
  if (Math.abs(skew) > toleranceS) {
    const age = skew > 0 ? `${skew}s old` : `${-skew}s in the future`;
    return `timestamp outside tolerance (${age}, allowed ${toleranceS}s)`;
  }

  const keys = typeof secrets === 'string' ? [secrets] : secrets;
  for (const secret of keys) {
    const expected = hmacOf(secret, parsed.t, rawBody);
    // Both sides are 32 bytes (the parser only keeps 64-hex-digit values).
    if (parsed.v1.some((candidate) => timingSafeEqual(candidate, expected))) return undefined;
  }
  return 'no signature matches';
}

function hmacOf(secret: string, t: string, body: string | Uint8Array): Buffer {
  return createHmac('sha256', secret).update(`${t}.`).update(body).digest();
}

function headerValue(headers: SignatureHeaders): string | undefined {
  if (typeof headers.get === 'function') {
    return (headers as { get(name: string): string | null }).get(SIGNATURE_HEADER) ?? undefined;
  }
  const record = headers as Record<string, string | string[] | undefined>;
  const key = Object.keys(record).find((name) => name.toLowerCase() === SIGNATURE_HEADER);
  const value = key === undefined ? undefined : record[key];
  // A repeated header arrives as an array (or joined with ", " by Node and fetch): same list.
  return Array.isArray(value) ? value.join(',') : value;
}

interface ParsedSignature {
  t: string;
  v1: Buffer[];
}

/** `undefined` unless there is exactly one timestamp and at least one well-formed `v1`. */
function parseSignature(value: string): ParsedSignature | undefined {
  let t: string | undefined;
  const v1: Buffer[] = [];
  for (const part of value.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) return undefined;
    const key = part.slice(0, eq).trim();
    const item = part.slice(eq + 1).trim();
    if (key === 't') {
      if (!DIGITS.test(item) || !Number.isSafeInteger(Number(item))) return undefined;
      if (t !== undefined && t !== item) return undefined;
      t = item;
    } else if (key === SCHEME) {
      if (!HEX_SHA256.test(item)) return undefined;
      v1.push(Buffer.from(item, 'hex'));
    }
    // Other schemes (a future v2) are ignored so that adding one does not break old receivers.
  }
  return t === undefined || v1.length === 0 ? undefined : { t, v1 };
}
