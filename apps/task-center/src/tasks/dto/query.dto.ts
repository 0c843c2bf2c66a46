import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { QueryNumber } from '../../http/query-number';
import { IsInt, IsMongoId, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { TAG_PATTERN, TAG_RULE, TASK_ID_PATTERN, TASK_ID_PROPERTY } from './task-fields';

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

  @ApiPropertyOptional({ type: 'integer', default: 100, minimum: 1, maximum: 1000 })
  @IsOptional()
  @QueryNumber()
  @IsInt({ message: 'limit must be an integer' })
  @Min(1)
  @Max(1000)
  limit?: number;

  @ApiPropertyOptional({
    description: 'The X-Next-Cursor header of the previous page.',
    pattern: TASK_ID_PATTERN,
  })
  @IsOptional()
  @IsMongoId({ message: 'cursor must be the X-Next-Cursor value of a previous page' })
  cursor?: string;
}
