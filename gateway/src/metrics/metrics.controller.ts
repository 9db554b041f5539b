import { Controller, Get, Header } from '@nestjs/common';
import { Public } from '../auth/index.js';
import { MetricsService } from './metrics.service.js';

/** Prometheus scrape endpoint. Public like /health: it holds operational counters only (see README). */
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Public()
  @Get()
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  async scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
