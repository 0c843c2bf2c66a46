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
  /** Retention bucket: the same as its fire's records (`historyBucket`); absent on older events. */
  @Prop() rb?: number;
}
export const RunEventSchema = SchemaFactory.createForClass(RunEventDoc);
// Run history of a task (MongoDB; FerretDB's SQLite backend scans, see the repository).
RunEventSchema.index({ task_id: 1, scheduled_at: -1 });
// Stats of one day.
RunEventSchema.index({ day: 1, name: 1 });
// Retention: one bucket deleted per statement, by equality (docs/retention.md).
RunEventSchema.index({ rb: 1 });
