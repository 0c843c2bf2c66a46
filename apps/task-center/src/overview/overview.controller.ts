import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { OverviewQueryDto } from './dto/overview-query.dto';
import { OverviewResponse } from './dto/overview.response';
import { OverviewService } from './overview.service';

@ApiTags('overview')
@Controller('v1/api')
export class OverviewController {
  constructor(private readonly overview: OverviewService) {}

  @Get('overview')
  @ApiOperation({
    summary: 'The system at a glance: tasks, fires and outcomes per minute, lateness, workers',
    description:
      'Built from per-minute counts each replica writes (every OVERVIEW_WRITE_S) and a fleet ' +
      'snapshot the holder of shard 0 takes as often: no scan per request. The current minute ' +
      'is as of the last write.',
  })
  @ApiOkResponse({ type: OverviewResponse })
  get(@Query() q: OverviewQueryDto): Promise<OverviewResponse> {
    return this.overview.overview({ minutes: q.minutes, latenessMinutes: q.lateness_minutes });
  }
}
