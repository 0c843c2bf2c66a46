import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
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
  ValidateNested,
} from 'class-validator';
import { RetryPolicyDto } from './retry-policy.dto';
import {
  MAX_LOOP_COUNT,
  MAX_LOOP_SECONDS,
  MAX_RUNTIME_SECONDS,
  MAX_UNIX_SECONDS,
  MISFIRE_POLICIES,
  TAG_PATTERN,
  TAG_RULE,
} from './task-fields';

/**
 * A task's definition as sent on the wire (seed 002's fields plus ours). Zero and empty
 * values of optional fields mean "absent", as they did in the seed's Go client.
 */
export class TaskDefinitionDto {
  @ApiProperty({ description: 'The tag workers subscribe to.', example: 'billing.reminder' })
  @IsString()
  @Matches(TAG_PATTERN, { message: `name ${TAG_RULE}` })
  name!: string;

  @ApiProperty({ enum: [1, 2, 3], description: '1 one-shot, 2 fixed-interval loop, 3 crontab.' })
  @IsInt()
  @IsIn([1, 2, 3], { message: 'type must be 1 (one-shot), 2 (loop) or 3 (crontab)' })
  type!: number;

  @ApiProperty({ description: 'Delivered to the worker byte for byte (JSON or anything else).' })
  @IsString()
  data!: string;

  @ApiPropertyOptional({
    description: 'Type 3: 5 fields, or 6 with leading seconds.',
    example: '*/10 * * * * *',
  })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  crontab?: string;

  @ApiPropertyOptional({
    description: 'Type 2: seconds between fires, anchored to the first.',
    minimum: 1,
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_LOOP_SECONDS)
  loop_time?: number;

  @ApiPropertyOptional({ description: 'Types 2 and 3: fires at most; 0 or absent = unlimited.' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_LOOP_COUNT)
  loop_count?: number;

  @ApiPropertyOptional({ description: 'Unix seconds: no fire before it.' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_UNIX_SECONDS)
  start_time?: number;

  @ApiPropertyOptional({ description: 'Unix seconds: no fire after it.' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_UNIX_SECONDS)
  end_time?: number;

  @ApiPropertyOptional({
    description: 'Seconds a handler may run; with ack, the redelivery timeout.',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_RUNTIME_SECONDS)
  max_runtime?: number;

  @ApiPropertyOptional({ description: 'Expect an outcome within max_runtime, else redeliver.' })
  @IsOptional()
  @IsBoolean()
  ack?: boolean;

  @ApiPropertyOptional({
    description: 'IANA zone for crontab evaluation.',
    example: 'Europe/Berlin',
  })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  timezone?: string;

  @ApiPropertyOptional({ description: 'Idempotency / business key, unique among live tasks.' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  // eslint-disable-next-line no-control-regex -- rejecting control characters is the point
  @Matches(/^[^\u0000-\u001f]*$/, { message: 'key must not contain control characters' })
  key?: string;

  @ApiPropertyOptional({ description: 'Publish to this allowed topic instead of the default.' })
  @IsOptional()
  @IsString()
  @MaxLength(249)
  topic?: string;

  @ApiPropertyOptional({ type: RetryPolicyDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => RetryPolicyDto)
  retry?: RetryPolicyDto;

  @ApiPropertyOptional({
    enum: MISFIRE_POLICIES,
    description: 'What to do with slots missed during downtime.',
  })
  @IsOptional()
  @IsIn(MISFIRE_POLICIES)
  misfire?: (typeof MISFIRE_POLICIES)[number];
}
