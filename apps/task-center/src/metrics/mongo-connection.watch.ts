import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { type Connection } from 'mongoose';
import { MetricsService } from './metrics.service';

/** Counts MongoDB connection errors and losses into `task_center_errors_total{component="mongo"}`. */
@Injectable()
export class MongoConnectionWatch implements OnModuleDestroy {
  private readonly onError = (err: unknown) => this.metrics.failed(err, 'mongo');
  private readonly onLost = () => this.metrics.failed(undefined, 'mongo');

  constructor(
    @InjectConnection() private readonly connection: Connection,
    private readonly metrics: MetricsService,
  ) {
    connection.on('error', this.onError);
    connection.on('disconnected', this.onLost);
  }

  onModuleDestroy(): void {
    this.connection.off('error', this.onError);
    this.connection.off('disconnected', this.onLost);
  }
}
