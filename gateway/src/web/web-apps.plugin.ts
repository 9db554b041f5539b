import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { noRouteOutcome } from '../common/index.js';
import { IMMUTABLE_CACHE, REVALIDATE, webSecurityHeaders } from './security-headers.js';
import type { WebApp } from './web-apps.js';
import type { WebAppConfig } from './web-app-config.js';

export interface WebAppsPluginOptions {
  readonly apps: readonly WebApp[];
  readonly appConfig: WebAppConfig;
  /** Further origins the apps may send requests to (CSP `connect-src`), e.g. the chain's public JSON-RPC. */
  readonly connectOrigins?: readonly string[];
}

/**
 * Serves the built apps, `/` (a redirect to the portal) and `/app-config.json`. Registered straight on Fastify,
 * outside Nest's router and guards: everything here is public. Runs in its own encapsulation context, so its
 * headers and 404 handling apply to these routes only.
 */
export async function webAppsPlugin(fastify: FastifyInstance, options: WebAppsPluginOptions): Promise<void> {
  const headers = webSecurityHeaders(new URL(options.appConfig.issuer).origin, options.connectOrigins);
  fastify.addHook('onSend', async (_request, reply) => {
    void reply.headers(headers);
  });

  fastify.get('/', async (_request, reply) => reply.redirect('/portal/', 302));
  fastify.get('/app-config.json', async (_request, reply) => reply.header('cache-control', REVALIDATE).send(options.appConfig));

  for (const app of options.apps) {
    const prefix = app.prefix.replace(/\/$/, '');
    fastify.get(prefix, async (_request, reply) => reply.redirect(app.prefix, 301));
    await fastify.register(async (scope) => registerApp(scope, app), { prefix });
  }
}

/** One app under its prefix: files from dist, and index.html for any other page path (client-side routes). */
async function registerApp(scope: FastifyInstance, app: WebApp): Promise<void> {
  await scope.register(fastifyStatic, {
    root: app.distDir,
    prefix: '/',
    decorateReply: false,
    cacheControl: false,
    dotfiles: 'ignore',
    setHeaders: (reply, path) => {
      void reply.header('cache-control', path.startsWith(join(app.distDir, 'assets')) ? IMMUTABLE_CACHE : REVALIDATE);
    },
  });
  scope.setNotFoundHandler(async (request, reply) => (isPageRequest(request) ? sendIndex(app, reply) : notFound(request, reply)));
}

/** A GET for a path whose last segment has no extension is a client-side route; a missing file.js is a real 404. */
function isPageRequest(request: FastifyRequest): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  const path = request.url.split('?')[0] ?? '';
  const last = path.slice(path.lastIndexOf('/') + 1);
  return !last.includes('.');
}

async function sendIndex(app: WebApp, reply: FastifyReply): Promise<FastifyReply> {
  // Read on each request (it is ~1 KB) so a rebuild never leaves a stale index pointing at deleted assets.
  const html = await readFile(join(app.distDir, 'index.html'));
  return reply.header('cache-control', REVALIDATE).type('text/html; charset=utf-8').send(html);
}

async function notFound(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  return reply.status(404).type('application/fhir+json; charset=utf-8').send(noRouteOutcome(request.method, request.url));
}
