import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { MetricsService } from './metrics.service.js';

/** Times every HTTP response through a Fastify onResponse hook (covers Nest routes, static files and the IdP). */
@Injectable()
export class HttpMetricsHook implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly metrics: MetricsService,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.addHook('onResponse', async (request, reply) => {
      // routeOptions.url is the registered template; requests that matched no route share one label.
      const route = request.routeOptions.url ?? 'unmatched';
      this.metrics.observe(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
    });
  }
}
