import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { SchemaTypes } from 'mongoose';

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
  /** Retention bucket of `dead_at`; absent on older dead letters. */
  @Prop() rb?: number;
}
export const DeadLetterSchema = SchemaFactory.createForClass(DeadLetterDoc);
DeadLetterSchema.index({ dead_at: -1, _id: -1 });
// Retention: one bucket deleted per statement, by equality (docs/retention.md).
DeadLetterSchema.index({ rb: 1 });
