import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { HTTP_METHODS } from '@task-center/contracts';
import { MISFIRE_POLICIES } from './task-fields';

/** OpenAPI shapes of the tasks API's answers (the task is task.view.ts toTaskView). */
class RetryPolicyResponse {
  @ApiProperty({ type: 'integer', minimum: 1 }) max_attempts!: number;
  @ApiProperty({ enum: ['exponential', 'fixed'] }) backoff!: string;
  @ApiProperty({ type: 'integer', minimum: 1, description: 'Seconds.' }) delay!: number;
  @ApiProperty({ type: 'integer', minimum: 1, description: 'Seconds.' }) max_delay!: number;
  @ApiPropertyOptional({ type: 'integer', isArray: true, description: 'Seconds, per retry.' })
  intervals?: number[];
}

class HttpTargetResponse {
  @ApiProperty({ enum: ['http'] }) type!: 'http';
  @ApiProperty() url!: string;
  @ApiProperty({ enum: HTTP_METHODS }) method!: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    description: 'Lower-cased names.',
  })
  headers!: Record<string, string>;
  @ApiProperty({ type: 'integer', minimum: 1, maximum: 300 }) timeout_s!: number;
}

export class TaskResponse {
  @ApiProperty({ description: 'The task id (24 hex).', pattern: '^[0-9a-f]{24}$' }) _id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: [1, 2, 3], description: '1 one-shot, 2 loop, 3 crontab.' }) type!: number;
  @ApiProperty() data!: string;
  @ApiPropertyOptional() crontab?: string;
  @ApiPropertyOptional({ type: 'integer', minimum: 1 }) loop_time?: number;
  @ApiPropertyOptional({ type: 'integer', minimum: 1 }) loop_count?: number;
  @ApiPropertyOptional({ type: 'integer', description: 'Unix seconds.' }) start_time?: number;
  @ApiPropertyOptional({ type: 'integer', description: 'Unix seconds.' }) end_time?: number;
  @ApiPropertyOptional({ type: 'integer', minimum: 1 }) max_runtime?: number;
  @ApiProperty() ack!: boolean;
  @ApiProperty({ type: 'integer', description: 'Unix seconds.' }) created_at!: number;
  @ApiProperty({ description: 'IANA time zone.' }) timezone!: string;
  @ApiPropertyOptional() key?: string;
  @ApiPropertyOptional() topic?: string;
  @ApiPropertyOptional({
    type: HttpTargetResponse,
    description: 'Present when fires call a URL instead of going to SDK workers.',
  })
  target?: HttpTargetResponse;
  @ApiPropertyOptional({ type: RetryPolicyResponse }) retry?: RetryPolicyResponse;
  @ApiProperty({ enum: MISFIRE_POLICIES }) misfire!: string;
  @ApiProperty({ enum: ['active', 'paused', 'completed'] }) status!: string;
  @ApiProperty({
    type: 'number',
    nullable: true,
    description: 'Unix seconds (fractional); null when it will not fire again.',
  })
  next_run_at!: number | null;
  @ApiProperty({
    type: 'number',
    isArray: true,
    description: 'Unix seconds of the queued run-now fires.',
  })
  manual_runs!: number[];
  @ApiProperty({ type: 'integer', minimum: 0 }) run_count!: number;
  @ApiProperty({
    type: 'number',
    nullable: true,
    description: 'Unix seconds; null before the first fire.',
  })
  last_run_at!: number | null;
  @ApiProperty({ type: 'integer', description: 'Unix seconds.' }) updated_at!: number;
}

class PreviewFireResponse {
  @ApiProperty({ type: 'number', description: 'Unix seconds.' }) at!: number;
  @ApiProperty({ format: 'date-time', description: 'The same instant, ISO 8601 in UTC.' })
  iso!: string;
}

export class PreviewResponse {
  @ApiProperty({ type: [PreviewFireResponse] }) fires!: PreviewFireResponse[];
  @ApiProperty({
    description: 'The schedule in English (crontabs worded by cronstrue, 24-hour clock).',
    example: 'At 09:00, Monday through Friday (Europe/Berlin)',
  })
  description!: string;
}
