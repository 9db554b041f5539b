import { type DynamicModule, Module } from '@nestjs/common';
import type { AppConfig } from '../config/index.js';
import { connectChain, type ConnectChainOptions } from './chain-connector.js';
import { ChainService } from './chain.service.js';
import { CHAIN_CONTEXT } from './chain.tokens.js';

/**
 * The chain (design §2): provider, signer, contracts, embedded anvil. Global, so consent, audit and health inject
 * ChainService without importing this module. The async factory connects before any dependent is built.
 */
@Module({})
export class ChainModule {
  /**
   * Import once, in the root module, after ConfigModule: `imports: [ConfigModule.forRoot(config), …,
   * ChainModule.forRoot(config)]`. Boot fails (with a message naming the setting) if the chain cannot be reached
   * or the deployment does not match; the embedded anvil is stopped in `onApplicationShutdown`, so call
   * `app.enableShutdownHooks()` to also stop it on SIGINT/SIGTERM through Nest (a process-level fallback exists).
   * @param config The validated application config (`chain` and `dataDir` are read).
   * @param options Test and tuning hooks (logger, anvil port, compiler directories).
   */
  static forRoot(config: AppConfig, options?: ConnectChainOptions): DynamicModule {
    return {
      module: ChainModule,
      global: true,
      providers: [{ provide: CHAIN_CONTEXT, useFactory: () => connectChain(config, options) }, ChainService],
      exports: [ChainService],
    };
  }
}
