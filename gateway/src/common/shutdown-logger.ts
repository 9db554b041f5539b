import { type BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';

/** Says in the log why the gateway is going down, before the modules close. */
@Injectable()
export class ShutdownLogger implements BeforeApplicationShutdown {
  private readonly logger = new Logger('shutdown');

  beforeApplicationShutdown(signal?: string): void {
    this.logger.log(signal ? `received ${signal}: closing modules` : 'closing modules');
  }
}
