import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

/** One published attempt of a fire (see FireRecord); its outcomes are run events. */
@Schema({ collection: 'fires', versionKey: false })
export class FireDoc {
  /** The message id: `<task id>:<scheduled ms>:<attempt>`. Re-publishing is a no-op insert. */
  @Prop({ type: String }) _id!: string;
  @Prop({ required: true }) task_id!: string;
  @Prop({ required: true }) name!: string;
  @Prop({ required: true }) scheduled_at!: number;
  @Prop({ required: true }) published_at!: number;
  @Prop({ required: true }) attempt!: number;
  /** True for a run-now fire. */
  @Prop({ required: true, default: false }) manual!: boolean;
  @Prop({ type: String, required: true }) status!: 'dispatched';
  /** Retention bucket (retention/retention-buckets.ts `historyBucket`); absent on older records. */
  @Prop() rb?: number;
}

export const FireSchema = SchemaFactory.createForClass(FireDoc);

// Run history of a task, newest first.
FireSchema.index({ task_id: 1, scheduled_at: -1 });
// The fire search across tasks (GET /v1/api/runs), newest first by scheduled time then task
// id: a window of scheduled times, walked in the index's order, without a sort in memory.
FireSchema.index({ scheduled_at: -1, task_id: -1 });
// The same search for one name ("everything named x"), without reading other names' fires.
FireSchema.index({ name: 1, scheduled_at: -1, task_id: -1 });
// Retention: one bucket deleted per statement, by equality (docs/retention.md).
FireSchema.index({ rb: 1 });
