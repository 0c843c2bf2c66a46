/**
 * Registers one value per tag and finds the one for a fire's tag. `'*'` receives every fire
 * whose tag has no handler of its own in this worker (alone or in an `'a||b'` pattern): a fire
 * runs exactly one handler, never its own and `'*'` both (the original Go client ran both; see
 * docs/compatibility.md).
 */
export class TagRouter<T> {
  private readonly byTag = new Map<string, T>();
  private wildcard: T | undefined;

  /**
   * `pattern` is a tag, several joined by `||` (spaces around `||` allowed, as in the original
   * Go client), or `*`. Throws when a tag is already taken, naming it, and registers nothing.
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

/**
 * Splits `'a||b'` (or `'a || b'`: spaces around each tag are dropped) into its tags. Throws,
 * naming the pattern and the fault, on an empty part, a tag with whitespace inside, or a tag
 * given twice.
 */
export function parseTagPattern(pattern: string): string[] {
  const tags = pattern.split('||').map((part) => part.trim());
  const invalid = (fault: string) => new Error(`invalid tag pattern '${pattern}': ${fault}`);
  tags.forEach((tag, i) => {
    if (tag === '') {
      throw invalid(tags.length === 1 ? 'no tag' : `part ${i + 1} of ${tags.length} is empty`);
    }
    if (/\s/.test(tag)) throw invalid(`tag '${tag}' contains whitespace`);
  });
  const twice = tags.find((tag, i) => tags.indexOf(tag) !== i);
  if (twice !== undefined) throw invalid(`tag '${twice}' appears twice`);
  return tags;
}
