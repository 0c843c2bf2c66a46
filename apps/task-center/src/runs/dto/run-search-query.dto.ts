import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { QueryNumber } from '../../http/query-number';
import {
  ArrayMaxSize,
  IsIn,
  IsInt,
  IsMongoId,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { TAG_PATTERN, TAG_RULE } from '../../tasks/dto/task-fields';
import { RUN_SEARCH_STATES, type RunSearchState } from '../run-search';
import { PageLimit } from '../../http/page-limit';
import { TASK_ID_PATTERN } from '../../tasks/dto/task-fields';

/** Unix seconds up to year 5138: enough, and far from Number's precision limit in ms. */
const MAX_UNIX_S = 99_999_999_999;

class WindowDto {
  @ApiPropertyOptional({
    description:
      'Unix seconds, inclusive. Default: `to` − 24 h. Before `to`, and `to − from` ≤ 604800 ' +
      '(7 days), else 400 err 40001.',
    type: 'integer',
    minimum: 0,
    maximum: MAX_UNIX_S,
  })
  @IsOptional()
  @QueryNumber()
  @IsInt({ message: 'from must be unix seconds (an integer)' })
  @Min(0, { message: 'from must be unix seconds (an integer)' })
  @Max(MAX_UNIX_S, { message: 'from must be unix seconds (an integer)' })
  from?: number;

  @ApiPropertyOptional({
    description: 'Unix seconds, exclusive. Default: now.',
    type: 'integer',
    minimum: 0,
    maximum: MAX_UNIX_S,
  })
  @IsOptional()
  @QueryNumber()
  @IsInt({ message: 'to must be unix seconds (an integer)' })
  @Min(0, { message: 'to must be unix seconds (an integer)' })
  @Max(MAX_UNIX_S, { message: 'to must be unix seconds (an integer)' })
  to?: number;
}

/** `state=failed&state=dead` or `state=failed,dead`. */
const toList = ({ value }: { value: unknown }): unknown =>
  (Array.isArray(value) ? value : [value]).flatMap((v) => String(v).split(',')).filter(Boolean);

export class RunSearchQueryDto extends WindowDto {
  @ApiPropertyOptional({
    description:
      'One or several (repeat the parameter or separate by commas). `pending`: published, no ' +
      'outcome yet (fire state `dispatched`); `failed`/`timeout`: the latest attempt failed or ' +
      'timed out, another one follows (fire state `retrying`); `succeeded`; `dead`.',
    enum: RUN_SEARCH_STATES,
    isArray: true,
  })
  @IsOptional()
  @Transform(toList)
  @ArrayMaxSize(RUN_SEARCH_STATES.length, { message: 'state lists each state at most once' })
  @IsIn(RUN_SEARCH_STATES, {
    each: true,
    message: `state must be one of ${RUN_SEARCH_STATES.join(', ')}`,
  })
  state?: RunSearchState[];

  @ApiPropertyOptional({ description: 'Task name, exact.', pattern: TAG_PATTERN.source })
  @IsOptional()
  @IsString()
  @Matches(TAG_PATTERN, { message: `name ${TAG_RULE}` })
  name?: string;

  @ApiPropertyOptional({ description: 'One task (24 hex digits).', pattern: TASK_ID_PATTERN })
  @IsOptional()
  @IsMongoId({ message: 'task_id must be a task id (24 hex characters)' })
  task_id?: string;

  @PageLimit(500, 50)
  limit?: number;

  @ApiPropertyOptional({
    description:
      'The `next_cursor` of the previous page, unchanged (opaque; anything else is 400 err 40001).',
    maxLength: 100,
  })
  @IsOptional()
  @IsString()
  @MaxLength(100, { message: 'cursor must be the next_cursor of a previous page' })
  cursor?: string;
}

export class RunErrorsQueryDto extends WindowDto {
  @PageLimit(100, 20)
  limit?: number;
}
