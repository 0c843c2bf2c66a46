import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { type Response } from 'express';
import { isDatabaseUnreachable } from '../database/unreachable';
import { ApiError, TemporarilyUnavailableError } from './api-error';
import { ErrorCode, type ErrorCodeValue } from './error-codes';

export interface ErrorBody {
  err: number;
  msg: string;
}

const STATUS_CODES: Partial<Record<number, ErrorCodeValue>> = {
  [HttpStatus.BAD_REQUEST]: ErrorCode.INVALID_PARAM,
  [HttpStatus.UNAUTHORIZED]: ErrorCode.UNAUTHORIZED,
  [HttpStatus.NOT_FOUND]: ErrorCode.ROUTE_NOT_FOUND,
  [HttpStatus.PAYLOAD_TOO_LARGE]: ErrorCode.BODY_TOO_LARGE,
  [HttpStatus.UNSUPPORTED_MEDIA_TYPE]: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
  [HttpStatus.SERVICE_UNAVAILABLE]: ErrorCode.UNAVAILABLE,
};

/** The one error shape of the API: `{"err": <code>, "msg": <reason>}`; 500s hide internals. */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Api');

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const { status, body } = this.toBody(exception);
    if (res.headersSent) return;
    res.status(status).json(body);
  }

  private toBody(exception: unknown): { status: number; body: ErrorBody } {
    if (exception instanceof ApiError) {
      return { status: exception.status, body: { err: exception.code, msg: exception.message } };
    }
    if (exception instanceof TemporarilyUnavailableError) {
      return {
        status: HttpStatus.SERVICE_UNAVAILABLE,
        body: { err: ErrorCode.UNAVAILABLE, msg: `${exception.message}; retry shortly` },
      };
    }
    if (isDatabaseUnreachable(exception)) {
      // The watchdog reopening the connection after a pause, or the database down: nothing
      // was done for this request (or, for a write that reached the server, a retry with the
      // same key finds it).
      return {
        status: HttpStatus.SERVICE_UNAVAILABLE,
        body: {
          err: ErrorCode.UNAVAILABLE,
          msg: `the database is unreachable (${(exception as Error).message}); retry shortly`,
        },
      };
    }
    if (exception instanceof HttpException && exception.getStatus() < 500) {
      const status = exception.getStatus();
      const code = STATUS_CODES[status] ?? status * 100 + 1;
      return { status, body: { err: code, msg: messageOf(exception) } };
    }
    const errorId = randomUUID();
    this.logger.error(
      `internal error ${errorId}`,
      exception instanceof Error ? exception.stack : String(exception),
    );
    return {
      status: HttpStatus.INTERNAL_SERVER_ERROR,
      body: { err: ErrorCode.INTERNAL, msg: `internal error (id ${errorId})` },
    };
  }
}

function messageOf(exception: HttpException): string {
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (Array.isArray(message)) return message.join('; ');
  return typeof message === 'string' ? message : exception.message;
}
