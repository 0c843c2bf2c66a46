import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RunErrorsQueryDto, RunSearchQueryDto } from './dto/run-search-query.dto';
import { RunErrorResponse, RunsPageResponse } from './dto/run-search.response';
import { RunSearchService } from './run-search.service';
import { toErrorGroupView, toFireView } from './runs.view';

@ApiTags('runs')
@Controller('v1/api')
export class RunSearchController {
  constructor(private readonly search: RunSearchService) {}

  @Get('runs')
  @ApiOperation({
    summary: 'Fires across tasks, newest first, by state, name, task and scheduled time',
    description:
      'Scheduled in [from, to) (unix seconds, default the last 24 h, at most 7 days). With a ' +
      '`state` filter at most 5000 fires are examined per request: a page may then hold fewer ' +
      'than `limit` fires and still have a `next_cursor`.',
  })
  @ApiOkResponse({ type: RunsPageResponse })
  async runs(@Query() q: RunSearchQueryDto) {
    const page = await this.search.search({
      states: q.state,
      name: q.name,
      taskId: q.task_id,
      from: q.from,
      to: q.to,
      limit: q.limit,
      cursor: q.cursor,
    });
    return { fires: page.fires.map(toFireView), next_cursor: page.nextCursor };
  }

  @Get('run-errors')
  @ApiOperation({
    summary: 'Failures (failed, timeout, dead events) recorded in [from, to), grouped by message',
    description:
      'Largest count first. Reads the failure events recorded in the window (at most 7 days).',
  })
  @ApiOkResponse({ type: [RunErrorResponse] })
  async errors(@Query() q: RunErrorsQueryDto) {
    return (await this.search.errors(q)).map(toErrorGroupView);
  }
}
