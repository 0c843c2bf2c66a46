/** Registers one value per tag and finds the one for a fire's tag ('*' catches the rest). */
export class TagRouter<T> {
  private readonly byTag = new Map<string, T>();
  private wildcard: T | undefined;

  /**
   * `pattern` is a tag, several joined by `||` (as in the seed's Go client), or `*` for every
   * tag without a handler of its own. Throws when a tag is already taken, naming it.
   */
  add(pattern: string, value: T): string[] {
    const tags = parseTagPattern(pattern);
    for (const tag of tags) {
      const taken = tag === '*' ? this.wildcard !== undefined : this.byTag.has(tag);
      if (taken) throw new Error(`a handler for tag '${tag}' is already registered`);
    }
    for (const tag of tags) {
      if (tag === '*') this.wildcard = value;
      else this.byTag.set(tag, value);
    }
    return tags;
  }

  /** The value for `tag`: its own, else the wildcard's, else undefined (skip the fire). */
  match(tag: string): T | undefined {
    return this.byTag.get(tag) ?? this.wildcard;
  }

  /** Every registered tag, '*' included; what heartbeats report. */
  tags(): string[] {
    const tags = [...this.byTag.keys()].sort();
    return this.wildcard === undefined ? tags : [...tags, '*'];
  }

  get size(): number {
    return this.byTag.size + (this.wildcard === undefined ? 0 : 1);
  }
}

/** Splits `a||b` into its tags; rejects empty parts, whitespace and repeats. */
export function parseTagPattern(pattern: string): string[] {
  const tags = pattern.split('||');
  for (const tag of tags) {
    if (tag === '' || /\s/.test(tag)) {
      throw new Error(`invalid tag pattern '${pattern}': tags are non-empty, without spaces`);
    }
  }
  if (new Set(tags).size !== tags.length) {
    throw new Error(`invalid tag pattern '${pattern}': a tag appears twice`);
  }
  return tags;
}
