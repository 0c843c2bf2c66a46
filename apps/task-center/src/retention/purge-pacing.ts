/**
 * When the purge may start its next delete statement, pure. The dispatcher publishes at whole
 * seconds and keeps a quiet window from 50 ms before each slot to 15 ms after it; right after
 * it come the slot's write-back chunks. A delete starts only inside [WINDOW_FROM_MS,
 * WINDOW_TO_MS) of a second, so it runs while the publish loop is idle and, unless it takes
 * longer than the rest of the window, ends before the next slot.
 */
export const WINDOW_FROM_MS = 100;
export const WINDOW_TO_MS = 600;

/** Ms from `now` until a statement may start inside the window (0: now). */
export function windowDelayMs(now: number): number {
  const inSecond = ((now % 1000) + 1000) % 1000;
  if (inSecond >= WINDOW_FROM_MS && inSecond < WINDOW_TO_MS) return 0;
  return (WINDOW_FROM_MS - inSecond + 1000) % 1000 || 1000;
}

/**
 * Ms to wait before the next statement after one that took `lastTookMs`: at least as long as
 * it took (the purge holds the database at most half the time), then into the window.
 */
export function nextStatementDelayMs(now: number, lastTookMs: number): number {
  const rest = Math.max(0, lastTookMs);
  return rest + windowDelayMs(now + rest);
}
