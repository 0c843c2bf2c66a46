import { Injectable, type NestMiddleware } from '@nestjs/common';
import { type NextFunction, type Request, type Response } from 'express';
import { requestIdOf } from './request-id';

/** Every response carries `X-Request-Id` (the caller's, or a new one). */
@Injectable()
export class RequestIdMiddleware implements NestMiddleware {
  use(req: Request, res: Response, next: NextFunction): void {
    requestIdOf(req, res);
    next();
  }
}
