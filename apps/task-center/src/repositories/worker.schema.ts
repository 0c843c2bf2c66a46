import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

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
