import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { TaskType, type TaskStatus } from '@task-center/contracts';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsDefined,
  IsIn,
  IsMongoId,
  IsObject,
  IsString,
  Matches,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { FilterLimit, given, NamesOneOf, NotWith } from '../../bulk/bulk-request.validators';
import { SEARCHABLE_STATUSES } from './search-tasks.dto';
import { TAG_PATTERN, TAG_RULE, TASK_ID_PATTERN } from './task-fields';

export const BULK_TASK_ACTIONS = ['pause', 'resume', 'delete'] as const;
export type BulkTaskAction = (typeof BULK_TASK_ACTIONS)[number];
export const BULK_MAX_ITEMS = 1000;
/** The same characters as a name, as in GET /v1/api/tasks. */
const PREFIX_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:@/-]{0,199}$/;
const TASK_TYPES = [TaskType.OneShot, TaskType.Loop, TaskType.Crontab];

export class BulkTaskFilterDto {
  @ApiPropertyOptional({
    description: 'Exact task name. Not with name_prefix.',
    pattern: TAG_PATTERN.source,
  })
  @ValidateIf((o: object) => given(o, 'name'))
  @IsString({ message: 'filter.name must be a string' })
  @Matches(TAG_PATTERN, { message: `filter.name ${TAG_RULE}` })
  name?: string;

  @ApiPropertyOptional({
    description: 'Names starting with this (case-sensitive). Not with name.',
    pattern: PREFIX_PATTERN.source,
  })
  @ValidateIf((o: object) => given(o, 'name_prefix'))
  @IsString({ message: 'filter.name_prefix must be a string' })
  @Matches(PREFIX_PATTERN, { message: `filter.name_prefix ${TAG_RULE}` })
  @NotWith('name', 'filter.name and filter.name_prefix cannot be used together: give one')
  name_prefix?: string;

  @ApiPropertyOptional({
    description:
      'Statuses to act on; default: the ones the action changes (pause: active, resume: paused, delete: all three). Must include one of those.',
    enum: SEARCHABLE_STATUSES,
    isArray: true,
    minItems: 1,
    maxItems: SEARCHABLE_STATUSES.length,
  })
  @ValidateIf((o: object) => given(o, 'status'))
  @IsArray({ message: 'filter.status must be an array of statuses' })
  @ArrayMinSize(1, { message: 'filter.status must name at least one status' })
  @ArrayMaxSize(SEARCHABLE_STATUSES.length, {
    message: `filter.status must name at most ${SEARCHABLE_STATUSES.length} statuses`,
  })
  @IsIn(SEARCHABLE_STATUSES, {
    each: true,
    message: `filter.status must hold only ${SEARCHABLE_STATUSES.join(', ')}`,
  })
  status?: TaskStatus[];

  @ApiPropertyOptional({
    description: '1 one-shot, 2 loop, 3 crontab.',
    type: 'integer',
    enum: TASK_TYPES,
  })
  @ValidateIf((o: object) => given(o, 'type'))
  @IsIn(TASK_TYPES, { message: 'filter.type must be 1 (one-shot), 2 (loop) or 3 (crontab)' })
  type?: TaskType;
}

export class BulkTaskActionDto {
  @ApiProperty({ enum: BULK_TASK_ACTIONS, description: 'What to do to each task.' })
  @IsIn(BULK_TASK_ACTIONS, { message: `action must be one of ${BULK_TASK_ACTIONS.join(', ')}` })
  action!: BulkTaskAction;

  @ApiPropertyOptional({
    description:
      'Task ids (24 hex), acted on in this order; one result per id. Exactly one of ids and filter. Needs a write key.',
    type: 'array',
    items: { type: 'string', pattern: TASK_ID_PATTERN },
    minItems: 1,
    maxItems: BULK_MAX_ITEMS,
  })
  // Checked when given, and when filter is missing too (then it is the one asked for).
  @ValidateIf((o: object) => given(o, 'ids') || !given(o, 'filter'))
  @IsDefined({ message: 'give exactly one of ids and filter' })
  @IsArray({ message: 'ids must be an array of task ids' })
  @ArrayMinSize(1, { message: 'ids must hold at least 1 task id' })
  @ArrayMaxSize(BULK_MAX_ITEMS, { message: `ids must hold at most ${BULK_MAX_ITEMS} task ids` })
  @IsMongoId({ each: true, message: 'each value in ids must be a task id (24 hex characters)' })
  ids?: string[];

  @ApiPropertyOptional({
    type: BulkTaskFilterDto,
    description:
      'Acts on the live tasks matching every field given, at most `limit` per request; only tasks the action changes are selected, so repeating the request converges. At least one field (to act on every task, list the statuses). Needs an admin key.',
  })
  @ValidateIf((o: object) => given(o, 'filter'))
  @NotWith('ids', 'give exactly one of ids and filter, not both')
  @IsObject({ message: 'filter must be an object' })
  @ValidateNested()
  @Type(() => BulkTaskFilterDto)
  @NamesOneOf(
    ['name', 'name_prefix', 'status', 'type'],
    'filter must give at least one of name, name_prefix, status, type (to act on every task, list the statuses)',
  )
  filter?: BulkTaskFilterDto;

  @FilterLimit(BULK_MAX_ITEMS, 'ids', 'tasks', 'acted on')
  limit?: number;
}

export class BulkTaskResultDto {
  @ApiProperty({ description: 'The task id, as given (by ids) or as found (by filter).' })
  taskid!: string;

  @ApiProperty({ description: 'true: done (or there was nothing to do); false: see err, msg.' })
  ok!: boolean;

  @ApiPropertyOptional({
    description: 'With ok: the status after the action.',
    enum: ['active', 'paused', 'completed', 'deleted'],
  })
  status?: TaskStatus;

  @ApiPropertyOptional({
    description: 'Without ok: the code the single-task endpoint answers (40401, 40902).',
    type: 'integer',
    example: 40401,
  })
  err?: number;

  @ApiPropertyOptional({ description: 'Without ok: why.' })
  msg?: string;
}

export class BulkTaskActionResponse {
  @ApiProperty({ enum: BULK_TASK_ACTIONS })
  action!: BulkTaskAction;

  @ApiProperty({
    type: [BulkTaskResultDto],
    description: 'By ids: one per id, in the order given. By filter: newest task first.',
  })
  results!: BulkTaskResultDto[];

  @ApiProperty({ description: 'Results with ok: true.', type: 'integer' })
  succeeded!: number;

  @ApiProperty({ description: 'Results with ok: false.', type: 'integer' })
  failed!: number;

  @ApiProperty({
    description:
      'By filter: more tasks match than `limit`; repeat the request. Always false by ids.',
  })
  more!: boolean;
}
