import { type Request } from 'express';
import { ApiError } from '../errors/api-error';
import { setHeldScope } from './held-scope';
import { requireScopeFor } from './scope-for-body';

const request = (scope?: 'read' | 'write' | 'admin') => {
  const req = { method: 'POST', path: '/v1/api/bulk-task-action' } as Request;
  if (scope) setHeldScope(req, scope);
  return req;
};

describe('requireScopeFor', () => {
  it('allows everything when no key was checked (API_KEYS unset)', () => {
    expect(() => requireScopeFor(request(), 'admin', 'with a filter')).not.toThrow();
  });

  it('allows a scope at least as strong as needed', () => {
    expect(() => requireScopeFor(request('admin'), 'admin', 'with a filter')).not.toThrow();
    expect(() => requireScopeFor(request('write'), 'write', 'by ids')).not.toThrow();
  });

  it('refuses a weaker one with 40301 naming both scopes and what needs it', () => {
    let thrown: unknown;
    try {
      requireScopeFor(request('write'), 'admin', 'with a filter');
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ApiError);
    expect(thrown).toMatchObject({
      code: 40301,
      status: 403,
      message:
        'API key scope write does not allow POST /v1/api/bulk-task-action with a filter: it needs admin',
    });
  });
});
