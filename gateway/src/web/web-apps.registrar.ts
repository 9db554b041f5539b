import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
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
  ) {}

  onModuleInit(): void {
    const apps = locateWebApps(this.root);
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    // Loaded by Fastify's boot (ready/listen), after Nest has registered its own routes.
    void fastify.register(webAppsPlugin, { apps, appConfig: webAppConfig(this.config) });
  }
}
