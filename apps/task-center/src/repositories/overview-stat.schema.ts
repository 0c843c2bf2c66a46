import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { SchemaTypes } from 'mongoose';

/**
 * Two kinds of small documents behind `GET /v1/api/overview`:
 * - `minute:<minute ms>:<replica>`: what one replica counted in one minute (fires, outcomes,
 *   a lateness histogram), written about once a minute by that replica;
 * - `snapshot`: the fleet-wide counts that would need a scan per request (tasks by type and
 *   status, names of active tasks, dead letters waiting), written once a minute by the
 *   holder of shard 0.
 * The collection holds a few hours of minutes per replica: a scan of it is cheap.
 */
@Schema({ collection: 'overview_stats', versionKey: false, strict: false })
export class OverviewStatDoc {
  @Prop({ type: String }) _id!: string;
  @Prop({ type: String, required: true }) kind!: 'minute' | 'snapshot';
  @Prop() minute?: number;
  @Prop() replica?: string;
  @Prop() fires?: number;
  @Prop() succeeded?: number;
  @Prop() failed?: number;
  @Prop() timeout?: number;
  @Prop() dead?: number;
  @Prop({ type: [Number], default: undefined }) lateness?: number[];
  @Prop() lateness_max_ms?: number;
  @Prop() counted_at?: number;
  @Prop() took_ms?: number;
  @Prop({ type: SchemaTypes.Mixed }) tasks?: { type: number; status: string; count: number }[];
  @Prop({ type: [String], default: undefined }) active_names?: string[];
  @Prop() active_names_truncated?: boolean;
  @Prop() dead_letters_waiting?: number;
  @Prop({ required: true }) written_at!: number;
}
export const OverviewStatSchema = SchemaFactory.createForClass(OverviewStatDoc);
OverviewStatSchema.index({ kind: 1, minute: 1 });
