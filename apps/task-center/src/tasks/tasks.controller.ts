import { Body, Controller, Get, HttpCode, Post, Query, Res } from '@nestjs/common';
import {
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import { type Response } from 'express';
import { CreateTaskDto, CreateTaskResponse } from './dto/create-task.dto';
import {
  QUERY_BY_NAME_DEFAULT_LIMIT,
  QueryByIdDto,
  QueryByNameDto,
  TasksByNamePage,
} from './dto/query.dto';
import { DeleteByNameDto, DeletedIdsResponse, DeleteTasksDto } from './dto/task-ids.dto';
import { TaskResponse } from './dto/task.response';
import { toTaskView } from './task.view';
import { TasksService } from './tasks.service';
import { ErrorCode } from '../errors/error-codes';
import { ApiErrors } from '../http/api-errors.decorator';
import { NEXT_CURSOR_HEADER } from '../http/next-cursor';

/** From a created task to what can be done with it: the stateful phase of the contract test. */
const byCreatedId = { taskid: '$response.body#/taskid' };
const CREATED_TASK_LINKS = {
  QueryTask: { operationId: 'TasksController_getById', parameters: byCreatedId },
  UpdateTask: { operationId: 'TaskActionsController_update', requestBody: byCreatedId },
  PauseTask: { operationId: 'TaskActionsController_pause', requestBody: byCreatedId },
  ResumeTask: { operationId: 'TaskActionsController_resume', requestBody: byCreatedId },
  RunTaskNow: { operationId: 'TaskActionsController_runNow', requestBody: byCreatedId },
  TaskRuns: { operationId: 'RunsController_taskRuns', parameters: byCreatedId },
  DeleteTask: {
    operationId: 'TasksController_deleteByIds',
    requestBody: { ids: ['$response.body#/taskid'] },
  },
};

/** Seed 002's endpoints, paths and shapes unchanged. */
@ApiTags('tasks')
@Controller('v1/api')
export class TasksController {
  constructor(private readonly tasks: TasksService) {}

  @Post('task')
  @HttpCode(200)
  @ApiOperation({ summary: 'Create a task (idempotent by key)' })
  @ApiOkResponse({ type: CreateTaskResponse, links: CREATED_TASK_LINKS })
  @ApiErrors(ErrorCode.INVALID_SCHEDULE, ErrorCode.KEY_CONFLICT, ErrorCode.DATA_TOO_LARGE)
  async create(@Body() dto: CreateTaskDto): Promise<CreateTaskResponse> {
    const { task, created } = await this.tasks.create(dto);
    return { taskid: task.id, name: task.name, created };
  }

  @Post('delete-task')
  @HttpCode(200)
  @ApiOperation({ summary: 'Delete tasks by id' })
  @ApiOkResponse({ type: DeletedIdsResponse })
  async deleteByIds(@Body() dto: DeleteTasksDto): Promise<DeletedIdsResponse> {
    return { SucIds: await this.tasks.deleteByIds(dto.ids) };
  }

  @Post('delete-task-by-name')
  @HttpCode(200)
  @ApiOperation({ summary: 'Delete every task with this name' })
  @ApiOkResponse({ type: DeletedIdsResponse })
  async deleteByName(@Body() dto: DeleteByNameDto): Promise<DeletedIdsResponse> {
    return { SucIds: await this.tasks.deleteByName(dto.name) };
  }

  @Get('query-task-by-id')
  @ApiOperation({ summary: 'One task by id' })
  @ApiOkResponse({ type: TaskResponse })
  @ApiErrors(ErrorCode.TASK_NOT_FOUND)
  async getById(@Query() query: QueryByIdDto): Promise<TaskResponse> {
    return toTaskView(await this.tasks.get(query.taskid));
  }

  @Get('query-task-by-name')
  @ApiOperation({
    summary: 'Tasks with this name, newest first, one page',
    description:
      `At most limit (default ${QUERY_BY_NAME_DEFAULT_LIMIT}) tasks. A bare array, as the ` +
      'original task center answered; X-Next-Cursor says there is more. With envelope=true, ' +
      '`{tasks, more, next_cursor}` says it in the body too.',
  })
  @ApiExtraModels(TasksByNamePage)
  @ApiOkResponse({
    headers: NEXT_CURSOR_HEADER,
    schema: {
      oneOf: [
        { type: 'array', items: { $ref: getSchemaPath(TaskResponse) } },
        { $ref: getSchemaPath(TasksByNamePage) },
      ],
    },
  })
  async listByName(
    @Query() query: QueryByNameDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<TaskResponse[] | TasksByNamePage> {
    const { name, limit = QUERY_BY_NAME_DEFAULT_LIMIT, cursor, envelope } = query;
    const page = await this.tasks.listByName(name, limit, cursor);
    if (page.nextCursor) res.setHeader('X-Next-Cursor', page.nextCursor);
    const tasks = page.tasks.map(toTaskView);
    return envelope
      ? { tasks, more: page.nextCursor !== null, next_cursor: page.nextCursor }
      : tasks;
  }
}
