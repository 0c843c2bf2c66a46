import { parseTagPattern, TagRouter } from './tag-router';

describe('TagRouter', () => {
  it('routes a tag to its own handler', () => {
    const router = new TagRouter<string>();
    router.add('billing', 'b');
    expect(router.match('billing')).toBe('b');
    expect(router.match('reports')).toBeUndefined();
  });

  it("registers 'a||b' under both tags", () => {
    const router = new TagRouter<string>();
    expect(router.add('a||b', 'ab')).toEqual(['a', 'b']);
    expect(router.match('a')).toBe('ab');
    expect(router.match('b')).toBe('ab');
    expect(router.match('a||b')).toBeUndefined();
  });

  it("sends tags without a handler of their own to '*'", () => {
    const router = new TagRouter<string>();
    router.add('*', 'any');
    router.add('billing', 'b');
    expect(router.match('billing')).toBe('b');
    expect(router.match('reports')).toBe('any');
    expect(router.tags()).toEqual(['billing', '*']);
  });

  it('refuses a second handler for a tag, naming it, and keeps the first', () => {
    const router = new TagRouter<string>();
    router.add('a||b', 'first');
    expect(() => router.add('c||b', 'second')).toThrow(
      "a handler for tag 'b' is already registered",
    );
    expect(router.match('b')).toBe('first');
    expect(router.match('c')).toBeUndefined();
    router.add('*', 'any');
    expect(() => router.add('*', 'again')).toThrow("tag '*' is already registered");
  });

  it.each(['', 'a||', '||b', 'a b', 'a||a'])('rejects the pattern %j', (pattern) => {
    expect(() => parseTagPattern(pattern)).toThrow(/invalid tag pattern/);
  });
});
