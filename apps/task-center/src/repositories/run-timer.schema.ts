import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

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
