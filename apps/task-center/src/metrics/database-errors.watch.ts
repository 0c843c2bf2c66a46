import { Injectable } from '@nestjs/common';
import { ConnectionEvents } from '../database/connection-events';
import { MetricsService } from './metrics.service';

/** Counts MongoDB connection errors and losses into `task_center_errors_total{component="mongo"}`. */
@Injectable()
export class DatabaseErrorsWatch {
  constructor(events: ConnectionEvents, metrics: MetricsService) {
    events.onTrouble((err) => metrics.failed(err, 'mongo'));
  }
}
