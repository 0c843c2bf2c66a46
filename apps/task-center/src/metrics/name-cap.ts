/** The label value of names past the cap. */
export const OTHER = 'other';

/**
 * Bounds the cardinality of a `name` label: the first `max` distinct names keep their own
 * series, every later one is counted under "other" (until the process restarts).
 */
export class NameCap {
  private readonly names = new Set<string>();

  constructor(private readonly max: number) {}

  label(name: string): string {
    if (this.names.has(name)) return name;
    if (this.names.size >= this.max) return OTHER;
    this.names.add(name);
    return name;
  }
}
