import { API_KEY_SCOPES, scopeAllows, scopeNeeded } from './api-key-scope';

describe('scopeNeeded', () => {
  it.each([
    ['GET', 'read'],
    ['HEAD', 'read'],
    ['get', 'read'],
    ['POST', 'write'],
    ['PUT', 'write'],
    ['PATCH', 'write'],
    ['DELETE', 'write'],
    ['PROPFIND', 'write'],
  ] as const)('%s needs %s', (method, scope) => {
    expect(scopeNeeded(method, undefined)).toBe(scope);
  });

  it('takes a route mark over the method', () => {
    expect(scopeNeeded('GET', 'admin')).toBe('admin');
    expect(scopeNeeded('POST', 'admin')).toBe('admin');
    expect(scopeNeeded('POST', 'read')).toBe('read');
  });
});

describe('scopeAllows', () => {
  const allowed: Record<string, string[]> = {
    read: ['read'],
    write: ['read', 'write'],
    admin: ['read', 'write', 'admin'],
  };

  it.each(API_KEY_SCOPES.flatMap((held) => API_KEY_SCOPES.map((needed) => [held, needed])))(
    'a %s key on a route needing %s',
    (held, needed) => {
      expect(scopeAllows(held, needed)).toBe(allowed[held]?.includes(needed));
    },
  );
});
