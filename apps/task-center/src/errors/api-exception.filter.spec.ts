import { mongo } from 'mongoose';
import { type ArgumentsHost, BadRequestException } from '@nestjs/common';
import { TaskLockBusyError } from '../database/ferretdb/task-write-locks';
import { ApiError } from './api-error';
import { ApiExceptionFilter } from './api-exception.filter';
import { ErrorCode } from './error-codes';

/** Runs the filter on `exception` and returns what it answered. */
function answer(exception: unknown): { status: number; body: { err: number; msg: string } } {
  const sent: { status: number; body: { err: number; msg: string } } = {
    status: 0,
    body: { err: 0, msg: '' },
  };
  const res = {
    headersSent: false,
    status(code: number) {
      sent.status = code;
      return this;
    },
    json(body: { err: number; msg: string }) {
      sent.body = body;
      return this;
    },
  };
  const host = { switchToHttp: () => ({ getResponse: () => res }) } as unknown as ArgumentsHost;
  new ApiExceptionFilter().catch(exception, host);
  return sent;
}

describe('ApiExceptionFilter', () => {
  it('answers an ApiError with its code and message', () => {
    expect(answer(new ApiError(ErrorCode.TASK_NOT_FOUND, 'no task x'))).toEqual({
      status: 404,
      body: { err: 40401, msg: 'no task x' },
    });
  });

  it('answers a busy task lock with 503 / 50301, never a 500', () => {
    const { status, body } = answer(new TaskLockBusyError(['a', 'b']));
    expect(status).toBe(503);
    expect(body.err).toBe(50301);
    expect(body.msg).toMatch(/tasks a, b are being written; retry shortly/);
  });

  it('answers a database out of reach with 503 / 50301 (a SIGSTOPped center reopening its connection answered 500)', () => {
    for (const err of [
      new mongo.MongoNotConnectedError('Client must be connected before running operations'),
      new mongo.MongoNetworkError('connection 3 to 127.0.0.1:27017 closed'),
    ]) {
      const { status, body } = answer(err);
      expect([status, body.err]).toEqual([503, 50301]);
      expect(body.msg).toMatch(/^the database is unreachable \(.+\); retry shortly$/);
    }
  });

  it('maps a 4xx HttpException to its code', () => {
    expect(answer(new BadRequestException('bad limit'))).toEqual({
      status: 400,
      body: { err: 40001, msg: 'bad limit' },
    });
  });

  it('hides the internals of anything else behind an error id', () => {
    const { status, body } = answer(new Error('secret detail'));
    expect(status).toBe(500);
    expect(body.err).toBe(50001);
    expect(body.msg).not.toContain('secret');
  });
});
