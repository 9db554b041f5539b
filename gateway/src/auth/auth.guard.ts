import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { forbidden, unauthorized } from '../common/index.js';
import { bearerToken } from './bearer-token.js';
import { IS_PUBLIC } from './public.decorator.js';
import { requestOf } from './request-of.js';
import { REQUIRED_ROLES } from './roles.decorator.js';
import { TokenVerifier } from './token-verifier.js';

/**
 * The global guard (APP_GUARD): deny by default. Every HTTP route and GraphQL resolver needs a valid bearer
 * token (RFC 6750) unless marked `@Public()`; `@Roles(...)` further requires one of the realm roles. Failures
 * are OperationOutcomes: 401 `login` (the filter adds `WWW-Authenticate: Bearer`) or 403 `forbidden`.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  // Explicit tokens. Nest could inject both by their emitted parameter types (the gateway compiles with
  // emitDecoratorMetadata, other Nest classes rely on it, and ESLint knows to keep such imports as values); the
  // tokens keep the injection correct even if a refactor turns an import into `import type`, which makes the
  // emitted type `Object`.
  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(TokenVerifier) private readonly verifier: TokenVerifier,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const request = requestOf(context);
    if (!request) throw unauthorized(`no bearer token can be presented over ${context.getType()}`);
    // One verification per request, even when a GraphQL operation selects several guarded root fields.
    const principal = request.principal ?? (await this.verifier.verify(bearerToken(request.headers.authorization)));
    request.principal = principal;
    const required = this.reflector.getAllAndOverride<string[] | undefined>(REQUIRED_ROLES, targets);
    if (required?.length && !required.some((role) => principal.roles.includes(role))) {
      const names = required.map((r) => `"${r}"`).join(', ');
      throw forbidden(required.length === 1 ? `requires the realm role ${names}` : `requires one of the realm roles ${names}`);
    }
    return true;
  }
}
