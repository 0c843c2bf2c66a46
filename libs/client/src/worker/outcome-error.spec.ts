import { errorText, MAX_ERROR_LENGTH, truncate } from './outcome-error';

describe('errorText', () => {
  it.each<[string, unknown, string]>([
    ['an Error', new Error('boom'), 'boom'],
    ['an Error without a message', new TypeError(), 'TypeError'],
    ['a string', 'plain', 'plain'],
    ['an object', { code: 7 }, '{"code":7}'],
    ['undefined', undefined, 'undefined'],
    ['an empty string', '', 'handler failed without a message'],
  ])('gives the text of %s', (_what, thrown, text) => {
    expect(errorText(thrown)).toBe(text);
  });

  it('survives an object that cannot be serialized', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(errorText(cyclic)).toBe('[object Object]');
  });

  it(`keeps at most ${MAX_ERROR_LENGTH} characters, marking the cut`, () => {
    const text = errorText(new Error('x'.repeat(5000)));
    expect(text).toHaveLength(MAX_ERROR_LENGTH);
    expect(text.endsWith('… (truncated)')).toBe(true);
  });
});

describe('truncate', () => {
  it('does not split a surrogate pair', () => {
    const text = 'a'.repeat(6) + '😀' + 'b'.repeat(20);
    const cut = truncate(text, 20);
    expect(cut.length).toBeLessThanOrEqual(20);
    expect(cut).toBe('aaaaaa… (truncated)');
  });

  it('leaves short text alone', () => {
    expect(truncate('short', 10)).toBe('short');
  });
});
