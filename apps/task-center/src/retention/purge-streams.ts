import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config';
import { DeadLettersRepository } from '../repositories/dead-letters.repository';
import { FiresRepository } from '../repositories/fires.repository';
import { RunEventsRepository } from '../repositories/run-events.repository';
import { TasksRepository } from '../repositories/tasks.repository';
import { WorkersRepository } from '../repositories/workers.repository';

/** One delete statement of a bucket: the collection it deletes from, and the delete. */
export interface BucketDelete {
  collection: string;
  delete(rb: number): Promise<number>;
}

/**
 * Collections purged by retention bucket under one cursor. Several deletes share a cursor when
 * their documents must go together (a fire's records and its run events).
 */
export interface BucketStream {
  /** The cursor's id in `retention_state`. */
  name: string;
  retentionMs: number;
  /** The oldest bucket stored (the first cursor), null when none. */
  oldest(): Promise<number | null>;
  /** In order, for each bucket. */
  deletes: BucketDelete[];
}

/** What retention deletes, as the repositories do it. */
@Injectable()
export class PurgeStreams {
  readonly streams: BucketStream[];

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    fires: FiresRepository,
    events: RunEventsRepository,
    tasks: TasksRepository,
    deadLetters: DeadLettersRepository,
    private readonly workers: WorkersRepository,
  ) {
    const r = config.retention;
    this.streams = [
      {
        // Fires first: a fire with no record is not listed, while a record without its
        // events would show as `dispatched` between the two statements.
        name: 'history',
        retentionMs: r.historyMs,
        oldest: async () => minOf(await fires.oldestBucket(), await events.oldestBucket()),
        deletes: [
          { collection: 'fires', delete: (rb) => fires.deleteBucket(rb) },
          { collection: 'run_events', delete: (rb) => events.deleteBucket(rb) },
        ],
      },
      {
        name: 'tasks',
        retentionMs: r.finishedTasksMs,
        oldest: () => tasks.oldestFinishedBucket(),
        deletes: [{ collection: 'tasks', delete: (rb) => tasks.deleteFinishedBucket(rb) }],
      },
      {
        name: 'dead_letters',
        retentionMs: r.deadLettersMs,
        oldest: () => deadLetters.oldestBucket(),
        deletes: [{ collection: 'dead_letters', delete: (rb) => deadLetters.deleteBucket(rb) }],
      },
    ];
  }

  /** Workers not heard from within RETENTION_WORKERS_S: one small range delete. */
  deleteStaleWorkers(now: number): Promise<number> {
    return this.workers.deleteSeenBefore(now - this.config.retention.workersMs);
  }
}

function minOf(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  return b === null ? a : Math.min(a, b);
}
