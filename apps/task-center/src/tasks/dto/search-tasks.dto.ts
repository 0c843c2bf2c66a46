import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { TaskType, type TaskStatus } from '@task-center/contracts';
import { Transform } from 'class-transformer';
import { QueryBoolean } from '../../http/query-boolean';
import { QueryNumber } from '../../http/query-number';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  registerDecorator,
  type ValidationArguments,
} from 'class-validator';
import { MAX_UNIX_SECONDS, NO_CONTROL_CHARACTERS, TAG_PATTERN, TAG_RULE } from './task-fields';
import { PageLimit } from '../../http/page-limit';
import { TaskResponse } from './task.response';

/** Deleted tasks are never listed. */
export const SEARCHABLE_STATUSES: readonly TaskStatus[] = ['active', 'paused', 'completed'];
export const SEARCH_SORTS = ['created_at', 'next_run_at'] as const;
export const SEARCH_MAX_LIMIT = 1000;
export const SEARCH_DEFAULT_LIMIT = 50;
const PREFIX_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:@/-]{0,199}$/;

/** `a,b` and `?x=a&x=b` alike become `['a', 'b']`. */
function listOf({ value }: { value: unknown }): unknown {
  if (typeof value === 'string') return value.split(',');
  if (Array.isArray(value)) {
    return (value as unknown[]).flatMap((v) => (typeof v === 'string' ? v.split(',') : [v]));
  }
  return value;
}

/** Fails when the property and `other` are both given. */
function NotTogetherWith(other: string) {
  return (target: object, property: string) =>
    registerDecorator({
      name: 'notTogetherWith',
      target: target.constructor,
      propertyName: property,
      options: { message: `${other} and ${property} cannot be used together: give one` },
      validator: {
        validate: (value: unknown, args: ValidationArguments) =>
          value === undefined || (args.object as Record<string, unknown>)[other] === undefined,
      },
    });
}

/** Fails unless the property is later than `other` (when both are given). */
function LaterThan(other: string) {
  return (target: object, property: string) =>
    registerDecorator({
      name: 'laterThan',
      target: target.constructor,
      propertyName: property,
      options: { message: `${property} must be later than ${other}` },
      validator: {
        validate: (value: unknown, args: ValidationArguments) => {
          const from = (args.object as Record<string, unknown>)[other];
          return typeof value !== 'number' || typeof from !== 'number' || value > from;
        },
      },
    });
}

const UNIX_SECONDS = { minimum: 0, maximum: MAX_UNIX_SECONDS };

export class SearchTasksDto {
  @ApiPropertyOptional({
    description: 'Exact task name. Not with name_prefix (400 err 40001).',
    pattern: TAG_PATTERN.source,
  })
  @IsOptional()
  @IsString({ message: 'name must be given once' })
  @Matches(TAG_PATTERN, { message: `name ${TAG_RULE}` })
  name?: string;

  @ApiPropertyOptional({
    description: 'Names starting with this (case-sensitive). Not with name.',
    pattern: PREFIX_PATTERN.source,
  })
  @IsOptional()
  @IsString({ message: 'name_prefix must be given once' })
  @Matches(PREFIX_PATTERN, { message: `name_prefix ${TAG_RULE}` })
  @NotTogetherWith('name')
  name_prefix?: string;

  @ApiPropertyOptional({
    description:
      'One or several statuses, comma-separated or repeated; default all three. Deleted tasks are never listed.',
    enum: SEARCHABLE_STATUSES,
    isArray: true,
  })
  @IsOptional()
  @Transform(listOf)
  @IsIn(SEARCHABLE_STATUSES, {
    each: true,
    message: `status must be one or more of ${SEARCHABLE_STATUSES.join(', ')} (comma-separated or repeated)`,
  })
  status?: TaskStatus[];

  @ApiPropertyOptional({
    description: '1 one-shot, 2 loop, 3 crontab.',
    type: 'integer',
    enum: [TaskType.OneShot, TaskType.Loop, TaskType.Crontab],
  })
  @IsOptional()
  // Not @Type(() => Number): on a repeated parameter (an array) class-transformer would try to
  // construct the enum TaskType and throw (a 500); an array stays one here and fails IsIn.
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? Number(value) : value))
  @IsIn([TaskType.OneShot, TaskType.Loop, TaskType.Crontab], {
    message: 'type must be 1 (one-shot), 2 (loop) or 3 (crontab)',
  })
  type?: TaskType;

  @ApiPropertyOptional({
    description: 'Tasks created with this `topic` (tasks on the default topic have none).',
    minLength: 1,
    maxLength: 249,
  })
  @IsOptional()
  @IsString({ message: 'topic must be given once' })
  @Length(1, 249, { message: 'topic must be 1-249 characters' })
  topic?: string;

  @ApiPropertyOptional({
    description: 'The live task with this idempotency key.',
    minLength: 1,
    maxLength: 200,
    pattern: NO_CONTROL_CHARACTERS,
  })
  @IsOptional()
  @IsString({ message: 'key must be given once' })
  @MaxLength(200, { message: 'key must be 1-200 characters' })
  // eslint-disable-next-line no-control-regex -- rejecting control characters is the point
  @Matches(/^[^\u0000-\u001f]+$/, {
    message: 'key must be 1-200 characters, no control characters',
  })
  key?: string;

  @ApiPropertyOptional({
    description: 'Unix seconds: tasks whose next run is at or after this.',
    type: 'integer',
    ...UNIX_SECONDS,
  })
  @IsOptional()
  @QueryNumber()
  @IsInt({ message: 'next_run_after must be unix seconds (an integer)' })
  @Min(0, { message: 'next_run_after must be unix seconds (an integer)' })
  @Max(MAX_UNIX_SECONDS, { message: `next_run_after must be at most ${MAX_UNIX_SECONDS}` })
  next_run_after?: number;

  @ApiPropertyOptional({
    description:
      'Unix seconds: tasks whose next run is before this (exclusive); later than next_run_after.',
    type: 'integer',
    ...UNIX_SECONDS,
  })
  @IsOptional()
  @QueryNumber()
  @IsInt({ message: 'next_run_before must be unix seconds (an integer)' })
  @Min(0, { message: 'next_run_before must be unix seconds (an integer)' })
  @Max(MAX_UNIX_SECONDS, { message: `next_run_before must be at most ${MAX_UNIX_SECONDS}` })
  @LaterThan('next_run_after')
  next_run_before?: number;

  @ApiPropertyOptional({
    description:
      '`created_at`: newest first. `next_run_at`: soonest first, then tasks without a next run.',
    enum: SEARCH_SORTS,
    default: 'created_at',
  })
  @IsOptional()
  @IsIn(SEARCH_SORTS, { message: `sort must be one of ${SEARCH_SORTS.join(', ')}` })
  sort?: (typeof SEARCH_SORTS)[number];

  @PageLimit(SEARCH_MAX_LIMIT, SEARCH_DEFAULT_LIMIT)
  limit?: number;

  @ApiPropertyOptional({
    description:
      'The next_cursor of the previous page, unchanged, with the same sort (anything else is ' +
      '400 err 40001).',
  })
  @IsOptional()
  @IsString({ message: 'cursor must be given once' })
  cursor?: string;

  @ApiPropertyOptional({
    description: 'true: also return `total`, counted up to a cap (see total_capped).',
    type: Boolean,
  })
  @IsOptional()
  @QueryBoolean()
  @IsBoolean({ message: 'count must be true or false' })
  count?: boolean;
}

export class TaskSearchResponse {
  @ApiProperty({
    description: 'Tasks as query-task-by-id shows them (times in unix seconds).',
    type: [TaskResponse],
  })
  tasks!: TaskResponse[];

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as `cursor` (same sort) for the next page; null on the last page.',
  })
  next_cursor!: string | null;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    description: 'With count=true: tasks matching, at most the cap.',
  })
  total?: number;

  @ApiPropertyOptional({
    description: 'With count=true: true when counting stopped at the cap (there are more).',
  })
  total_capped?: boolean;
}
