import 'reflect-metadata';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Controller, Get } from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { OperationOutcomeFilter } from '../common/index.js';
import { ConfigModule, loadConfig } from '../config/index.js';
import { WEB_APPS_ROOT } from './web-apps.registrar.js';
import { WebModule } from './web.module.js';

@Controller('api')
class ProbeController {
  @Get('probe')
  probe(): { ok: true } {
    return { ok: true };
  }
}

const config = loadConfig({ PUBLIC_URL: 'http://127.0.0.1:8080', KEYCLOAK_URL: 'https://sso.example.org/auth', KEYCLOAK_REALM: 'hospital' }, '/srv');

async function boot(root: string): Promise<NestFastifyApplication> {
  const moduleRef = await Test.createTestingModule({ imports: [ConfigModule.forRoot(config), WebModule], controllers: [ProbeController] })
    .overrideProvider(WEB_APPS_ROOT)
    .useValue(root)
    .compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), { logger: false });
  app.useGlobalFilters(new OperationOutcomeFilter());
  return app;
}

describe('WebModule', () => {
  let root: string;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'web-module-'));
  });

  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('serves both apps, the app config and Nest routes side by side', async () => {
    for (const name of ['patient-portal', 'clinician-app']) {
      mkdirSync(join(root, name, 'dist'), { recursive: true });
      writeFileSync(join(root, name, 'dist', 'index.html'), `<!doctype html><title>${name}</title>`);
    }
    const app = await boot(root);
    try {
      await app.init();
      await app.getHttpAdapter().getInstance().ready();
      const portal = await app.inject({ url: '/portal/callback' });
      expect(portal.statusCode).toBe(200);
      expect(portal.body).toContain('<title>patient-portal</title>');
      const clinician = await app.inject({ url: '/clinician/' });
      expect(clinician.body).toContain('<title>clinician-app</title>');
      const appConfig = await app.inject({ url: '/app-config.json' });
      expect(appConfig.json()).toEqual({
        issuer: 'https://sso.example.org/auth/realms/hospital',
        clients: { portal: 'patient-portal', clinician: 'clinician-app' },
        graphqlUrl: '/graphql',
      });
      expect(appConfig.headers['content-security-policy']).toContain("connect-src 'self' https://sso.example.org;");
      expect((await app.inject({ url: '/api/probe' })).json()).toEqual({ ok: true });
      const unknown = await app.inject({ url: '/nowhere' });
      expect(unknown.statusCode).toBe(404);
      expect(unknown.json()).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code: 'not-found' }] });
    } finally {
      await app.close();
    }
  });

  it('fails the boot and says to run npm run build:web when an app is not built', async () => {
    const app = await boot(root);
    try {
      await expect(app.init()).rejects.toThrow(
        `web apps are not built: expected ${join(root, 'patient-portal', 'dist', 'index.html')} and ${join(root, 'clinician-app', 'dist', 'index.html')}; run \`npm run build:web\` first`,
      );
    } finally {
      await app.close().catch(() => undefined);
    }
  });
});
