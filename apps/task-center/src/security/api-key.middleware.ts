import { Inject, Injectable, type NestMiddleware } from '@nestjs/common';
import { type NextFunction, type Request, type Response } from 'express';
import { APP_CONFIG, type AppConfig } from '../config';
import { ApiError } from '../errors/api-error';
import { ErrorCode } from '../errors/error-codes';
import { ApiKeys, presentedKey } from './api-keys';
import { setHeldScope } from './held-scope';

/**
 * With `API_KEYS` set, a request needs one of them (bearer or X-API-Key); 401 otherwise.
 * The key's scope is kept on the request for {@link ApiKeyScopeGuard}, which knows the route.
 */
@Injectable()
export class ApiKeyMiddleware implements NestMiddleware {
  private readonly keys: ApiKeys;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.keys = new ApiKeys(config.security.apiKeys);
  }

  use(req: Request, res: Response, next: NextFunction): void {
    if (!this.keys.enabled) return next();
    const presented = presentedKey(req.headers);
    const scope = this.keys.scopeOf(presented);
    if (scope !== undefined) {
      setHeldScope(req, scope);
      return next();
    }
    res.setHeader('WWW-Authenticate', 'Bearer');
    const msg = presented
      ? 'invalid API key'
      : 'missing API key: send Authorization: Bearer <key> or X-API-Key';
    throw new ApiError(ErrorCode.UNAUTHORIZED, msg);
  }
}
