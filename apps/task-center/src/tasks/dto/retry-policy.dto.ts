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
        .map(Number)
    : value;

export class RetryPolicyDto {
  @ApiPropertyOptional({
    description: 'Deliveries in total, first included (1 = no retry).',
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

  @ApiPropertyOptional({ description: 'First retry delay, seconds.', minimum: 1 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_RETRY_DELAY_SECONDS)
  delay?: number;

  @ApiPropertyOptional({ description: 'Cap on exponential delays, seconds.', minimum: 1 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_RETRY_DELAY_SECONDS)
  max_delay?: number;

  @ApiPropertyOptional({
    description: 'Explicit delays in seconds, one per retry: `[60, 600, 3600]` or `"60 600 3600"`.',
    oneOf: [{ type: 'array', items: { type: 'integer' } }, { type: 'string' }],
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
