import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import { type Response } from 'express';
import { MetricsService } from './metrics.service';

@ApiTags('operations')
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  @ApiOperation({ summary: 'Prometheus metrics (text format); needs an API key when keys are set' })
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'Prometheus text exposition format', schema: { type: 'string' } })
  @ApiQuery({
    name: 'name[]',
    required: false,
    type: [String],
    description:
      'Only these metrics (repeatable), e.g. to read the lateness histogram without the task count, which scans the tasks collection',
  })
  async scrape(
    @Res() res: Response,
    @Query('name[]') names?: string | string[],
    @Query('name') name?: string | string[],
  ): Promise<void> {
    const { registry } = this.metrics;
    // Express parses `name[]=a&name[]=b` into `name`; a single `name[]=a` may arrive either way.
    const wanted = [names ?? [], name ?? []].flat().filter((n) => n.length > 0);
    let body: string;
    if (wanted.length === 0) body = await registry.metrics();
    else {
      const known = wanted.filter((n) => registry.getSingleMetric(n) !== undefined);
      body = (await Promise.all(known.map((n) => registry.getSingleMetricAsString(n)))).join('\n');
      if (body) body += '\n';
    }
    res.type(registry.contentType).send(body);
  }
}
