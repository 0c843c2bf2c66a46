import { ApiProperty } from '@nestjs/swagger';

/** OpenAPI shapes of the runs API's answers (runs.view.ts). Instants in epoch ms. */
export class DeadLetterResponse {
  @ApiProperty({ description: '`<task id>:<scheduled ms>:<attempt>`' }) message_id!: string;
  @ApiProperty({ description: '`<task id>:<scheduled ms>`' }) fire_id!: string;
  @ApiProperty() task_id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ type: 'integer' }) scheduled_at_ms!: number;
  @ApiProperty({ type: 'integer', minimum: 1, description: 'The attempt that died.' })
  attempts!: number;
  @ApiProperty() last_error!: string;
  @ApiProperty({ type: 'integer' }) dead_at_ms!: number;
  @ApiProperty({ description: 'The dead-letter topic it was published to.' }) topic!: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    description: 'Kafka headers of the dead message.',
  })
  headers!: Record<string, string>;
}

export class RedriveResponse {
  @ApiProperty({ description: 'The dead letter redriven.' }) message_id!: string;
  @ApiProperty({ type: 'integer', minimum: 2, description: 'The attempt number sent next.' })
  attempt!: number;
}

/** Also the value of `by_name` (referenced by name there). */
class OutcomeCounts {
  @ApiProperty({ type: 'integer', minimum: 0 }) succeeded!: number;
  @ApiProperty({ type: 'integer', minimum: 0 }) failed!: number;
  @ApiProperty({ type: 'integer', minimum: 0 }) timeout!: number;
  @ApiProperty({ type: 'integer', minimum: 0 }) dead!: number;
}

class BacklogResponse {
  @ApiProperty({ type: 'integer', minimum: 0, description: 'Active tasks already due.' })
  tasks!: number;
  @ApiProperty({ type: 'integer', minimum: 0, description: 'Retries and timeouts pending.' })
  redeliveries!: number;
}

export class RunStatsResponse {
  @ApiProperty({ description: 'The UTC day, YYYY-MM-DD.' }) date!: string;
  @ApiProperty({ type: BacklogResponse, description: 'Approximate, counted when asked.' })
  backlog!: BacklogResponse;
  @ApiProperty({ type: OutcomeCounts }) totals!: OutcomeCounts;
  @ApiProperty({
    type: 'object',
    additionalProperties: { $ref: '#/components/schemas/OutcomeCounts' },
    description: 'The same counts per task name.',
  })
  by_name!: Record<string, OutcomeCounts>;
}

class WorkerProcessResponse {
  @ApiProperty() id!: string;
  @ApiProperty() group!: string;
  @ApiProperty() host!: string;
  @ApiProperty({ type: 'integer' }) pid!: number;
  @ApiProperty({ description: 'SDK name and version.' }) sdk!: string;
  @ApiProperty({ type: [String] }) tags!: string[];
  @ApiProperty() alive!: boolean;
  @ApiProperty() stopping!: boolean;
  @ApiProperty({ type: 'integer' }) last_seen_ms!: number;
  @ApiProperty({ type: 'integer' }) interval_ms!: number;
}

export class WorkersResponse {
  @ApiProperty({ type: [WorkerProcessResponse] }) workers!: WorkerProcessResponse[];
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'array', items: { type: 'string' } },
    description: 'Per tag, the ids of the live workers that handle it.',
  })
  by_tag!: Record<string, string[]>;
}
