import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsMongoId, IsString, Matches } from 'class-validator';
import { TAG_PATTERN, TAG_RULE, TASK_ID_PATTERN, TASK_ID_PROPERTY } from './task-fields';

const ID_RULE = { message: 'each value in ids must be a task id (24 hex characters)' };

export class DeleteTasksDto {
  @ApiProperty({
    type: 'array',
    items: { type: 'string', pattern: TASK_ID_PATTERN },
    minItems: 1,
    maxItems: 1000,
    description: 'Task ids (24 hex digits); unknown and deleted ones are skipped.',
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @IsMongoId({ each: true, ...ID_RULE })
  ids!: string[];
}

export class DeleteByNameDto {
  @ApiProperty({ pattern: TAG_PATTERN.source, description: 'The exact task name.' })
  @IsString()
  @Matches(TAG_PATTERN, { message: `name ${TAG_RULE}` })
  name!: string;
}

export class TaskIdDto {
  @ApiProperty(TASK_ID_PROPERTY)
  @IsMongoId({ message: 'taskid must be a task id (24 hex characters)' })
  taskid!: string;
}

export class DeletedIdsResponse {
  @ApiProperty({ type: [String], description: 'Ids that existed and are now deleted.' })
  SucIds!: string[];
}
