import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import { LOGIN_ACTIONS_PATH, type LoginInteraction } from './login.interaction.js';
import type { UserinfoEndpoint } from './userinfo.endpoint.js';

/** What the identity routes dispatch to. */
export interface IdentityRoutesOptions {
  /** Local mount path, `/auth/realms/<realm>` (Keycloak's layout with the legacy `/auth` context path). Not `prefix`: Fastify reserves that plugin option and would prefix the routes twice. */
  readonly mountPath: string;
  /** Path of the issuer URL (`new URL(issuer).pathname`). */
  readonly issuerPath: string;
  readonly provider: Provider;
  readonly login: LoginInteraction;
  readonly userinfo: UserinfoEndpoint;
  readonly logger: Logger;
}

const USERINFO_PATH = '/protocol/openid-connect/userinfo';
const LOGIN_ACTION = new RegExp(`^${LOGIN_ACTIONS_PATH}/([A-Za-z0-9_-]{1,64})$`);

/**
 * Mounts the embedded provider on the gateway's Fastify instance, in the same process and port, outside Nest's
 * router and guards (every identity endpoint is public by nature). Runs in its own encapsulation context whose
 * only body "parser" leaves the body unread, because oidc-provider reads the raw request stream itself.
 */
export async function identityRoutes(fastify: FastifyInstance, options: IdentityRoutesOptions): Promise<void> {
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', (_request: FastifyRequest, _payload: unknown, done: (err: Error | null) => void) => done(null));
  const callback = options.provider.callback();

  const handler = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    reply.hijack();
    const req: IncomingMessage = request.raw;
    const res: ServerResponse = reply.raw;
    const url = req.url ?? '/';
    const rest = url.slice(options.mountPath.length) || '/';
    const path = rest.split('?')[0]!;
    try {
      const login = LOGIN_ACTION.exec(path);
      if (login) {
        await options.login.handle(req, res, login[1]!);
      } else if (path === USERINFO_PATH) {
        await options.userinfo.handle(req, res);
      } else {
        // oidc-provider routes relative to its mount path and, like Express mounting, derives the path prefix of
        // the URLs it builds (discovery, redirects) from `originalUrl`: the issuer's path, which differs from the
        // local mount path when a proxy serves the gateway under a path prefix.
        req.url = rest.startsWith('/') ? rest : `/${rest}`;
        (req as IncomingMessage & { originalUrl?: string }).originalUrl = `${options.issuerPath}${req.url}`;
        await callback(req, res);
      }
    } catch (error) {
      options.logger.error({ reqId: request.id, err: { name: (error as Error).name, message: (error as Error).message } }, 'identity request failed');
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }).end(JSON.stringify({ error: 'server_error', error_description: 'internal error' }));
      } else if (!res.writableEnded) {
        res.end();
      }
    }
  };

  fastify.all(options.mountPath, handler);
  fastify.all(`${options.mountPath}/*`, handler);
}
