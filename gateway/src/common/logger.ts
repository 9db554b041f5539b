import type { LoggerService, LogLevel } from '@nestjs/common';
import { pino, type Logger as Pino, type DestinationStream } from 'pino';

/**
 * The gateway's structured logger. Request logs carry the request id, method, route template (`/fhir/:type/:id`,
 * never the concrete path or query string, which hold resource ids and search values), status and duration;
 * never bodies, tokens or cookies.
 */
export function createLogger(level: string, destination?: DestinationStream): Pino {
  return pino(
    {
      level,
      base: { service: 'fhir-gateway' },
      redact: {
        paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]', '*.password', '*.client_secret', '*.access_token', '*.refresh_token', '*.id_token'],
        censor: '[redacted]',
      },
      serializers: {
        req: (req: { id?: string; method?: string; routeOptions?: { url?: string } }) => ({ id: req.id, method: req.method, route: req.routeOptions?.url ?? 'unmatched' }),
        res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
      },
    },
    destination,
  );
}

/** Routes Nest's own logging (bootstrap, module init) into pino. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly pinoLogger: Pino) {}

  private write(level: 'info' | 'warn' | 'error' | 'debug' | 'trace' | 'fatal', message: unknown, params: unknown[]): void {
    const context = typeof params.at(-1) === 'string' ? (params.at(-1) as string) : undefined;
    const child = context ? this.pinoLogger.child({ context }) : this.pinoLogger;
    if (typeof message === 'object' && message !== null) {
      const msg = typeof params[0] === 'string' && params.length > 1 ? params[0] : undefined;
      child[level](message as object, msg);
    } else {
      child[level](String(message));
    }
  }

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }
  setLogLevels(_levels: LogLevel[]): void {}
}
