/**
 * Time-zone arithmetic on epoch milliseconds through Intl, so results never depend on the
 * machine's TZ and we need no date library of our own.
 */

/** Instants we handle: from the epoch to two days before the end of `Date` (year 275760). */
export const LAST_INSTANT = 8.64e15 - 2 * 24 * 3600_000;

const formatters = new Map<string, Intl.DateTimeFormat>();
// Case variants of a zone name are all valid keys, so bound the cache against odd input.
const MAX_CACHED_ZONES = 500;

/** Longest interval in which we assume a zone changes its offset at most once (see below). */
const OFFSET_SCAN_STRIDE_MS = 6 * 24 * 3600_000;

function formatter(timeZone: string): Intl.DateTimeFormat {
  let format = formatters.get(timeZone);
  if (!format) {
    // Throws RangeError for a zone ICU does not know.
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    if (formatters.size >= MAX_CACHED_ZONES) formatters.clear();
    formatters.set(timeZone, format);
  }
  return format;
}

/** True when ICU knows `timeZone` (an IANA name such as `Europe/Berlin`, or an alias like `UTC`). */
export function isValidTimeZone(timeZone: string): boolean {
  if (timeZone.length === 0) return false;
  try {
    formatter(timeZone);
    return true;
  } catch (error) {
    if (error instanceof RangeError) return false;
    throw error;
  }
}

/** UTC offset of `timeZone` at `instant`, in ms (local wall clock minus UTC; New York in winter: -5h). */
export function offsetAt(timeZone: string, instant: number): number {
  const fields = { year: 0, month: 1, day: 1, hour: 0, minute: 0, second: 0 };
  for (const part of formatter(timeZone).formatToParts(instant)) {
    if (part.type in fields) fields[part.type as keyof typeof fields] = Number(part.value);
  }
  const wall = Date.UTC(fields.year, fields.month - 1, fields.day, fields.hour, fields.minute);
  return wall + fields.second * 1000 - Math.floor(instant / 1000) * 1000;
}

/**
 * The first instant in (from, to] whose offset is not `offset`, or null when there is none.
 * Samples every 6 days, then bisects: no zone changed offset twice within 7 days in 1970-2045
 * (the closest pair is America/Boa_Vista, Oct 2000), so no change can hide between samples.
 */
export function firstOffsetChange(
  timeZone: string,
  from: number,
  to: number,
  offset: number,
): number | null {
  let low = from;
  while (low < to) {
    const high = Math.min(low + OFFSET_SCAN_STRIDE_MS, to);
    if (offsetAt(timeZone, high) !== offset) return bisect(timeZone, low, high, offset);
    low = high;
  }
  return null;
}

/** Smallest instant in (low, high] whose offset differs from `offset`, given that `high`'s does. */
function bisect(timeZone: string, low: number, high: number, offset: number): number {
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    if (offsetAt(timeZone, mid) !== offset) high = mid;
    else low = mid;
  }
  return high;
}
