/** At most one log line per this long, however many foreign outcomes arrive. */
export const FOREIGN_REPORT_INTERVAL_MS = 60_000;

/**
 * Rate limit for the "outcomes of tasks this database does not know" line: the first one is
 * reported at once, later ones are counted and reported together at most once a minute, each
 * line with a sample message id to look up in the other deployment.
 */
export class ForeignOutcomeReport {
  private lastAt = Number.NEGATIVE_INFINITY;
  private pending = 0;
  private sample: string | undefined;

  /** Records foreign outcomes; returns the line to log now, if one is due. */
  note(messageIds: string[], now: number): string | null {
    if (messageIds.length === 0 && this.pending === 0) return null;
    this.pending += messageIds.length;
    this.sample ??= messageIds[0];
    if (now - this.lastAt < FOREIGN_REPORT_INTERVAL_MS) return null;
    const line =
      `skipped ${this.pending} outcome(s) for tasks this database does not know, e.g. message ` +
      `${this.sample}: another deployment publishes to this results topic ` +
      `(give each its own TASK_CENTER_NAMESPACE); see task_center_foreign_outcomes_total`;
    this.lastAt = now;
    this.pending = 0;
    this.sample = undefined;
    return line;
  }
}
