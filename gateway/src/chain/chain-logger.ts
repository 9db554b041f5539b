import type { LoggerService } from '@nestjs/common';

/**
 * The logging surface the chain code needs. Nest's `Logger` satisfies it (and is routed to pino by the app);
 * tests pass a recorder to assert what was logged.
 */
export type ChainLogger = Pick<LoggerService, 'log' | 'warn' | 'error'>;
