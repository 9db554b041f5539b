import type { ExecutionContext } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import type { FastifyRequest } from 'fastify';

/**
 * The Fastify request behind an HTTP route or a GraphQL resolver (the GraphQL context exposes it as `req`);
 * undefined for other transports.
 */
export function requestOf(context: ExecutionContext): FastifyRequest | undefined {
  const type = context.getType<'http' | 'graphql' | 'rpc' | 'ws'>();
  if (type === 'http') return context.switchToHttp().getRequest<FastifyRequest>();
  if (type === 'graphql') return GqlExecutionContext.create(context).getContext<{ req?: FastifyRequest }>().req;
  return undefined;
}
