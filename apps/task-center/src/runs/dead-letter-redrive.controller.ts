import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type Request } from 'express';
import { ErrorCode } from '../errors/error-codes';
import { ApiErrors } from '../http/api-errors.decorator';
import { requireScopeFor } from '../security/scope-for-body';
import { type DeadLetterFilter } from '../repositories/dead-letters.repository';
import {
  type DeadLetterFilterDto,
  REDRIVE_MAX_ITEMS,
  RedriveDeadLettersDto,
  RedriveDeadLettersResponse,
} from './dto/redrive-dead-letters.dto';
import { DeadLetterRedriveService, type RedriveOutcome } from './dead-letter-redrive.service';

@ApiTags('runs')
@Controller('v1/api')
export class DeadLetterRedriveController {
  constructor(private readonly redrive: DeadLetterRedriveService) {}

  @Post('redrive-dead-letters')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Send many dead fires again, by message ids or by a filter; a result per letter',
    description:
      'Exactly one of `message_ids` (1..1000, write scope) and `filter` (admin scope). Each is redrive-dead-letter: one failing (40404, 40401, 40902) never fails the others. By filter, oldest dead first, at most `limit` (default 1000) per request; `more: true` says repeat it.',
  })
  @ApiOkResponse({ type: RedriveDeadLettersResponse })
  // 403 also for a write key with a filter (the scope depends on the body).
  @ApiErrors(ErrorCode.FORBIDDEN_SCOPE)
  async redriveMany(
    @Body() dto: RedriveDeadLettersDto,
    @Req() req: Request,
  ): Promise<RedriveDeadLettersResponse> {
    if (dto.filter === undefined) return counted(await this.redrive.byIds(dto.message_ids!));
    requireScopeFor(req, 'admin', 'with a filter');
    const limit = dto.limit ?? REDRIVE_MAX_ITEMS;
    return counted(await this.redrive.byFilter(filterOf(dto.filter), limit));
  }
}

function filterOf(f: DeadLetterFilterDto): DeadLetterFilter {
  const filter: DeadLetterFilter = {};
  if (f.name !== undefined) filter.name = f.name;
  if (f.since !== undefined) filter.deadFrom = f.since * 1000;
  if (f.until !== undefined) filter.deadBefore = f.until * 1000;
  return filter;
}

function counted(outcome: RedriveOutcome): RedriveDeadLettersResponse {
  const succeeded = outcome.results.filter((r) => r.ok).length;
  return { ...outcome, succeeded, failed: outcome.results.length - succeeded };
}
