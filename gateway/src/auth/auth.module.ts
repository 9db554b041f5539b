import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthGuard } from './auth.guard.js';
import { KeycloakConnectTokenVerifier } from './keycloak-connect.token-verifier.js';
import { TokenVerifier } from './token-verifier.js';
import { WhoAmIController } from './whoami.controller.js';

/** Bearer-token authentication for the whole gateway: the verifier port and the global deny-by-default guard. */
@Global()
@Module({
  controllers: [WhoAmIController],
  providers: [{ provide: TokenVerifier, useClass: KeycloakConnectTokenVerifier }, { provide: APP_GUARD, useClass: AuthGuard }],
  exports: [TokenVerifier],
})
export class AuthModule {}
