import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import {
  type HttpMethod,
  TASK_STATUSES,
  TASK_TYPES,
  type TaskStatus,
  type TaskType,
} from '@task-center/contracts';
import { SchemaTypes, type Types } from 'mongoose';

/** An HTTP target as stored: the API's shape (headers lower-cased). */
@Schema({ _id: false, versionKey: false, minimize: false })
export class HttpTargetDoc {
  @Prop({ type: String, required: true, enum: ['http'] }) type!: 'http';
  @Prop({ required: true }) url!: string;
  @Prop({ type: String, required: true }) method!: HttpMethod;
  @Prop({ type: SchemaTypes.Mixed, required: true, default: {} }) headers!: Record<string, string>;
  @Prop({ required: true }) timeout_s!: number;
}

@Schema({ _id: false, versionKey: false })
export class RetryPolicyDoc {
  @Prop({ required: true }) max_attempts!: number;
  @Prop({ type: String, required: true, enum: ['exponential', 'fixed'] }) backoff!:
    'exponential' | 'fixed';
  @Prop({ required: true }) delay!: number;
  @Prop({ required: true }) max_delay!: number;
  @Prop({ type: [Number], default: undefined }) intervals?: number[];
}

/**
 * A task as stored. Field names are the API's snake_case; instants the API shows in
 * unix seconds are stored here in epoch milliseconds (`*_at`), the scheduler's unit.
 */
@Schema({ collection: 'tasks', versionKey: false })
export class TaskDoc {
  _id!: Types.ObjectId;
  @Prop({ required: true }) name!: string;
  @Prop({ type: Number, required: true, enum: TASK_TYPES }) type!: TaskType;
  @Prop({ required: true }) data!: string;
  @Prop() crontab?: string;
  @Prop() loop_time?: number;
  @Prop() loop_count?: number;
  /** Unix seconds, as the user sent it. */
  @Prop() start_time?: number;
  /** Unix seconds, as the user sent it. */
  @Prop() end_time?: number;
  @Prop() max_runtime?: number;
  @Prop({ required: true, default: false }) ack!: boolean;
  @Prop({ required: true }) timezone!: string;
  /** The user's idempotency key, when given. */
  @Prop() key?: string;
  /**
   * Always set, always unique: `k:<key>` for keyed live tasks, `id:<_id>` otherwise.
   * A plain unique index on an optional field would collide on its missing values, and
   * FerretDB v1 has no partial or sparse indexes to exclude them.
   */
  @Prop({ required: true }) uniq_key!: string;
  @Prop() topic?: string;
  @Prop({ type: HttpTargetDoc }) target?: HttpTargetDoc;
  @Prop({ type: RetryPolicyDoc }) retry?: RetryPolicyDoc;
  @Prop({ required: true }) misfire!: string;
  @Prop({ type: String, required: true, enum: TASK_STATUSES }) status!: TaskStatus;
  @Prop({ type: Number, default: null }) next_run_at!: number | null;
  @Prop({ type: [Number], default: [] }) manual_runs!: number[];
  /** Earliest of `next_run_at` and `manual_runs` for live active tasks, else null. */
  @Prop({ type: Number, default: null }) due_at!: number | null;
  /** Dispatch shard: a hash of the id, fixed at creation (see DISPATCH_SHARDS). */
  @Prop({ required: true }) shard!: number;
  /** "<shard>:<second of due_at>": the dispatcher's equality lookup key; null when not due. */
  @Prop({ type: String, default: null }) due_slot!: string | null;
  @Prop({ required: true, default: 0 }) run_count!: number;
  @Prop({ type: Number, default: null }) last_run_at!: number | null;
  @Prop({ required: true }) created_at!: number;
  @Prop({ required: true }) updated_at!: number;
  @Prop({ type: Number, default: null }) deleted_at!: number | null;
  @Prop({ required: true, default: 1 }) version!: number;
  /**
   * Retention bucket of when the task became completed or deleted; absent while it is active
   * or paused (a rescheduled completed task loses it), and on tasks finished before retention.
   */
  @Prop() rb?: number;
}

export const TaskSchema = SchemaFactory.createForClass(TaskDoc);

// The dispatcher's per-second read-ahead: equality, so FerretDB pushes it down to the index.
TaskSchema.index({ due_slot: 1 });
// Catch-up when a replica takes over a shard: what is due by now in that shard.
TaskSchema.index({ shard: 1, due_at: 1 });
// query-task-by-name: equality on name, newest first (_id order), cursor on _id.
TaskSchema.index({ name: 1, _id: -1 });
// Idempotent create by key: uniqueness without a partial or sparse index (see uniq_key).
TaskSchema.index({ uniq_key: 1 }, { unique: true });
// Retention: finding completed/deleted tasks older than the retention period.
TaskSchema.index({ status: 1, updated_at: 1 });
// Retention: finished tasks deleted one bucket per statement, by equality (docs/retention.md).
TaskSchema.index({ rb: 1 });
// GET /v1/api/tasks. Every search query carries `status` (one value or the live ones, so
// deleted tasks are skipped inside the index) and sorts on what follows it; type, topic and
// the next-run window are checked on the entries scanned in order (type has three values; a
// topic index would be read by nothing else). Only the next_run_at index moves on the
// dispatcher's hot path (every advance rewrites next_run_at); the others change on insert,
// pause, resume, completion and delete.
// sort=created_at (the default), newest first, with _id breaking ties for the cursor.
TaskSchema.index({ status: 1, created_at: -1, _id: -1 });
// sort=next_run_at, soonest first, and the next_run_before/after window.
TaskSchema.index({ status: 1, next_run_at: 1, _id: 1 });
// name=… under the default sort: the name's tasks only, already in created_at order
// (`{name, _id}` above orders by id, which query-task-by-name keeps using).
TaskSchema.index({ name: 1, created_at: -1, _id: -1 });
