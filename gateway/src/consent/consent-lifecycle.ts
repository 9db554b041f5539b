import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { AuditLog } from '../audit/audit-log.js';
import { ChainConsentIndexer } from './chain/index.js';
import { ConsentAccessGrants } from './consent-access.grants.js';
import { ConsentService } from './consent.service.js';

const SWEEP_MS = 5_000;

/**
 * Runs the consent module's background work: the chain indexer's polling, the reaction to revocations it finds
 * (releases destroyed, keys wiped), and a periodic sweep of releases whose consent ended; flushes the access log
 * at shutdown.
 */
@Injectable()
export class ConsentLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('consent');
  private sweeper: NodeJS.Timeout | undefined;

  constructor(
    @Inject(ChainConsentIndexer) private readonly indexer: ChainConsentIndexer,
    @Inject(ConsentService) private readonly consents: ConsentService,
    @Inject(ConsentAccessGrants) private readonly grants: ConsentAccessGrants,
    @Inject(AuditLog) private readonly log: AuditLog,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.indexer.onRevoked((ids) => void this.consents.destroyReleases(ids).catch((error: Error) => this.logger.error({ reason: error.message }, 'could not destroy key releases')));
    this.indexer.onEmergency(() => this.grants.refresh());
    await this.indexer.syncOnce();
    this.indexer.start();
    this.sweeper = setInterval(() => void this.consents.sweepReleases().catch((error: Error) => this.logger.error({ reason: error.message }, 'release sweep failed')), SWEEP_MS);
    this.sweeper.unref();
  }

  /** Before the chain and the database close (their onApplicationShutdown hooks). */
  async beforeApplicationShutdown(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    await this.indexer.stop();
    await this.log.flush();
  }
}
