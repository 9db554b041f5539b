import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Logger as Pino } from 'pino';
import { createGateway } from '../../gateway/src/app.js';
import { type AppConfig, loadConfig } from '../../gateway/src/config/index.js';
import { freePort } from './ports.js';

/** A real gateway (the same `createGateway` as `npm start`) listening on a loopback port. */
export interface StartedGateway {
  /** `http://127.0.0.1:<port>` (also the PUBLIC_URL unless the env said otherwise). */
  readonly baseUrl: string;
  /** Keycloak's issuer: `<baseUrl>/auth/realms/fhir-gateway` in embedded mode. */
  readonly issuer: string;
  readonly app: NestFastifyApplication;
  readonly config: AppConfig;
  /** DATA_DIR: SQLite file, identity keys, demo-accounts.json. */
  readonly dataDir: string;
  /** Closes the app (and with it every server and child it started); removes a data dir this helper created. */
  close(): Promise<void>;
}

/** Options beyond the environment. */
export interface StartGatewayOptions {
  /** Reuse a data directory (e.g. to restart on the same keys); it is then never removed by `close()`. */
  readonly dataDir?: string;
  /** A logger of the test's own (e.g. writing to memory, so a test can scan what the gateway logged). */
  readonly logger?: Pino;
}

/**
 * Boots the real gateway through `createGateway(loadConfig(env))` + `listen` on a free 127.0.0.1 port, with a
 * fresh temporary DATA_DIR. The environment is exactly `env` over quiet test defaults (NODE_ENV=test,
 * LOG_LEVEL=silent, DEMO_DATA=false, HOST=127.0.0.1, PORT, PUBLIC_URL=http://127.0.0.1:<port>, DATA_DIR): the caller's own
 * environment never leaks in. Always `await close()` (e.g. in afterAll).
 */
export async function startGateway(env: Readonly<Record<string, string>> = {}, options: StartGatewayOptions = {}): Promise<StartedGateway> {
  const ownDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'fhir-gateway-test-'));
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const port = env['PORT'] ? Number(env['PORT']) : await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', HOST: '127.0.0.1', PUBLIC_URL: baseUrl, DEMO_DATA: 'false', ...env, PORT: String(port), DATA_DIR: dataDir });
    const app = await createGateway(config, options.logger ? { logger: options.logger } : {});
    try {
      await app.listen({ port, host: config.http.host });
    } catch (error) {
      await app.close().catch(() => undefined);
      lastError = error;
      // Another process took the port between freePort() and listen(): try a new one.
      if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE' && !env['PORT']) continue;
      if (ownDataDir) rmSync(dataDir, { recursive: true, force: true });
      throw error;
    }
    return {
      baseUrl,
      issuer: `${config.identity.authServerUrl}/realms/${config.identity.realm}`,
      app,
      config,
      dataDir,
      async close() {
        await app.close();
        if (ownDataDir) rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }
  if (ownDataDir) rmSync(dataDir, { recursive: true, force: true });
  throw lastError;
}
