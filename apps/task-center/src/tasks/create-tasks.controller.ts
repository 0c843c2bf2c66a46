import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CreateTasksDto, CreateTasksResponse } from './dto/create-tasks.dto';
import { createTasksResponse } from './create-tasks.plan';
import { CreateTasksService } from './create-tasks.service';

@ApiTags('tasks')
@Controller('v1/api')
export class CreateTasksController {
  constructor(private readonly creates: CreateTasksService) {}

  @Post('create-tasks')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Create up to 1000 tasks at once; a result per task, in order',
    description:
      'Each item is a POST /v1/api/task body and gets what that route would answer for it: ' +
      '{ok: true, taskid, name, created} (created: false when its key matched a live task, ' +
      'which is returned as it is, or updated with upsert), or its own {ok: false, err, msg}. ' +
      'One bad item never fails the others. Items repeating a key are answered in order, as ' +
      'if sent one by one: the first creates the task, the later ones get it (created: false). ' +
      'Idempotent per key: the same request again creates nothing. Tasks without a key are ' +
      'created every time.',
  })
  @ApiOkResponse({ type: CreateTasksResponse })
  async createMany(@Body() dto: CreateTasksDto): Promise<CreateTasksResponse> {
    return createTasksResponse(await this.creates.createMany(dto.tasks));
  }
}
