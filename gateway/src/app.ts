import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Logger as Pino } from 'pino';
import { AppModule } from './app.module.js';
import { AuditLog } from './audit/audit-log.js';
import { createLogger, OperationOutcomeFilter, PinoNestLogger, serviceUnavailable, toOperationOutcome } from './common/index.js';
import type { AppConfig } from './config/index.js';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Options for {@link createGateway}; tests pass their own logger to capture and scan the log. */
export interface GatewayOptions {
  readonly logger?: Pino;
}

/**
 * Builds the whole gateway (not yet listening). `main.ts` and the integration tests both boot through here,
 * so the tests exercise exactly what `npm start` runs.
 */
export async function createGateway(config: AppConfig, options: GatewayOptions = {}): Promise<NestFastifyApplication> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const adapter = new FastifyAdapter({
    loggerInstance: logger,
    bodyLimit: config.http.bodyLimit,
    // Honour a caller's request id when it is well-formed, so logs correlate across systems.
    genReqId: (req: IncomingMessage) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    trustProxy: config.production,
    // Shutdown must not wait for clients: close every connection, idle or half-open, when the server closes.
    forceCloseConnections: true,
    // `[base]/` is `[base]` for the FHIR API (fhir-kit-client posts Bundles to the base with a trailing slash).
    // Only there: the web apps rely on `/portal` → `/portal/` redirects, which a global ignoreTrailingSlash loops.
    rewriteUrl: (req: IncomingMessage) => (req.url?.startsWith('/fhir/?') || req.url === '/fhir/' ? `/fhir${req.url.slice(6)}` : (req.url ?? '/')),
    // A client gets this long to send a whole request (slow-loris protection; Node's default is none).
    requestTimeout: 30_000,
  });
  // Errors Fastify raises itself (body limit, content type, malformed JSON) are answered by the error handler a
  // route captured when it was registered, which can be before Nest installs its own: set the gateway's from the
  // start, so every route on every module answers them as OperationOutcomes.
  adapter.getInstance().setErrorHandler((error, request, reply) => {
    const { status, body, internal } = toOperationOutcome(error);
    if (internal) request.log.error({ err: { name: (error as Error).name, message: (error as Error).message } }, 'request failed');
    void reply.status(status).header('content-type', 'application/fhir+json; charset=utf-8').send(body);
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    logger: new PinoNestLogger(logger),
    abortOnError: false,
  });
  app.useGlobalFilters(new OperationOutcomeFilter());
  const fastify = app.getHttpAdapter().getInstance();
  // A response leaves only once the audit entries queued while it was served are durable (design.md §2.4). When
  // the log cannot be written, the response is replaced by a 503: nothing is served that the log does not record.
  const audit = app.get(AuditLog);
  const auditStart = new WeakMap<object, number>();
  fastify.addHook('onRequest', (request, _reply, done) => {
    auditStart.set(request, audit.position());
    done();
  });
  fastify.addHook('onSend', async (request, reply, payload) => {
    void reply.header('x-request-id', request.id);
    try {
      await audit.durableSince(auditStart.get(request) ?? audit.position());
      return payload;
    } catch {
      const { body } = toOperationOutcome(serviceUnavailable('the audit log could not record this access, so its result is withheld; try again'));
      void reply.status(503).header('content-type', 'application/fhir+json; charset=utf-8').removeHeader('etag').removeHeader('location').removeHeader('content-location');
      return JSON.stringify(body);
    }
  });
  return app;
}
