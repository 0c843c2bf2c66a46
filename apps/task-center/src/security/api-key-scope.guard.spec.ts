import { Controller, Get, Post } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import { ApiError } from '../errors/api-error';
import { type ApiKeyScope } from './api-key-scope';
import { ApiKeyScopeGuard } from './api-key-scope.guard';
import { setHeldScope } from './held-scope';
import { RequiresScope } from './requires-scope.decorator';

@Controller('v1/api')
class PlainController {
  @Get('thing') read() {}
  @Post('thing') write() {}
  @Post('redrive-all') @RequiresScope('admin') bulk() {}
}

@Controller('v1/api/admin')
@RequiresScope('admin')
class AdminController {
  @Get('thing') read() {}
}

describe('ApiKeyScopeGuard', () => {
  const guard = new ApiKeyScopeGuard(new Reflector());

  const decide = (
    held: ApiKeyScope | undefined,
    method: string,
    cls: new () => object,
    handler: string,
  ): true | ApiError => {
    const req = { method, path: `/v1/api/${handler}` };
    if (held) setHeldScope(req, held);
    const fn = (cls.prototype as Record<string, () => void>)[handler];
    if (!fn) throw new Error(`no handler ${handler}`);
    const context = new ExecutionContextHost([req, {}, () => undefined], cls, fn);
    try {
      return guard.canActivate(context) as true;
    } catch (err) {
      if (err instanceof ApiError) return err;
      throw err;
    }
  };

  it('lets every request through when no key was checked (keys off, open routes)', () => {
    expect(decide(undefined, 'POST', PlainController, 'bulk')).toBe(true);
  });

  it('allows a read key GET only', () => {
    expect(decide('read', 'GET', PlainController, 'read')).toBe(true);
    expect(decide('read', 'HEAD', PlainController, 'read')).toBe(true);
    const denied = decide('read', 'POST', PlainController, 'write');
    expect(denied).toBeInstanceOf(ApiError);
    expect(denied).toMatchObject({
      code: 40301,
      status: 403,
      message: 'API key scope read does not allow POST /v1/api/write: it needs write',
    });
  });

  it('allows a write key reads and writes, not a route marked admin', () => {
    expect(decide('write', 'GET', PlainController, 'read')).toBe(true);
    expect(decide('write', 'POST', PlainController, 'write')).toBe(true);
    expect(decide('write', 'POST', PlainController, 'bulk')).toMatchObject({
      code: 40301,
      message: expect.stringMatching(/scope write .* needs admin$/),
    });
    expect(decide('write', 'GET', AdminController, 'read')).toMatchObject({ code: 40301 });
  });

  it('allows an admin key everything', () => {
    expect(decide('admin', 'POST', PlainController, 'bulk')).toBe(true);
    expect(decide('admin', 'GET', AdminController, 'read')).toBe(true);
    expect(decide('admin', 'DELETE', PlainController, 'write')).toBe(true);
  });
});
