import { SetMetadata } from '@nestjs/common';

/** Metadata key of {@link Roles}. */
export const REQUIRED_ROLES = 'auth:roles';

/**
 * Requires the caller to hold at least one of the given realm roles (`realm_access.roles`); others get 403
 * OperationOutcome (code `forbidden`) naming the roles. A handler's list replaces its controller's.
 */
export const Roles = (...roles: [string, ...string[]]): MethodDecorator & ClassDecorator => SetMetadata(REQUIRED_ROLES, roles);
