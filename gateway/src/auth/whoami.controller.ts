import { Controller, Get, Header } from '@nestjs/common';
import { CurrentPrincipal } from './current-principal.decorator.js';
import type { Principal } from './principal.js';

/** What `GET /api/whoami` answers: the caller as the gateway sees them. */
export interface WhoAmI {
  readonly subject: string;
  readonly username: string;
  readonly roles: readonly string[];
  readonly clientId: string;
  readonly fhirPatient: string | null;
}

/** The caller as the gateway reads their token; shared by REST (`/api/whoami`) and GraphQL (`me`). */
export function whoAmI(principal: Principal): WhoAmI {
  return {
    subject: principal.subject,
    username: principal.username,
    roles: [...principal.roles].sort(),
    clientId: principal.clientId,
    fhirPatient: principal.fhirPatient ?? null,
  };
}

/** Lets any authenticated caller (user or hospital system) check how the gateway reads their token. */
@Controller('api/whoami')
export class WhoAmIController {
  @Get()
  @Header('cache-control', 'no-store')
  whoami(@CurrentPrincipal() principal: Principal): WhoAmI {
    return whoAmI(principal);
  }
}
