import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type Request } from 'express';
import { ErrorCode } from '../errors/error-codes';
import { ApiErrors } from '../http/api-errors.decorator';
import { requireScopeFor } from '../security/scope-for-body';
import { BulkTaskActionDto, BulkTaskActionResponse } from './dto/bulk-task-action.dto';
import { type BulkTaskOutcome, TaskBulkService } from './task-bulk.service';

@ApiTags('tasks')
@Controller('v1/api')
export class TaskBulkController {
  constructor(private readonly bulk: TaskBulkService) {}

  @Post('bulk-task-action')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Pause, resume or delete many tasks, by ids or by a filter; a result per task',
    description:
      'Exactly one of `ids` (1..1000, write scope) and `filter` (admin scope). One task failing (40401 unknown, 40902 wrong status) never fails the others: it gets its own {ok: false, err, msg}. By filter only the tasks the action changes are selected, at most `limit` (default 1000) per request; `more: true` says repeat it.',
  })
  @ApiOkResponse({ type: BulkTaskActionResponse })
  // 403 also for a write key with a filter (the scope depends on the body).
  @ApiErrors(ErrorCode.FORBIDDEN_SCOPE)
  async act(@Body() dto: BulkTaskActionDto, @Req() req: Request): Promise<BulkTaskActionResponse> {
    if (dto.filter === undefined) {
      return counted(await this.bulk.byIds(dto.action, dto.ids!));
    }
    requireScopeFor(req, 'admin', 'with a filter');
    return counted(await this.bulk.byFilter(dto.action, dto.filter, dto.limit));
  }
}

function counted(outcome: BulkTaskOutcome): BulkTaskActionResponse {
  const succeeded = outcome.results.filter((r) => r.ok).length;
  return {
    action: outcome.action,
    results: outcome.results,
    succeeded,
    failed: outcome.results.length - succeeded,
    more: outcome.more,
  };
}
