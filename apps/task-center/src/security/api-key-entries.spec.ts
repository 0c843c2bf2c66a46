import { parseApiKeys } from './api-key-entries';

const KEY = 'k'.repeat(16);

describe('parseApiKeys', () => {
  it('reads a bare key as admin, compatible with keys before scopes', () => {
    expect(parseApiKeys([KEY])).toEqual({ entries: [{ key: KEY, scope: 'admin' }] });
  });

  it('reads the three scope prefixes and strips them from the key', () => {
    expect(parseApiKeys([`admin:${KEY}a`, `write:${KEY}w`, `read:${KEY}r`])).toEqual({
      entries: [
        { key: `${KEY}a`, scope: 'admin' },
        { key: `${KEY}w`, scope: 'write' },
        { key: `${KEY}r`, scope: 'read' },
      ],
    });
  });

  it('splits at the first colon only, so a key with a colon is written with its scope', () => {
    expect(parseApiKeys([`admin:ab:${KEY}`])).toEqual({
      entries: [{ key: `ab:${KEY}`, scope: 'admin' }],
    });
    expect(parseApiKeys([`read::${KEY}`])).toEqual({
      entries: [{ key: `:${KEY}`, scope: 'read' }],
    });
  });

  it.each([
    [`Admin:${KEY}`],
    [`reader:${KEY}`],
    [`ops:${KEY}`],
    [`ab:${KEY}`],
    [`:${KEY}`],
    [` read:${KEY}`],
  ])('rejects %s: the text before the first colon is not a scope', (entry) => {
    const parsed = parseApiKeys([KEY + 'x', entry]);
    expect(parsed).toEqual({ problem: expect.stringMatching(/^entry 2 has an unknown scope/) });
    expect(JSON.stringify(parsed)).not.toContain(KEY);
  });

  it('counts the minimum length without the scope prefix', () => {
    expect(parseApiKeys([`read:${'k'.repeat(15)}`])).toEqual({
      problem: expect.stringMatching(/at least 16 characters, not counting a scope prefix/),
    });
    expect(parseApiKeys(['read:' + 'k'.repeat(11)])).toHaveProperty('problem');
    expect(parseApiKeys([`write:${KEY}`])).toHaveProperty('entries');
  });

  it('rejects the same key twice, even with different scopes', () => {
    expect(parseApiKeys([`read:${KEY}`, `admin:${KEY}`])).toEqual({
      problem: 'entry 2 repeats a key given earlier (one scope per key)',
    });
    expect(parseApiKeys([KEY, `admin:${KEY}`])).toHaveProperty('problem');
  });

  it('accepts no keys at all', () => {
    expect(parseApiKeys([])).toEqual({ entries: [] });
  });
});
