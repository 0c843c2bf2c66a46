import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { SearchTasksDto, TaskSearchResponse } from './dto/search-tasks.dto';
import { TaskSearchService } from './task-search.service';
import { toTaskView } from './task.view';

@ApiTags('tasks')
@Controller('v1/api')
export class TaskSearchController {
  constructor(private readonly search: TaskSearchService) {}

  @Get('tasks')
  @ApiOperation({
    summary: 'Find tasks by name, status, type, topic, key or next run; page with next_cursor',
    description:
      'Deleted tasks are never listed. With count=true, `total` counts matches up to 10,000; `total_capped: true` says there are more. Bad parameters answer 400 {err: 40001, msg} naming the parameter.',
  })
  @ApiOkResponse({ type: TaskSearchResponse })
  async find(@Query() query: SearchTasksDto): Promise<TaskSearchResponse> {
    const found = await this.search.search(query);
    return {
      tasks: found.tasks.map(toTaskView),
      next_cursor: found.nextCursor,
      ...(found.total !== undefined && { total: found.total, total_capped: found.totalCapped }),
    };
  }
}
