import { ApiKeys, presentedKey } from './api-keys';

describe('ApiKeys', () => {
  const keys = new ApiKeys(['first-key-0123456789', 'second-key-0123456789']);

  it('accepts each configured key and nothing else', () => {
    expect(keys.accepts('first-key-0123456789')).toBe(true);
    expect(keys.accepts('second-key-0123456789')).toBe(true);
    expect(keys.accepts('first-key-012345678')).toBe(false);
    expect(keys.accepts('')).toBe(false);
    expect(keys.accepts(undefined)).toBe(false);
  });

  it('is open without keys', () => {
    expect(new ApiKeys([]).accepts(undefined)).toBe(true);
  });

  it('reads a bearer token or X-API-Key', () => {
    expect(presentedKey({ authorization: 'Bearer abc' })).toBe('abc');
    expect(presentedKey({ authorization: 'bearer  abc ' })).toBe('abc');
    expect(presentedKey({ 'x-api-key': 'xyz' })).toBe('xyz');
    expect(presentedKey({ authorization: 'Basic abc' })).toBeUndefined();
  });

  describe('with scopes', () => {
    const scoped = new ApiKeys([
      'bare-key-0123456789',
      'admin:admin-key-0123456789',
      'write:write-key-0123456789',
      'read:read-key-0123456789',
      'admin:colon:key-0123456789',
    ]);

    it('knows the scope of each key, a bare key being admin', () => {
      expect(scoped.scopeOf('bare-key-0123456789')).toBe('admin');
      expect(scoped.scopeOf('admin-key-0123456789')).toBe('admin');
      expect(scoped.scopeOf('write-key-0123456789')).toBe('write');
      expect(scoped.scopeOf('read-key-0123456789')).toBe('read');
      expect(scoped.scopeOf('colon:key-0123456789')).toBe('admin');
    });

    it('matches the key without its prefix only', () => {
      expect(scoped.scopeOf('read:read-key-0123456789')).toBeUndefined();
      expect(scoped.scopeOf('admin:admin-key-0123456789')).toBeUndefined();
      expect(scoped.scopeOf(undefined)).toBeUndefined();
      expect(scoped.scopeOf('')).toBeUndefined();
    });

    it('counts keys by scope', () => {
      expect(scoped.countByScope()).toEqual({ admin: 3, write: 1, read: 1 });
    });

    it('refuses entries the config would have refused', () => {
      expect(() => new ApiKeys(['reader:read-key-0123456789'])).toThrow(/^API_KEYS entry 1/);
    });
  });
});
