import { Inject, Injectable, type OnModuleInit, Optional } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { ChainService } from '../chain/index.js';
import { APP_CONFIG, type AppConfig } from '../config/index.js';
import { locateWebApps } from './web-apps.js';
import { webAppConfig } from './web-app-config.js';
import { webAppsPlugin } from './web-apps.plugin.js';

/** Injection token of the folder that holds patient-portal/ and clinician-app/ (the repository root). */
export const WEB_APPS_ROOT = Symbol('WEB_APPS_ROOT');

/**
 * Mounts {@link webAppsPlugin} on the Fastify instance before the server starts. Fails the boot when an app has
 * not been built, rather than serving 404s.
 */
@Injectable()
export class WebAppsRegistrar implements OnModuleInit {
  constructor(
    @Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(WEB_APPS_ROOT) private readonly root: string,
    @Optional() @Inject(ChainService) private readonly chain?: ChainService,
  ) {}

  onModuleInit(): void {
    const apps = locateWebApps(this.root);
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    // Loaded by Fastify's boot (ready/listen), after Nest has registered its own routes.
    void fastify.register(webAppsPlugin, { apps, appConfig: webAppConfig(this.config), connectOrigins: this.chainOrigins() });
  }

  /**
   * The origin of the chain's public JSON-RPC (the URL GET /audit/chain serves: CHAIN_PUBLIC_RPC_URL, else the
   * embedded anvil's), which the audit view calls from the browser to read anchored roots itself.
   */
  private chainOrigins(): string[] {
    const url = this.config.chain.publicRpcUrl ?? (this.chain?.mode === 'embedded' ? this.chain.anvil?.url : undefined);
    return url ? [new URL(url).origin] : [];
  }
}
