import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Principal } from './principal.js';
import { requestOf } from './request-of.js';

/**
 * Injects the validated {@link Principal} into a route handler or GraphQL resolver. Undefined only on `@Public()`
 * routes, where the guard does not authenticate.
 */
export const CurrentPrincipal = createParamDecorator((_data: unknown, context: ExecutionContext): Principal | undefined => requestOf(context)?.principal);
