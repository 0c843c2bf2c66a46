import { Controller, Get, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  HealthCheck,
  type HealthCheckResult,
  HealthCheckService,
  type HealthIndicatorFunction,
  MongooseHealthIndicator,
} from '@nestjs/terminus';
import { type Response } from 'express';
import { ConsumersHealthIndicator } from './consumers.health';
import { DispatchRoleIndicator } from './dispatch-role.health';
import { KafkaHealthIndicator } from './kafka.health';

const CHECK_TIMEOUT_MS = 2000;

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly mongo: MongooseHealthIndicator,
    private readonly kafka: KafkaHealthIndicator,
    private readonly consumers: ConsumersHealthIndicator,
    private readonly dispatch: DispatchRoleIndicator,
  ) {}

  /** Liveness: the process answers. Never looks at dependencies (a restart would not fix them). */
  @Get('live')
  @ApiOperation({ summary: 'Liveness: the process answers (dependencies are not checked)' })
  @ApiOkResponse({
    schema: {
      type: 'object',
      required: ['status'],
      properties: { status: { type: 'string', enum: ['ok'] } },
    },
  })
  live() {
    return { status: 'ok' };
  }

  /**
   * Readiness: MongoDB ping, Kafka metadata, the run consumer groups have members, and this
   * replica's dispatch role (replica id, owned shards). 503 when any check is down.
   */
  @Get('ready')
  @ApiOperation({ summary: 'Readiness: MongoDB, Kafka, run consumers, dispatch role; 503 if down' })
  @HealthCheck()
  ready(@Res({ passthrough: true }) res: Response) {
    return this.run(res, [
      () => this.mongo.pingCheck('mongodb', { timeout: CHECK_TIMEOUT_MS }),
      () => this.kafka.check('kafka', CHECK_TIMEOUT_MS),
      () => this.consumers.check('consumers', CHECK_TIMEOUT_MS),
      () => this.dispatch.check('dispatch'),
    ]);
  }

  /** MongoDB and Kafka reported separately; 503 when either is down. */
  @Get()
  @ApiOperation({ summary: 'MongoDB and Kafka, reported separately; 503 when either is down' })
  @HealthCheck()
  check(@Res({ passthrough: true }) res: Response) {
    return this.run(res, [
      () => this.mongo.pingCheck('mongodb', { timeout: CHECK_TIMEOUT_MS }),
      () => this.kafka.check('kafka', CHECK_TIMEOUT_MS),
    ]);
  }

  /**
   * terminus throws a 503 with its report when a check is down; the API's exception filter
   * would turn any 5xx into an opaque 500, so the report is answered here, as a 503.
   */
  private async run(
    res: Response,
    checks: HealthIndicatorFunction[],
  ): Promise<HealthCheckResult | string | object> {
    try {
      return await this.health.check(checks);
    } catch (err) {
      if (!(err instanceof ServiceUnavailableException)) throw err;
      res.status(503);
      return err.getResponse();
    }
  }
}
