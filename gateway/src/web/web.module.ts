import { Module } from '@nestjs/common';
import { findRepoRoot } from '../common/index.js';
import { WEB_APPS_ROOT, WebAppsRegistrar } from './web-apps.registrar.js';

/** Serves the patient portal at /portal/ and the clinician app at /clinician/, plus /app-config.json. */
@Module({
  providers: [{ provide: WEB_APPS_ROOT, useFactory: () => findRepoRoot(import.meta.url) }, WebAppsRegistrar],
})
export class WebModule {}
