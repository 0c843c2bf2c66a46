import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  Max,
  Min,
} from 'class-validator';
import { MAX_RETRY_ATTEMPTS, MAX_RETRY_DELAY_SECONDS } from './task-fields';

/** Accepts seed 001's `"60 600 3600"` as well as `[60, 600, 3600]`. */
const intervalsFromString = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string'
    ? value
        .trim()
        .split(/[\s,]+/)
        // digits only: `Number` would also read "1e3", "0x10" and "" (as 0)
        .map((t) => (/^[0-9]+$/.test(t) ? Number(t) : NaN))
    : value;

export class RetryPolicyDto {
  @ApiPropertyOptional({
    description: 'Deliveries in total, first included (1 = no retry).',
    type: 'integer',
    minimum: 1,
    maximum: MAX_RETRY_ATTEMPTS,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_RETRY_ATTEMPTS)
  max_attempts?: number;

  @ApiPropertyOptional({ enum: ['exponential', 'fixed'] })
  @IsOptional()
  @IsIn(['exponential', 'fixed'])
  backoff?: 'exponential' | 'fixed';

  @ApiPropertyOptional({
    description: 'First retry delay, seconds.',
    type: 'integer',
    minimum: 1,
    maximum: MAX_RETRY_DELAY_SECONDS,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_RETRY_DELAY_SECONDS)
  delay?: number;

  @ApiPropertyOptional({
    description: 'Cap on exponential delays, seconds; not less than delay (else 400 err 40001).',
    type: 'integer',
    minimum: 1,
    maximum: MAX_RETRY_DELAY_SECONDS,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_RETRY_DELAY_SECONDS)
  max_delay?: number;

  @ApiPropertyOptional({
    description:
      'Explicit delays in seconds, one per retry: `[60, 600, 3600]` or `"60 600 3600"` ' +
      `(separated by spaces or commas; as a string too, 1..${MAX_RETRY_ATTEMPTS - 1} values ` +
      `of 1..${MAX_RETRY_DELAY_SECONDS}).`,
    oneOf: [
      {
        type: 'array',
        items: { type: 'integer', minimum: 1, maximum: MAX_RETRY_DELAY_SECONDS },
        minItems: 1,
        maxItems: MAX_RETRY_ATTEMPTS - 1,
      },
      { type: 'string', pattern: '^\\s*[0-9]+([\\s,]+[0-9]+)*\\s*$' },
    ],
  })
  @IsOptional()
  @Transform(intervalsFromString)
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_RETRY_ATTEMPTS - 1)
  @IsInt({ each: true })
  @Min(1, { each: true })
  @Max(MAX_RETRY_DELAY_SECONDS, { each: true })
  intervals?: number[];
}
