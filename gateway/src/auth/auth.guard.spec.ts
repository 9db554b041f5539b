import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { OperationOutcomeError } from '../common/index.js';
import { AuthGuard } from './auth.guard.js';
import type { Principal } from './principal.js';
import { IS_PUBLIC } from './public.decorator.js';
import { REQUIRED_ROLES } from './roles.decorator.js';
import { TokenVerifier } from './token-verifier.js';

const alice: Principal = { subject: 's', username: 'alice', roles: ['patient'], clientId: 'patient-portal', issuer: 'i', tokenId: 'j', expiresAt: new Date(0) };

class StubVerifier extends TokenVerifier {
  seen: string[] = [];
  async verify(token: string): Promise<Principal> {
    this.seen.push(token);
    return alice;
  }
  async checkReady() {
    return { up: true, detail: 'stub' };
  }
}

function handler(metadata: Record<string, unknown>): () => void {
  const fn = () => undefined;
  for (const [key, value] of Object.entries(metadata)) Reflect.defineMetadata(key, value, fn);
  return fn;
}

/** An ExecutionContext for HTTP or for a GraphQL resolver (args: root, args, context, info). */
function context(type: 'http' | 'graphql', request: { headers: Record<string, string>; principal?: Principal }, metadata: Record<string, unknown> = {}): ExecutionContext {
  const h = handler(metadata);
  class Target {}
  return {
    getType: () => type,
    getHandler: () => h,
    getClass: () => Target,
    switchToHttp: () => ({ getRequest: () => request }),
    getArgs: () => [{}, {}, { req: request }, {}],
    getArgByIndex: (i: number) => [{}, {}, { req: request }, {}][i],
  } as unknown as ExecutionContext;
}

async function outcome(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'allowed';
  } catch (error) {
    return error instanceof OperationOutcomeError ? `${error.status} ${error.outcome.issue[0]!.code}: ${error.outcome.issue[0]!.diagnostics}` : String(error);
  }
}

describe('the global AuthGuard', () => {
  const verifier = new StubVerifier();
  const guard = new AuthGuard(new Reflector(), verifier);

  it('lets @Public() routes through without looking at any token', async () => {
    const request = { headers: {} };
    await expect(guard.canActivate(context('http', request, { [IS_PUBLIC]: true }))).resolves.toBe(true);
  });

  it('denies by default: no token is 401 login', async () => {
    expect(await outcome(guard.canActivate(context('http', { headers: {} })))).toBe('401 login: missing bearer token: send "Authorization: Bearer <access token>"');
  });

  it('verifies the bearer token and attaches the principal to the request', async () => {
    const request: { headers: Record<string, string>; principal?: Principal } = { headers: { authorization: 'Bearer t0k3n' } };
    await expect(guard.canActivate(context('http', request))).resolves.toBe(true);
    expect(verifier.seen.at(-1)).toBe('t0k3n');
    expect(request.principal).toBe(alice);
  });

  it('reads the Fastify request from the GraphQL context (context.req)', async () => {
    const request: { headers: Record<string, string>; principal?: Principal } = { headers: { authorization: 'Bearer gql' } };
    await expect(guard.canActivate(context('graphql', request))).resolves.toBe(true);
    expect(request.principal).toBe(alice);
    expect(await outcome(guard.canActivate(context('graphql', { headers: {} })))).toMatch(/^401 login: missing bearer token/);
  });

  it('answers a caller without any of the required roles with 403 forbidden naming them', async () => {
    const request = { headers: { authorization: 'Bearer t' } };
    expect(await outcome(guard.canActivate(context('http', request, { [REQUIRED_ROLES]: ['auditor'] })))).toBe('403 forbidden: requires the realm role "auditor"');
    expect(await outcome(guard.canActivate(context('graphql', request, { [REQUIRED_ROLES]: ['auditor', 'steward'] })))).toBe('403 forbidden: requires one of the realm roles "auditor", "steward"');
    await expect(guard.canActivate(context('http', request, { [REQUIRED_ROLES]: ['steward', 'patient'] }))).resolves.toBe(true);
  });

  it('refuses transports it cannot read a token from', async () => {
    const rpc = { ...context('http', { headers: {} }), getType: () => 'rpc' } as unknown as ExecutionContext;
    expect(await outcome(guard.canActivate(rpc))).toBe('401 login: no bearer token can be presented over rpc');
  });
});
