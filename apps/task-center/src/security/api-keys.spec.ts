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
});
