/**
 * Instants as the dashboard shows them: in the viewer's zone (or a given IANA zone, with its
 * offset), the UTC instant for a `title`, relative to now, and the `datetime-local` input of a
 * zone ↔ unix seconds. Pure: `now` is passed in, never read.
 */

/** The viewer's IANA zone (the browser's). */
export const viewerZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterOf(zone: string | undefined): Intl.DateTimeFormat {
  const key = zone ?? '';
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone: zone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'longOffset',
    });
    formatters.set(key, f);
  }
  return f;
}

interface Parts {
  year: string;
  month: string;
  day: string;
  hour: string;
  minute: string;
  second: string;
  offset: string;
}

function partsOf(ms: number, zone: string | undefined): Parts {
  const parts: Record<string, string> = {};
  for (const p of formatterOf(zone).formatToParts(new Date(ms))) parts[p.type] = p.value;
  const name = parts.timeZoneName ?? 'GMT';
  return {
    year: parts.year ?? '',
    month: parts.month ?? '',
    day: parts.day ?? '',
    hour: parts.hour ?? '',
    minute: parts.minute ?? '',
    second: parts.second ?? '',
    // "GMT+02:00" → "+02:00"; "GMT" (UTC itself) → "+00:00"
    offset: name === 'GMT' ? '+00:00' : name.replace(/^GMT/, ''),
  };
}

/** The UTC offset of `zone` at this instant: "+02:00". */
export function offsetOf(ms: number, zone?: string): string {
  return partsOf(ms, zone).offset;
}

/**
 * `2026-11-27 14:05:09` in the viewer's zone, or with a `zone`: `2026-11-27 14:05:09 +01:00`
 * (the offset says which wall clock it is).
 */
export function formatInstant(ms: number, zone?: string): string {
  const p = partsOf(ms, zone);
  const text = `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
  return zone === undefined ? text : `${text} ${p.offset}`;
}

/** The instant in UTC, ISO 8601 (for a `title` on hover): `2026-11-27T13:05:09.000Z`. */
export function utcTitle(ms: number): string {
  return `${new Date(ms).toISOString()} (UTC)`;
}

/** Unix seconds (the API's task times) → epoch ms. */
export const msOfSeconds = (seconds: number): number => Math.round(seconds * 1000);

/** "in 5 min", "3 s ago", "now" (within a second), "in 2 h", "4 d ago". */
export function relative(ms: number, now: number): string {
  const delta = ms - now;
  const abs = Math.abs(delta);
  if (abs < 1000) return 'now';
  const s = Math.floor(abs / 1000);
  let amount: string;
  if (s < 60) amount = `${s} s`;
  else if (s < 3600) amount = `${Math.floor(s / 60)} min`;
  else if (s < 86_400) amount = `${Math.floor(s / 3600)} h`;
  else amount = `${Math.floor(s / 86_400)} d`;
  return delta > 0 ? `in ${amount}` : `${amount} ago`;
}

/** A duration in ms as a person reads it: "850 ms", "2.4 s", "3 min 5 s". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${s % 60} s`;
}

/**
 * Unix seconds → the value of an `<input type="datetime-local" step="1">` showing that instant
 * on the wall clock of `zone` (`2026-11-27T14:05:09`).
 */
export function toLocalInput(seconds: number, zone: string): string {
  const p = partsOf(seconds * 1000, zone);
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}`;
}

const LOCAL_INPUT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;

/**
 * A `datetime-local` value read on the wall clock of `zone` → unix seconds; undefined when it is
 * not a valid value. A wall time skipped by a DST jump is read with the offset before the jump;
 * a repeated one resolves to its first occurrence.
 */
export function fromLocalInput(value: string, zone: string): number | undefined {
  const m = LOCAL_INPUT.exec(value.trim());
  if (!m) return undefined;
  const n = (i: number) => Number(m[i] ?? 0);
  const [y, mo, d] = [n(1), n(2), n(3)];
  const wall = Date.UTC(y, mo - 1, d, n(4), n(5), n(6));
  const check = new Date(wall);
  if (check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) return undefined;
  // The instant is wall - offset; the offset depends on the instant: try both candidates.
  const offsetMs = (at: number) => {
    const p = partsOf(at, zone);
    return (
      Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second) -
      Math.floor(at / 1000) * 1000
    );
  };
  const first = wall - offsetMs(wall - 86_400_000 / 2);
  const candidates = [first, wall - offsetMs(first), wall - offsetMs(wall + 86_400_000 / 2)];
  const exact = candidates.filter((at) => offsetMs(at) === wall - at).sort((a, b) => a - b);
  return Math.floor((exact[0] ?? first) / 1000);
}

/** The zones a browser knows (for a `<select>`), the viewer's and UTC always included. */
export function knownZones(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (key: string) => string[] };
  const zones = intl.supportedValuesOf?.('timeZone') ?? [];
  return [...new Set(['UTC', viewerZone(), ...zones])].sort();
}
