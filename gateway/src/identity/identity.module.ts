import { type DynamicModule, Module } from '@nestjs/common';
import type { AppConfig } from '../config/index.js';
import { EmbeddedIdentityService } from './embedded-identity.service.js';
import { ExternalKeycloakIdentityService, IdentityService } from './identity.service.js';

/**
 * The identity provider. In embedded mode (no KEYCLOAK_URL) the gateway serves the Keycloak-compatible provider
 * at `/auth/realms/<realm>`; with an external Keycloak it serves nothing. Either way {@link IdentityService} is
 * available everywhere: the token verifier reads the embedded realm's keys from it, the startup banner the demo
 * accounts.
 */
@Module({})
export class IdentityModule {
  static forRoot(config: AppConfig): DynamicModule {
    const provider =
      config.identity.mode === 'embedded'
        ? { provide: IdentityService, useClass: EmbeddedIdentityService }
        : { provide: IdentityService, useValue: new ExternalKeycloakIdentityService(config) };
    return { module: IdentityModule, global: true, providers: [provider], exports: [IdentityService] };
  }
}
