import 'reflect-metadata';
import { createGateway } from './app.js';
import { startupBanner } from './banner.js';
import { ConfigError, loadConfig } from './config/index.js';
import { IdentityService } from './identity/index.js';
import { preflight } from './preflight.js';

/** How long a graceful shutdown may take before the process exits anyway (a second Ctrl-C exits at once). */
const SHUTDOWN_DEADLINE_MS = 10_000;

/** Entry point of `npm start`: validate configuration, boot every module, listen, print where things are. */
async function main(): Promise<void> {
  const started = performance.now();
  const config = loadConfig();
  await preflight(config);
  const app = await createGateway(config);
  // Nest closes every module (and so stops the embedded anvil) on these signals, then the process exits 0.
  app.enableShutdownHooks(['SIGINT', 'SIGTERM'], { useProcessExit: true });
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    signals += 1;
    if (signals > 1) {
      console.error(`received ${signal} again: exiting without finishing the shutdown`);
      process.exit(130);
    }
    setTimeout(() => {
      console.error(`shutdown did not finish within ${SHUTDOWN_DEADLINE_MS / 1000} s: exiting`);
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
  };
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  try {
    await app.listen({ port: config.http.port, host: config.http.host });
  } catch (error) {
    await app.close(); // stops the embedded chain before the process goes
    throw error;
  }
  console.log(startupBanner(config, app.get(IdentityService).demoAccounts(), performance.now() - started));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(78); // EX_CONFIG: sysexits(3)
  }
  console.error('gateway failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
