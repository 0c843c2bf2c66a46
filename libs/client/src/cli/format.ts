/** Output helpers of the CLI: a compact aligned table and time formats. All pure. */

const GAP = '  ';

/**
 * Columns padded to their widest cell and separated by two spaces; the last column is not
 * padded, so no line ends in spaces. Line breaks and tabs inside a cell become spaces.
 */
export function formatTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const clean = (cell: string) => cell.replace(/[\r\n\t]+/g, ' ');
  const all = [headers, ...rows].map((row) => headers.map((_, i) => clean(row[i] ?? '')));
  const widths = headers.map((_, i) => Math.max(...all.map((row) => [...row[i]!].length)));
  return all
    .map((row) =>
      row
        .map((cell, i) =>
          i === row.length - 1 ? cell : cell + ' '.repeat(widths[i]! - [...cell].length),
        )
        .join(GAP)
        .trimEnd(),
    )
    .join('\n');
}

/** `field  value` lines, the names aligned (one record, e.g. `tasks get`). */
export function formatFields(fields: readonly (readonly [string, string])[]): string {
  const width = Math.max(0, ...fields.map(([name]) => name.length));
  return fields.map(([name, value]) => `${name.padEnd(width)}${GAP}${value}`.trimEnd()).join('\n');
}

/** Cuts a cell to `max` characters, ending in `…` when cut. */
export function truncate(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

/** `2026-01-01T07:30:00Z` (UTC, whole seconds); `-` for null/undefined. */
export function isoFromMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '-';
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The same from unix seconds, as the tasks API gives them. */
export function isoFromSeconds(seconds: number | null | undefined): string {
  return seconds === null || seconds === undefined ? '-' : isoFromMs(seconds * 1000);
}

/**
 * Wall-clock time in an IANA zone with its UTC offset: `2026-01-01 02:30:00 GMT-05:00`
 * (`GMT+00:00` in UTC, whatever the ICU build prints). Throws a RangeError for an unknown zone.
 */
export function zonedTime(ms: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'longOffset',
  }).formatToParts(new Date(ms));
  const part = (type: Intl.DateTimeFormatPartTypes) =>
    parts.find((p) => p.type === type)?.value ?? '';
  const offset = part('timeZoneName') === 'GMT' ? 'GMT+00:00' : part('timeZoneName');
  return `${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')}:${part('second')} ${offset}`;
}
