import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { type Request } from 'express';
import { ApiError } from '../errors/api-error';
import { ErrorCode } from '../errors/error-codes';
import { type ApiKeyScope, scopeAllows, scopeNeeded } from './api-key-scope';
import { heldScope } from './held-scope';
import { REQUIRED_SCOPE_METADATA } from './requires-scope.decorator';

/**
 * 403 when the key the middleware accepted has a scope too weak for the route. A guard, not
 * the middleware, because only a guard sees the handler and its `@RequiresScope` mark.
 */
@Injectable()
export class ApiKeyScopeGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const req = context.switchToHttp().getRequest<Request>();
    const held = heldScope(req);
    if (held === undefined) return true;
    const marked = this.reflector.getAllAndOverride<ApiKeyScope | undefined>(
      REQUIRED_SCOPE_METADATA,
      [context.getHandler(), context.getClass()],
    );
    const needed = scopeNeeded(req.method, marked);
    if (scopeAllows(held, needed)) return true;
    throw new ApiError(
      ErrorCode.FORBIDDEN_SCOPE,
      `API key scope ${held} does not allow ${req.method} ${req.path}: it needs ${needed}`,
    );
  }
}
