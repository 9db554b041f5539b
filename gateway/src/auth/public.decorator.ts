import { SetMetadata } from '@nestjs/common';

/** Metadata key of {@link Public}. */
export const IS_PUBLIC = 'auth:public';

/**
 * Marks a route or resolver (or a whole controller) as reachable without a token. Everything else is denied
 * by default by the global AuthGuard.
 */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);
