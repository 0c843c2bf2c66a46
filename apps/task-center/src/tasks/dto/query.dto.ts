import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { QueryBoolean } from '../../http/query-boolean';
import { QueryNumber } from '../../http/query-number';
import {
  IsBoolean,
  IsInt,
  IsMongoId,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
} from 'class-validator';
import { TAG_PATTERN, TAG_RULE, TASK_ID_PATTERN, TASK_ID_PROPERTY } from './task-fields';
import { TaskResponse } from './task.response';

/** query-task-by-name's page without `limit` (the original answered every task at once). */
export const QUERY_BY_NAME_DEFAULT_LIMIT = 100;
export const QUERY_BY_NAME_MAX_LIMIT = 1000;

export class QueryByIdDto {
  @ApiProperty(TASK_ID_PROPERTY)
  @IsMongoId({ message: 'taskid must be a task id (24 hex characters)' })
  taskid!: string;
}

export class QueryByNameDto {
  @ApiProperty({ pattern: TAG_PATTERN.source, description: 'The exact task name.' })
  @IsString()
  @Matches(TAG_PATTERN, { message: `name ${TAG_RULE}` })
  name!: string;

  @ApiPropertyOptional({
    type: 'integer',
    default: QUERY_BY_NAME_DEFAULT_LIMIT,
    minimum: 1,
    maximum: QUERY_BY_NAME_MAX_LIMIT,
    description:
      `Tasks per page. Absent: ${QUERY_BY_NAME_DEFAULT_LIMIT}; when more tasks have the name, ` +
      'the X-Next-Cursor header (and, with envelope=true, `more` in the body) says so.',
  })
  @IsOptional()
  @QueryNumber()
  @IsInt({ message: 'limit must be an integer' })
  @Min(1)
  @Max(QUERY_BY_NAME_MAX_LIMIT)
  limit?: number;

  @ApiPropertyOptional({
    description: 'The X-Next-Cursor header (or next_cursor) of the previous page.',
    pattern: TASK_ID_PATTERN,
  })
  @IsOptional()
  @IsMongoId({ message: 'cursor must be the X-Next-Cursor value of a previous page' })
  cursor?: string;

  @ApiPropertyOptional({
    type: Boolean,
    description:
      'true: answer `{tasks, more, next_cursor}` instead of the bare array (the original ' +
      "task center's shape, kept as the default so that its clients still parse the answer).",
  })
  @IsOptional()
  @QueryBoolean()
  @IsBoolean({ message: 'envelope must be true or false' })
  envelope?: boolean;
}

/** query-task-by-name with envelope=true. */
export class TasksByNamePage {
  @ApiProperty({ type: [TaskResponse], description: 'Newest first.' })
  tasks!: TaskResponse[];

  @ApiProperty({ description: 'True when more tasks have this name: pass next_cursor back.' })
  more!: boolean;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as `cursor` for the next page; null when `more` is false.',
  })
  next_cursor!: string | null;
}
