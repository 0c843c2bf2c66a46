import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

/** Where the purge of one collection stands (retention/retention.job.ts); `_id` = its name. */
@Schema({ collection: 'retention_state', versionKey: false })
export class RetentionStateDoc {
  @Prop({ type: String }) _id!: string;
  /** Start (epoch ms) of the last retention bucket purged: every bucket up to it is gone. */
  @Prop({ required: true }) cursor!: number;
  @Prop({ required: true }) updated_at!: number;
}
export const RetentionStateSchema = SchemaFactory.createForClass(RetentionStateDoc);
