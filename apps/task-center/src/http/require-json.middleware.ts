import { Injectable, type NestMiddleware } from '@nestjs/common';
import { type NextFunction, type Request, type Response } from 'express';
import { ApiError } from '../errors/api-error';
import { ErrorCode } from '../errors/error-codes';

/** Write endpoints take JSON only: anything else is a 415 rather than an empty body. */
@Injectable()
export class RequireJsonMiddleware implements NestMiddleware {
  use(req: Request, _res: Response, next: NextFunction): void {
    if (
      req.method !== 'GET' &&
      req.method !== 'HEAD' &&
      req.method !== 'OPTIONS' &&
      !req.is('application/json')
    ) {
      const type = req.headers['content-type'] ?? 'none';
      throw new ApiError(
        ErrorCode.UNSUPPORTED_MEDIA_TYPE,
        `content-type must be application/json (got ${type})`,
      );
    }
    next();
  }
}
