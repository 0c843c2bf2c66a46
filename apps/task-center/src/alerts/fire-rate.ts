/** A threshold crossed in the current minute. */
export interface RateBreach {
  scope: 'name' | 'total';
  name?: string;
  count: number;
  threshold: number;
  minute: number;
}

/**
 * Fires per clock minute, per name and in total, against the seed's `name_alert_count` and
 * `total_alert_count`. Reports a breach once per name (and once for the total) per minute,
 * when the count first goes over the threshold. 0 turns a threshold off.
 */
export class FireRate {
  private minute = -1;
  private total = 0;
  private readonly perName = new Map<string, number>();

  constructor(
    private readonly perNameThreshold: number,
    private readonly totalThreshold: number,
  ) {}

  record(names: readonly string[], now: number): RateBreach[] {
    const minute = Math.floor(now / 60_000);
    if (minute !== this.minute) {
      this.minute = minute;
      this.total = 0;
      this.perName.clear();
    }
    const breaches: RateBreach[] = [];
    for (const name of names) {
      if (this.perNameThreshold > 0) {
        const count = (this.perName.get(name) ?? 0) + 1;
        this.perName.set(name, count);
        if (count === this.perNameThreshold + 1) {
          breaches.push({ scope: 'name', name, count, threshold: this.perNameThreshold, minute });
        }
      }
      this.total++;
      if (this.totalThreshold > 0 && this.total === this.totalThreshold + 1) {
        breaches.push({
          scope: 'total',
          count: this.total,
          threshold: this.totalThreshold,
          minute,
        });
      }
    }
    return breaches;
  }
}
