import { mkdirSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { ConfigError, type AppConfig } from './config/index.js';

/**
 * Checks what the environment must provide before anything starts (and before an embedded chain is spawned),
 * so that a wrong setting fails in milliseconds with its name rather than after a full boot.
 * @throws ConfigError naming the setting.
 */
export async function preflight(config: AppConfig): Promise<void> {
  ensureDataDir(config.dataDir);
  await ensurePortFree(config.http.host, config.http.port);
}

function ensureDataDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (!statSync(dir).isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new ConfigError([`DATA_DIR: expected a writable directory at ${dir}, got ${code === 'EEXIST' || code === 'ENOTDIR' ? 'a file' : code}`]);
  }
}

function ensurePortFree(host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => {
      const why = error.code === 'EADDRINUSE' ? 'is already in use (stop what listens there, or choose another PORT)' : `cannot be listened on (${error.code ?? error.message})`;
      reject(new ConfigError([`PORT: ${host}:${port} ${why}`]));
    });
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve()));
  });
}
