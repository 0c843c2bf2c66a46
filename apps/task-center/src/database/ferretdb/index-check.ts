import {
  type BeforeApplicationShutdown,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { type Connection, Types } from 'mongoose';
import { DatabaseFlavor } from '../database-flavor';
import { isPostgresFullScan } from '../query-plan';

const CHECK_EVERY_MS = 3_600_000;
/** Below this many tasks PostgreSQL rightly prefers a scan, index or not: nothing to say. */
const MIN_TASKS = 5000;

/**
 * Tells the operator, once, when FerretDB's PostgreSQL backend answers a lookup of a task by
 * `_id` with a sequential scan: without the GIN indexes of stack/ferretdb-pg-indexes.sql every
 * lookup and update costs O(stored tasks) (FerretDB#4646). A hint only: it never delays or
 * fails anything. Nothing to check on MongoDB.
 */
@Injectable()
export class FerretdbIndexCheck implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Database');
  private timer: NodeJS.Timeout | undefined;
  private warned = false;

  constructor(
    @InjectConnection() private readonly connection: Connection,
    private readonly flavor: DatabaseFlavor,
  ) {}

  onApplicationBootstrap(): void {
    const run = () => void this.check().catch(() => undefined);
    run();
    this.timer = setInterval(run, CHECK_EVERY_MS);
    this.timer.unref();
  }

  beforeApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** True when it warned (now or before). */
  async check(): Promise<boolean> {
    const db = this.connection.db;
    if (this.warned || !db) return this.warned;
    if (!(await this.flavor.isFerretDb())) return false;
    // The plan first: an EXPLAIN runs nothing. FerretDB v1 answers a count by reading every
    // task (minutes at a million), so it only runs when the plan is the slow one.
    const explained = await db.command({
      explain: { find: 'tasks', filter: { _id: new Types.ObjectId() } },
      verbosity: 'queryPlanner',
    });
    if (!isPostgresFullScan(explained)) return false;
    if ((await db.collection('tasks').estimatedDocumentCount()) < MIN_TASKS) return false;
    this.warned = true;
    this.logger.warn(
      'FerretDB on PostgreSQL reads the whole tasks collection for every lookup by _id (its ' +
        'btree indexes cannot serve the filters it sends, FerretDB#4646): dispatch and the API ' +
        'slow down as tasks accumulate. Apply stack/ferretdb-pg-indexes.sql to its PostgreSQL ' +
        'database and restart FerretDB (README: "FerretDB v1 on PostgreSQL").',
    );
    return true;
  }
}
