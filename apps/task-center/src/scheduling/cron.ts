import { CronExpressionParser, type CronExpression } from 'cron-parser';
import { firstOffsetChange, LAST_INSTANT, offsetAt } from './time-zone';

/**
 * A crontab expression evaluated in an IANA time zone, with explicit DST rules.
 *
 * cron-parser only does calendar matching here: it always runs in UTC, over "wall-clock
 * milliseconds" (local date and time written as if it were UTC), where no DST exists. Mapping
 * wall-clock times to instants is ours, because cron-parser's own `tz` mode answers depend on
 * where the search starts (asked from 01:10 EST on 2025-11-02 it returns 01:30 EST for
 * `30 1 * * *`, a second fire after 01:30 EDT) and it drops a skipped time when the DST gap is
 * not a whole hour (Australia/Lord_Howe `15 2 * * *` never fires on 2025-10-05).
 *
 * The rules, by whether the hour field selects all 24 hours:
 * - Every hour (`0 * * * *`, `0,30 * * * *`, `* * * * * *`): the job follows real time. It fires
 *   at every instant whose local time matches, so a repeated fall-back hour fires twice (they
 *   are distinct instants an hour apart) and a spring-forward gap fires nothing (no real instant
 *   was skipped). Fires stay strictly increasing and distinct.
 * - Restricted hours (`30 2 * * *`, `0 0-6 * * *`): the job is about a local time, and each
 *   matching local time fires exactly once. A repeated (fall-back) local time fires at its first
 *   occurrence only; a skipped (spring-forward) local time fires at the first instant after the
 *   gap, i.e. the transition itself (03:00 local in New York and Berlin), like Vixie cron runs
 *   skipped jobs right after the jump. Several skipped times collapse into that single fire.
 */
export class CronRule {
  private constructor(
    private readonly wallClock: CronExpression,
    private readonly timeZone: string,
    private readonly everyHour: boolean,
  ) {}

  /** Parses `expression` (already checked for shape); throws cron-parser's error when invalid. */
  static compile(expression: string, timeZone: string): CronRule {
    // currentDate pinned so the parser never reads the clock; every query resets it anyway.
    const wallClock = CronExpressionParser.parse(expression, { tz: 'UTC', currentDate: 0 });
    return new CronRule(wallClock, timeZone, wallClock.fields.hour.values.length === 24);
  }

  /** The first fire strictly after `instant`, or null when none comes before `limit` (inclusive). */
  after(instant: number, limit = Infinity): number | null {
    let from = instant;
    let offset = offsetAt(this.timeZone, from);
    if (!this.everyHour) {
      const repeatEnd = this.repeatedRangeEnd(from);
      if (repeatEnd !== null) from = repeatEnd - 1;
    }
    // Each turn either returns or moves `from` past one offset change.
    for (;;) {
      const wall = this.nextWallAfter(from + offset);
      if (wall === null) return null;
      const candidate = wall - offset;
      // A wall time maps to within a day of `candidate` whatever the offsets around it.
      if (candidate - 24 * 3600_000 > limit) return null;
      const change = firstOffsetChange(this.timeZone, from, candidate, offset);
      if (change === null) return candidate <= limit ? candidate : null;
      // No wall time of this expression falls in [from + offset, change + offset): nothing fires
      // before `change`. Decide what the offset change at `change` does.
      const newOffset = offsetAt(this.timeZone, change);
      if (newOffset > offset) {
        // Spring forward: wall times [change + offset, change + newOffset) never happen.
        if (!this.everyHour && wall < change + newOffset) return change <= limit ? change : null;
        from = change - 1;
      } else {
        // Fall back: wall times [change + newOffset, change + offset) happen again from `change`.
        from = this.everyHour ? change - 1 : change + (offset - newOffset) - 1;
      }
      offset = newOffset;
    }
  }

  /** Smallest wall-clock time of the expression strictly after `wall`, or null if it never comes. */
  private nextWallAfter(wall: number): number | null {
    if (wall >= LAST_INSTANT) return null;
    try {
      this.wallClock.reset(new Date(wall));
      const next = this.wallClock.next().getTime();
      return next < LAST_INSTANT ? next : null;
    } catch {
      // cron-parser gives up ("loop limit exceeded") after ~10k steps: centuries without a match.
      return null;
    }
  }

  /** When `instant` is inside the second pass of a fall-back hour: the end of that repeat. */
  private repeatedRangeEnd(instant: number): number | null {
    const dayBefore = instant - 24 * 3600_000;
    const earlier = offsetAt(this.timeZone, dayBefore);
    const now = offsetAt(this.timeZone, instant);
    if (earlier <= now) return null;
    const change = firstOffsetChange(this.timeZone, dayBefore, instant, earlier);
    if (change === null) return null;
    const end = change + (earlier - now);
    return instant < end ? end : null;
  }
}
