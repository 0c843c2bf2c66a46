import { ApiProperty } from '@nestjs/swagger';

class TasksByStatus {
  @ApiProperty({ minimum: 0 }) active!: number;
  @ApiProperty({ minimum: 0 }) paused!: number;
  @ApiProperty({ minimum: 0 }) completed!: number;
  @ApiProperty({ minimum: 0, description: 'Deleted, kept until purged.' }) deleted!: number;
}

class TasksByType {
  @ApiProperty({ minimum: 0, description: 'Type 1, not deleted.' }) one_shot!: number;
  @ApiProperty({ minimum: 0, description: 'Type 2, not deleted.' }) loop!: number;
  @ApiProperty({ minimum: 0, description: 'Type 3, not deleted.' }) crontab!: number;
}

class OverviewTasks {
  @ApiProperty({ description: 'When the fleet snapshot counted them (epoch ms).' })
  counted_at_ms!: number;
  @ApiProperty({ minimum: 0, description: 'How long the count took (ms).' })
  count_took_ms!: number;
  @ApiProperty({ minimum: 0, description: 'Active + paused + completed.' }) total!: number;
  @ApiProperty({ type: TasksByStatus }) by_status!: TasksByStatus;
  @ApiProperty({ type: TasksByType }) by_type!: TasksByType;
}

class OverviewPoint {
  @ApiProperty({ description: 'Start of the minute (epoch ms).' }) at_ms!: number;
  @ApiProperty({ minimum: 0, description: 'Fires published (acknowledged by Kafka).' })
  fires!: number;
  @ApiProperty({ minimum: 0 }) succeeded!: number;
  @ApiProperty({ minimum: 0, description: 'Failed attempts (a retry may follow).' })
  failed!: number;
  @ApiProperty({ minimum: 0, description: 'Attempts with no outcome by their deadline.' })
  timeout!: number;
  @ApiProperty({ minimum: 0, description: 'Fires dead-lettered.' }) dead!: number;
}

class OverviewSeries {
  @ApiProperty({ example: 60000 }) minute_ms!: number;
  @ApiProperty({
    type: [OverviewPoint],
    description: 'One point per minute, oldest first, zero-filled; the last is the current minute.',
  })
  points!: OverviewPoint[];
}

class OverviewLateness {
  @ApiProperty({ description: 'Start of the first minute counted (epoch ms).' }) from_ms!: number;
  @ApiProperty({ minimum: 0, description: 'Fires counted.' }) count!: number;
  @ApiProperty({
    type: Number,
    nullable: true,
    description:
      'Due → Kafka ack, at the resolution of the histogram buckets (1, 2, 5, 10, 20, 50 ms, …).',
  })
  p50_ms!: number | null;
  @ApiProperty({ type: Number, nullable: true }) p90_ms!: number | null;
  @ApiProperty({ type: Number, nullable: true }) p99_ms!: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'Exact.' }) max_ms!: number | null;
}

class TagWorkers {
  @ApiProperty() tag!: string;
  @ApiProperty({ minimum: 1 }) live_workers!: number;
}

class OverviewWorkers {
  @ApiProperty({ minimum: 0, description: 'Worker processes with a recent heartbeat.' })
  live!: number;
  @ApiProperty({ type: [TagWorkers] }) by_tag!: TagWorkers[];
}

class TagsWithoutWorker {
  @ApiProperty({
    type: [String],
    description: 'Names of active tasks that no live worker handles (HTTP-less, SDK tags).',
  })
  tags!: string[];
  @ApiProperty({ description: 'True when the snapshot kept only the first 1000 active names.' })
  truncated!: boolean;
}

export class OverviewResponse {
  @ApiProperty({ description: 'When this answer was made (epoch ms).' }) generated_at_ms!: number;
  @ApiProperty({
    type: OverviewTasks,
    nullable: true,
    description: 'Null until the first fleet snapshot (taken every OVERVIEW_WRITE_S).',
  })
  tasks!: OverviewTasks | null;
  @ApiProperty({ type: OverviewSeries }) series!: OverviewSeries;
  @ApiProperty({ type: OverviewLateness }) lateness!: OverviewLateness;
  @ApiProperty({ type: Number, nullable: true, description: 'Null until the first snapshot.' })
  dead_letters_waiting!: number | null;
  @ApiProperty({ type: OverviewWorkers }) workers!: OverviewWorkers;
  @ApiProperty({ type: TagsWithoutWorker, nullable: true })
  tags_without_worker!: TagsWithoutWorker | null;
  @ApiProperty({
    minimum: 0,
    description: 'Replicas that wrote counts for this minute or the one before.',
  })
  replicas_reporting!: number;
}
