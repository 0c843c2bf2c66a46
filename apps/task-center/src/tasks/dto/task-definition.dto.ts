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
import { DEFAULT_RETRY_DELAYS_S, durationInWords } from '../../scheduling';
import { HttpTargetDto } from './http-target.dto';
import { RetryPolicyDto } from './retry-policy.dto';
import {
  MAX_LOOP_COUNT,
  MAX_LOOP_SECONDS,
  MAX_RUNTIME_SECONDS,
  MAX_UNIX_SECONDS,
  MISFIRE_POLICIES,
  NO_CONTROL_CHARACTERS,
  TAG_PATTERN,
  TAG_RULE,
} from './task-fields';

/**
 * A task's definition as sent on the wire (seed 002's fields plus ours). Zero and empty
 * values of optional fields mean "absent", as they did in the seed's Go client.
 */
export class TaskDefinitionDto {
  @ApiProperty({
    description: `The tag workers subscribe to: ${TAG_RULE.replace('must be ', '')}.`,
    pattern: TAG_PATTERN.source,
    example: 'billing.reminder',
  })
  @IsString()
  @Matches(TAG_PATTERN, { message: `name ${TAG_RULE}` })
  name!: string;

  @ApiProperty({
    type: 'integer',
    enum: [1, 2, 3],
    description:
      '1 one-shot (no crontab, loop_time or loop_count), 2 fixed-interval loop (loop_time ' +
      'required, no crontab), 3 crontab (crontab required, no loop_time). "Not set" is ' +
      'absent, 0 or "".',
  })
  @IsInt()
  @IsIn([1, 2, 3], { message: 'type must be 1 (one-shot), 2 (loop) or 3 (crontab)' })
  type!: number;

  @ApiProperty({
    description:
      'Delivered to the worker byte for byte (JSON or anything else). At most ' +
      'TASK_DATA_MAX_BYTES UTF-8 bytes (default 524288), else 413 with err 41302.',
  })
  @IsString()
  data!: string;

  @ApiPropertyOptional({
    description:
      'Type 3 (required there; absent or "" otherwise): 5 fields, or 6 with leading seconds, ' +
      'that fire at least once in the window; the H operator is refused. Else 400 err 40003.',
    maxLength: 256,
    example: '*/10 * * * * *',
  })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  crontab?: string;

  @ApiPropertyOptional({
    description:
      'Type 2 (required there; absent or 0 otherwise): seconds between fires, anchored to ' +
      'the first.',
    type: 'integer',
    minimum: 0,
    maximum: MAX_LOOP_SECONDS,
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_LOOP_SECONDS)
  loop_time?: number;

  @ApiPropertyOptional({
    description: 'Types 2 and 3: fires at most; 0 or absent = unlimited (type 1: 0 or absent).',
    type: 'integer',
    minimum: 0,
    maximum: MAX_LOOP_COUNT,
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_LOOP_COUNT)
  loop_count?: number;

  @ApiPropertyOptional({
    description: 'Unix seconds: no fire before it (0: not set).',
    type: 'integer',
    minimum: 0,
    maximum: MAX_UNIX_SECONDS,
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_UNIX_SECONDS)
  start_time?: number;

  @ApiPropertyOptional({
    description:
      'Unix seconds: no fire after it (0: not set). Must be after start_time and leave at ' +
      'least one fire, else 400 err 40003.',
    type: 'integer',
    minimum: 0,
    maximum: MAX_UNIX_SECONDS,
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_UNIX_SECONDS)
  end_time?: number;

  @ApiPropertyOptional({
    description: 'Seconds a handler may run (0: not set); with ack, the redelivery timeout.',
    type: 'integer',
    minimum: 0,
    maximum: MAX_RUNTIME_SECONDS,
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_RUNTIME_SECONDS)
  max_runtime?: number;

  @ApiPropertyOptional({
    description: 'Expect an outcome within max_runtime, else redeliver. true needs max_runtime.',
  })
  @IsOptional()
  @IsBoolean()
  ack?: boolean;

  @ApiPropertyOptional({
    description:
      'IANA zone for crontab evaluation (absent or "": DEFAULT_TIMEZONE); an unknown zone is ' +
      '400 err 40003.',
    maxLength: 64,
    example: 'Europe/Berlin',
  })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  timezone?: string;

  @ApiPropertyOptional({
    description: 'Idempotency / business key, unique among live tasks; no control characters.',
    minLength: 1,
    maxLength: 200,
    pattern: NO_CONTROL_CHARACTERS,
  })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  // eslint-disable-next-line no-control-regex -- rejecting control characters is the point
  @Matches(/^[^\u0000-\u001f]*$/, { message: 'key must not contain control characters' })
  key?: string;

  @ApiPropertyOptional({
    description:
      'Publish to this topic instead of KAFKA_TOPIC_TASKS ("": not set). It must be that ' +
      'topic or one of KAFKA_EXTRA_TOPICS, else 400 err 40001.',
    maxLength: 249,
  })
  @IsOptional()
  @IsString()
  @MaxLength(249)
  topic?: string;

  @ApiPropertyOptional({
    type: HttpTargetDto,
    description:
      'Call this URL at every fire instead of publishing for SDK workers (absent: a Kafka ' +
      'fire as always). Not with topic. null in an update removes it.',
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => HttpTargetDto)
  target?: HttpTargetDto | null;

  @ApiPropertyOptional({
    type: RetryPolicyDto,
    description:
      "Redelivery of a failed attempt. Absent: the original task center's schedule, " +
      `${DEFAULT_RETRY_DELAYS_S.length} retries after the first delivery ` +
      `(${DEFAULT_RETRY_DELAYS_S.map(durationInWords).join(', ')}), then the dead-letter topic.`,
  })
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
