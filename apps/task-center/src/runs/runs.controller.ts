import { Body, Controller, Get, HttpCode, Post, Query, Res } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type Response } from 'express';
import {
  DeadLettersQueryDto,
  FireQueryDto,
  RedriveDto,
  RunStatsQueryDto,
  TaskRunsQueryDto,
} from './dto/runs-query.dto';
import { RunsService } from './runs.service';
import { toDeadLetterView, toFireView, toStatsView, toWorkersView } from './runs.view';
import { WorkerRegistry } from './worker-registry';

const NEXT_CURSOR = {
  name: 'X-Next-Cursor',
  description: 'Response header: pass as `cursor` for the next page',
};

@ApiTags('runs')
@Controller('v1/api')
export class RunsController {
  constructor(
    private readonly runs: RunsService,
    private readonly workerRegistry: WorkerRegistry,
  ) {}

  @Get('task-runs')
  @ApiOperation({ summary: "A task's fires with their attempts and state, newest first" })
  @ApiHeader(NEXT_CURSOR)
  async taskRuns(@Query() q: TaskRunsQueryDto, @Res({ passthrough: true }) res: Response) {
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
  async fire(@Query() q: FireQueryDto) {
    return toFireView(await this.runs.fire(q.fire_id));
  }

  @Get('dead-letters')
  @ApiOperation({ summary: 'Dead fires not redriven, newest first' })
  @ApiHeader(NEXT_CURSOR)
  async deadLetters(@Query() q: DeadLettersQueryDto, @Res({ passthrough: true }) res: Response) {
    const page = await this.runs.deadLetters(q.limit, q.cursor);
    if (page.nextCursor) res.setHeader('X-Next-Cursor', page.nextCursor);
    return page.items.map(toDeadLetterView);
  }

  @Post('redrive-dead-letter')
  @HttpCode(200)
  @ApiOperation({ summary: 'Send a dead fire again, as its next attempt' })
  redrive(@Body() dto: RedriveDto) {
    return this.runs.redrive(dto.message_id);
  }

  @Get('run-stats')
  @ApiOperation({ summary: 'Backlog, and succeeded/failed/timeout/dead counts of a day per name' })
  async stats(@Query() q: RunStatsQueryDto) {
    return toStatsView(await this.runs.stats(q.date));
  }

  @Get('workers')
  @ApiOperation({ summary: 'Worker processes from their heartbeats, and live ones per tag' })
  async workers() {
    return toWorkersView(await this.workerRegistry.list(Date.now()));
  }
}
