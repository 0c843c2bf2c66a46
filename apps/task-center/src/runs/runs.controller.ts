import { Body, Controller, Get, HttpCode, Post, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type Response } from 'express';
import { FireResponse } from './dto/run-search.response';
import {
  DeadLettersQueryDto,
  FireQueryDto,
  RedriveDto,
  RunStatsQueryDto,
  TaskRunsQueryDto,
} from './dto/runs-query.dto';
import {
  DeadLetterResponse,
  RedriveResponse,
  RunStatsResponse,
  WorkersResponse,
} from './dto/runs.response';
import { RunsService } from './runs.service';
import { toDeadLetterView, toFireView, toStatsView, toWorkersView } from './runs.view';
import { WorkerRegistry } from './worker-registry';
import { ErrorCode } from '../errors/error-codes';
import { ApiErrors } from '../http/api-errors.decorator';
import { NEXT_CURSOR_HEADER } from '../http/next-cursor';

@ApiTags('runs')
@Controller('v1/api')
export class RunsController {
  constructor(
    private readonly runs: RunsService,
    private readonly workerRegistry: WorkerRegistry,
  ) {}

  @Get('task-runs')
  @ApiOperation({ summary: "A task's fires with their attempts and state, newest first" })
  @ApiOkResponse({ type: [FireResponse], headers: NEXT_CURSOR_HEADER })
  async taskRuns(
    @Query() q: TaskRunsQueryDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<FireResponse[]> {
    const page = await this.runs.taskRuns(
      q.taskid,
      q.limit,
      q.cursor ? Number(q.cursor) : undefined,
    );
    if (page.nextCursor) res.setHeader('X-Next-Cursor', page.nextCursor);
    return page.fires.map(toFireView);
  }

  @Get('fire-attempts')
  @ApiOperation({ summary: "One fire's attempts and outcomes" })
  @ApiOkResponse({ type: FireResponse })
  @ApiErrors(ErrorCode.FIRE_NOT_FOUND)
  async fire(@Query() q: FireQueryDto): Promise<FireResponse> {
    return toFireView(await this.runs.fire(q.fire_id));
  }

  @Get('dead-letters')
  @ApiOperation({ summary: 'Dead fires not redriven, newest first' })
  @ApiOkResponse({ type: [DeadLetterResponse], headers: NEXT_CURSOR_HEADER })
  async deadLetters(
    @Query() q: DeadLettersQueryDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<DeadLetterResponse[]> {
    const page = await this.runs.deadLetters(q.limit, q.cursor);
    if (page.nextCursor) res.setHeader('X-Next-Cursor', page.nextCursor);
    return page.items.map(toDeadLetterView);
  }

  @Post('redrive-dead-letter')
  @HttpCode(200)
  @ApiOperation({ summary: 'Send a dead fire again, as its next attempt' })
  @ApiOkResponse({ type: RedriveResponse })
  @ApiErrors(ErrorCode.DEAD_LETTER_NOT_FOUND, ErrorCode.TASK_NOT_FOUND, ErrorCode.STATE_CONFLICT)
  redrive(@Body() dto: RedriveDto): Promise<RedriveResponse> {
    return this.runs.redrive(dto.message_id);
  }

  @Get('run-stats')
  @ApiOperation({ summary: 'Backlog, and succeeded/failed/timeout/dead counts of a day per name' })
  @ApiOkResponse({ type: RunStatsResponse })
  async stats(@Query() q: RunStatsQueryDto): Promise<RunStatsResponse> {
    return toStatsView(await this.runs.stats(q.date));
  }

  @Get('workers')
  @ApiOperation({ summary: 'Worker processes from their heartbeats, and live ones per tag' })
  @ApiOkResponse({ type: WorkersResponse })
  async workers(): Promise<WorkersResponse> {
    return toWorkersView(await this.workerRegistry.list(Date.now()));
  }
}
