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

  it.each(['a || b', 'a ||b', 'a|| b', ' a\t||  b '])(
    'registers %j under both tags, as the original Go client did',
    (pattern) => {
      const router = new TagRouter<string>();
      expect(router.add(pattern, 'ab')).toEqual(['a', 'b']);
      expect(router.match('a')).toBe('ab');
      expect(router.match('b')).toBe('ab');
      expect(router.tags()).toEqual(['a', 'b']);
    },
  );

  it("sends '*' exactly the tags without a handler of their own, whatever the order of registration", () => {
    for (const order of [['*', 'a', 'c || d'] as const, ['a', 'c || d', '*'] as const]) {
      const router = new TagRouter<string>();
      for (const pattern of order) router.add(pattern, pattern);
      expect(router.match('a')).toBe('a');
      expect(router.match('c')).toBe('c || d');
      expect(router.match('d')).toBe('c || d');
      expect(router.match('b')).toBe('*');
      expect(router.match('reports.daily')).toBe('*');
      expect(router.tags()).toEqual(['a', 'c', 'd', '*']);
    }
  });

  it('refuses a second handler for a tag, naming it, and keeps the first', () => {
    const router = new TagRouter<string>();
    router.add('a||b', 'first');
    expect(() => router.add('c || b', 'second')).toThrow(
      "a handler for tag 'b' is already registered",
    );
    expect(router.match('b')).toBe('first');
    expect(router.match('c')).toBeUndefined();
    router.add('*', 'any');
    expect(() => router.add(' * ', 'again')).toThrow("tag '*' is already registered");
  });
});

describe('parseTagPattern', () => {
  it('trims each tag', () => {
    expect(parseTagPattern(' billing ')).toEqual(['billing']);
    expect(parseTagPattern('a ||b|| c')).toEqual(['a', 'b', 'c']);
    expect(parseTagPattern('*')).toEqual(['*']);
  });

  it.each([
    ['', "invalid tag pattern '': no tag"],
    ['  ', "invalid tag pattern '  ': no tag"],
    ['a||', "invalid tag pattern 'a||': part 2 of 2 is empty"],
    ['|| b', "invalid tag pattern '|| b': part 1 of 2 is empty"],
    ['a ||  || b', "invalid tag pattern 'a ||  || b': part 2 of 3 is empty"],
    ['a b', "invalid tag pattern 'a b': tag 'a b' contains whitespace"],
    ['a || b c', "invalid tag pattern 'a || b c': tag 'b c' contains whitespace"],
    ['a||a', "invalid tag pattern 'a||a': tag 'a' appears twice"],
    ['a || b || a', "invalid tag pattern 'a || b || a': tag 'a' appears twice"],
  ])('rejects %j: %s', (pattern, message) => {
    expect(() => parseTagPattern(pattern)).toThrow(message);
  });
});
