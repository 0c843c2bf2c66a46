import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** OpenAPI shapes of the fire search answers (the fire is runs.view.ts toFireView). */
class WorkerResponse {
  @ApiProperty() id!: string;
  @ApiProperty() group!: string;
  @ApiProperty() host!: string;
  @ApiProperty() pid!: number;
}

class OutcomeResponse {
  @ApiProperty({ enum: ['succeeded', 'failed', 'timeout', 'dead', 'redriven'] }) result!: string;
  @ApiProperty({ description: 'Epoch ms the center recorded it.' }) at_ms!: number;
  @ApiPropertyOptional() error?: string;
  @ApiPropertyOptional() duration_ms?: number;
  @ApiPropertyOptional({ type: WorkerResponse }) worker?: WorkerResponse;
}

class AttemptResponse {
  @ApiProperty({ minimum: 1 }) attempt!: number;
  @ApiProperty({ description: '`<task id>:<scheduled ms>:<attempt>`' }) message_id!: string;
  @ApiPropertyOptional({ description: 'Absent while only an outcome is known.' })
  published_at_ms?: number;
  @ApiPropertyOptional({ description: 'A run-now fire.' }) manual?: boolean;
  @ApiProperty({ type: [OutcomeResponse] }) outcomes!: OutcomeResponse[];
}

export class FireResponse {
  @ApiProperty({ description: '`<task id>:<scheduled ms>`' }) fire_id!: string;
  @ApiProperty() task_id!: string;
  @ApiProperty() name!: string;
  @ApiProperty() scheduled_at_ms!: number;
  @ApiProperty({ enum: ['dispatched', 'succeeded', 'retrying', 'dead'] }) state!: string;
  @ApiProperty({ type: [AttemptResponse] }) attempts!: AttemptResponse[];
  @ApiPropertyOptional() last_error?: string;
}

export class RunsPageResponse {
  @ApiProperty({ type: [FireResponse] }) fires!: FireResponse[];
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as `cursor` for the next page; null at the end of the window.',
  })
  next_cursor!: string | null;
}

class ErrorExampleResponse {
  @ApiProperty() fire_id!: string;
  @ApiProperty() message_id!: string;
}

export class RunErrorResponse {
  @ApiProperty({ description: 'The error message ("" when an event carried none).' })
  error!: string;
  @ApiProperty({ description: '`failed`, `timeout` and `dead` events with this message.' })
  count!: number;
  @ApiProperty({ description: 'Unix seconds of the first event in the window.' })
  first_seen!: number;
  @ApiProperty({ description: 'Unix seconds of the last event in the window.' })
  last_seen!: number;
  @ApiProperty({ type: [String], maxItems: 10, description: 'Task names, first seen first.' })
  names!: string[];
  @ApiProperty({ type: ErrorExampleResponse, description: 'The latest event.' })
  example!: ErrorExampleResponse;
}
