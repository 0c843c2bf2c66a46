import { ApiProperty, ApiPropertyOptional, PartialType, PickType } from '@nestjs/swagger';
import { IsInt, IsMongoId, IsOptional, Max, Min } from 'class-validator';
import { TaskDefinitionDto } from './task-definition.dto';
import { TASK_ID_PROPERTY } from './task-fields';

/** Fields present replace the stored ones; absent fields keep their value. */
export class UpdateTaskDto extends PartialType(TaskDefinitionDto) {
  @ApiProperty(TASK_ID_PROPERTY)
  @IsMongoId({ message: 'taskid must be a task id (24 hex characters)' })
  taskid!: string;
}

/** Only the fields that decide when a task fires. */
export class PreviewTaskDto extends PickType(TaskDefinitionDto, [
  'type',
  'crontab',
  'loop_time',
  'loop_count',
  'start_time',
  'end_time',
  'timezone',
] as const) {
  @ApiPropertyOptional({
    type: 'integer',
    default: 10,
    minimum: 1,
    maximum: 1000,
    description: 'How many fire times.',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1000)
  count?: number;
}
