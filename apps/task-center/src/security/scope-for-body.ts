import { type Request } from 'express';
import { ApiError } from '../errors/api-error';
import { ErrorCode } from '../errors/error-codes';
import { type ApiKeyScope, scopeAllows } from './api-key-scope';
import { heldScope } from './held-scope';

/**
 * For a route whose scope depends on its body (a bulk action by ids needs write, by filter
 * admin): the guard checked the route's scope before the body; this checks the body's, with
 * the same 403 {err: 40301}. Allows everything when no key was checked (keys are off).
 */
export function requireScopeFor(req: Request, needed: ApiKeyScope, what: string): void {
  const held = heldScope(req);
  if (held === undefined || scopeAllows(held, needed)) return;
  throw new ApiError(
    ErrorCode.FORBIDDEN_SCOPE,
    `API key scope ${held} does not allow ${req.method} ${req.path} ${what}: it needs ${needed}`,
  );
}
