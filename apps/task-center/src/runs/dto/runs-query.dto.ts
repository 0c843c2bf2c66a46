import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsMongoId, IsOptional, Matches } from 'class-validator';
import { PageLimit } from '../../http/page-limit';
import { TASK_ID_PROPERTY } from '../../tasks/dto/task-fields';

const MESSAGE_ID = /^[0-9a-f]{24}:\d{1,15}:\d{1,4}$/;
const FIRE_ID = /^[0-9a-f]{24}:\d{1,15}$/;

class PageDto {
  @PageLimit(500, 50)
  limit?: number;
}

export class TaskRunsQueryDto extends PageDto {
  @ApiProperty(TASK_ID_PROPERTY)
  @IsMongoId({ message: 'taskid must be a task id (24 hex characters)' })
  taskid!: string;

  @ApiPropertyOptional({
    description: 'The X-Next-Cursor header of the previous page.',
    pattern: '^[0-9]{1,15}$',
  })
  @IsOptional()
  @Matches(/^\d{1,15}$/, { message: 'cursor must be the X-Next-Cursor value of a previous page' })
  cursor?: string;
}

export class FireQueryDto {
  @ApiProperty({
    description: '`<task id>:<scheduled epoch ms>`, as `fire_id` in task-runs.',
    pattern: '^[0-9a-f]{24}:[0-9]{1,15}$',
  })
  @Matches(FIRE_ID, { message: 'fire_id must be <task id>:<scheduled epoch ms>' })
  fire_id!: string;
}

export class DeadLettersQueryDto extends PageDto {
  @ApiPropertyOptional({
    description: 'The X-Next-Cursor header of the previous page.',
    pattern: '^[0-9]{1,15}\\.[0-9a-f]{24}:[0-9]{1,15}:[0-9]{1,4}$',
  })
  @IsOptional()
  @Matches(/^\d{1,15}\.[0-9a-f]{24}:\d{1,15}:\d{1,4}$/, {
    message: 'cursor must be the X-Next-Cursor value of a previous page',
  })
  cursor?: string;
}

export class RedriveDto {
  @ApiProperty({
    description: "The dead letter's `message_id`: `<task id>:<scheduled epoch ms>:<attempt>`.",
    pattern: '^[0-9a-f]{24}:[0-9]{1,15}:[0-9]{1,4}$',
  })
  @Matches(MESSAGE_ID, { message: 'message_id must be <task id>:<scheduled epoch ms>:<attempt>' })
  message_id!: string;
}

export class RunStatsQueryDto {
  @ApiPropertyOptional({
    description: "UTC day, YYYY-MM-DD (seed 001's date format); default today.",
    // A calendar day: 2026-02-30 matches the pattern but is answered 400.
    format: 'date',
    pattern: '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$',
  })
  @IsOptional()
  @Matches(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, {
    message: 'date must be a day as YYYY-MM-DD',
  })
  date?: string;
}
