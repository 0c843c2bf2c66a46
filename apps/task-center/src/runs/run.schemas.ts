import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { type WorkerIdentity } from '@task-center/contracts';
import { SchemaTypes } from 'mongoose';

/** See RunEvent: insert-only, `_id` = `<message id>:<kind>`. */
@Schema({ collection: 'run_events', versionKey: false })
export class RunEventDoc {
  @Prop({ type: String }) _id!: string;
  @Prop({ type: String, required: true }) kind!: string;
  @Prop({ required: true }) message_id!: string;
  @Prop({ required: true }) task_id!: string;
  @Prop({ required: true }) name!: string;
  @Prop({ required: true }) scheduled_at!: number;
  @Prop({ required: true }) attempt!: number;
  @Prop({ required: true }) at!: number;
  @Prop({ required: true }) day!: string;
  @Prop() error?: string;
  @Prop() started_at?: number;
  @Prop() duration_ms?: number;
  @Prop({ type: SchemaTypes.Mixed }) worker?: WorkerIdentity;
}
export const RunEventSchema = SchemaFactory.createForClass(RunEventDoc);
// Run history of a task (MongoDB; FerretDB's SQLite backend scans, see the reader).
RunEventSchema.index({ task_id: 1, scheduled_at: -1 });
// Stats of one day.
RunEventSchema.index({ day: 1, name: 1 });

/** See RunTimer: `_id` = `<r|d|x>:<message id>`, deleted once acted on. */
@Schema({ collection: 'run_timers', versionKey: false })
export class RunTimerDoc {
  @Prop({ type: String }) _id!: string;
  @Prop({ type: String, required: true }) kind!: string;
  @Prop({ required: true }) task_id!: string;
  @Prop({ required: true }) name!: string;
  @Prop({ required: true }) scheduled_at!: number;
  @Prop({ required: true }) attempt!: number;
  @Prop({ required: true }) due_at!: number;
  @Prop({ required: true }) shard!: number;
  /** "<shard>:<second of due_at>": read by equality, like the tasks' `due_slot`. */
  @Prop({ required: true }) due_slot!: string;
  @Prop() reason?: string;
  @Prop() last_error?: string;
  @Prop({ required: true }) created_at!: number;
}
export const RunTimerSchema = SchemaFactory.createForClass(RunTimerDoc);
RunTimerSchema.index({ due_slot: 1 });
RunTimerSchema.index({ shard: 1, due_at: 1 });

/** See DeadLetter: `_id` = the last attempt's message id; deleted by a redrive. */
@Schema({ collection: 'dead_letters', versionKey: false })
export class DeadLetterDoc {
  @Prop({ type: String }) _id!: string;
  @Prop({ required: true }) task_id!: string;
  @Prop({ required: true }) name!: string;
  @Prop({ required: true }) scheduled_at!: number;
  @Prop({ required: true }) attempt!: number;
  @Prop({ required: true }) last_error!: string;
  @Prop({ required: true }) dead_at!: number;
  @Prop({ required: true }) topic!: string;
  @Prop({ type: SchemaTypes.Mixed, required: true }) headers!: Record<string, string>;
}
export const DeadLetterSchema = SchemaFactory.createForClass(DeadLetterDoc);
DeadLetterSchema.index({ dead_at: -1, _id: -1 });

/** Last heartbeat of a worker process; `_id` = worker id, one writer (its results partition). */
@Schema({ collection: 'workers', versionKey: false })
export class WorkerDoc {
  @Prop({ type: String }) _id!: string;
  @Prop({ required: true }) group!: string;
  @Prop() host!: string;
  @Prop() pid!: number;
  @Prop() sdk!: string;
  @Prop({ type: [String], default: [] }) tags!: string[];
  @Prop({ required: true }) last_seen!: number;
  @Prop({ required: true }) interval_ms!: number;
  @Prop({ required: true, default: false }) stopping!: boolean;
}
export const WorkerSchema = SchemaFactory.createForClass(WorkerDoc);
WorkerSchema.index({ last_seen: -1 });
