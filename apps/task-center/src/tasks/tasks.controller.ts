import { Body, Controller, Get, HttpCode, Post, Query, Res } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type Response } from 'express';
import { CreateTaskDto, CreateTaskResponse } from './dto/create-task.dto';
import { QueryByIdDto, QueryByNameDto } from './dto/query.dto';
import { DeleteByNameDto, DeletedIdsResponse, DeleteTasksDto } from './dto/task-ids.dto';
import { toTaskView } from './task.view';
import { TasksService } from './tasks.service';

/** Seed 002's endpoints, paths and shapes unchanged. */
@ApiTags('tasks')
@Controller('v1/api')
export class TasksController {
  constructor(private readonly tasks: TasksService) {}

  @Post('task')
  @HttpCode(200)
  @ApiOperation({ summary: 'Create a task (idempotent by key)' })
  @ApiOkResponse({ type: CreateTaskResponse })
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
  async getById(@Query() query: QueryByIdDto) {
    return toTaskView(await this.tasks.get(query.taskid));
  }

  @Get('query-task-by-name')
  @ApiOperation({ summary: 'Tasks with this name, newest first, one page' })
  @ApiHeader({
    name: 'X-Next-Cursor',
    description: 'Response header: pass as `cursor` for the next page',
  })
  async listByName(@Query() query: QueryByNameDto, @Res({ passthrough: true }) res: Response) {
    const page = await this.tasks.listByName(query.name, query.limit, query.cursor);
    if (page.nextCursor) res.setHeader('X-Next-Cursor', page.nextCursor);
    return page.tasks.map(toTaskView);
  }
}
