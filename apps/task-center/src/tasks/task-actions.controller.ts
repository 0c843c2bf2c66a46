import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { TaskIdDto } from './dto/task-ids.dto';
import { PreviewResponse, TaskResponse } from './dto/task.response';
import { PreviewTaskDto, UpdateTaskDto } from './dto/update-task.dto';
import { toTaskView } from './task.view';
import { TasksService } from './tasks.service';
import { ErrorCode } from '../errors/error-codes';
import { ApiErrors } from '../http/api-errors.decorator';
import { RequiresScope } from '../security/requires-scope.decorator';

/** What goes past the seed: update in place, pause/resume, run now, preview. */
@ApiTags('tasks')
@Controller('v1/api')
export class TaskActionsController {
  constructor(private readonly tasks: TasksService) {}

  @Post('update-task')
  @HttpCode(200)
  @ApiOperation({ summary: 'Change fields of a task in place; recomputes next_run_at' })
  @ApiOkResponse({ type: TaskResponse })
  @ApiErrors(
    ErrorCode.INVALID_SCHEDULE,
    ErrorCode.TASK_NOT_FOUND,
    ErrorCode.KEY_CONFLICT,
    ErrorCode.STATE_CONFLICT,
    ErrorCode.DATA_TOO_LARGE,
  )
  async update(@Body() dto: UpdateTaskDto): Promise<TaskResponse> {
    return toTaskView(await this.tasks.update(dto));
  }

  @Post('pause-task')
  @HttpCode(200)
  @ApiOperation({ summary: 'Stop firing until resumed (idempotent)' })
  @ApiOkResponse({ type: TaskResponse })
  @ApiErrors(ErrorCode.TASK_NOT_FOUND, ErrorCode.STATE_CONFLICT)
  async pause(@Body() dto: TaskIdDto): Promise<TaskResponse> {
    return toTaskView(await this.tasks.pause(dto.taskid));
  }

  @Post('resume-task')
  @HttpCode(200)
  @ApiOperation({ summary: 'Fire again from the next slot (idempotent)' })
  @ApiOkResponse({ type: TaskResponse })
  @ApiErrors(ErrorCode.TASK_NOT_FOUND, ErrorCode.STATE_CONFLICT)
  async resume(@Body() dto: TaskIdDto): Promise<TaskResponse> {
    return toTaskView(await this.tasks.resume(dto.taskid));
  }

  @Post('run-task-now')
  @HttpCode(200)
  @ApiOperation({ summary: 'One extra fire immediately, schedule unchanged' })
  @ApiOkResponse({ type: TaskResponse })
  @ApiErrors(ErrorCode.TASK_NOT_FOUND, ErrorCode.STATE_CONFLICT)
  async runNow(@Body() dto: TaskIdDto): Promise<TaskResponse> {
    return toTaskView(await this.tasks.runNow(dto.taskid));
  }

  @Post('preview-task')
  @RequiresScope('read') // stores nothing: a read key may preview
  @HttpCode(200)
  @ApiOperation({ summary: 'The next fire times of a proposed task, without storing it' })
  @ApiOkResponse({ type: PreviewResponse })
  @ApiErrors(ErrorCode.INVALID_SCHEDULE)
  preview(@Body() dto: PreviewTaskDto): PreviewResponse {
    const { fires, description } = this.tasks.preview(dto);
    return {
      fires: fires.map((ms) => ({ at: ms / 1000, iso: new Date(ms).toISOString() })),
      description,
    };
  }
}
