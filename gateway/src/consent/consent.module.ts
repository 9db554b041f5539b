import { type DynamicModule, Module } from '@nestjs/common';
import { ChainService } from '../chain/index.js';
import type { AppConfig } from '../config/index.js';
import { IdentityService, loadRealm, REALM_FILE } from '../identity/index.js';
import { ACCESS_GRANTS, ACCESS_RECORDER, auditFileOf, DatabaseService, FHIR_REPOSITORY, type FhirRepository, StoreKeyRing } from '../store/index.js';
import { AuditLog } from '../audit/audit-log.js';
import { SqliteWorkerAuditWriter } from '../audit/audit-writer.js';
import { ChainConsentIndexer } from './chain/index.js';
import { ConsentAccessGrants } from './consent-access.grants.js';
import { ConsentDirectory } from './consent-directory.js';
import { ConsentLifecycle } from './consent-lifecycle.js';
import { ConsentProjection } from './consent-projection.js';
import { ConsentService } from './consent.service.js';
import { ConsentView } from './consent-view.js';
import { EmergencyAccessService } from './emergency-access.service.js';

/**
 * Consent (design.md §2.2): the chain indexer and the consent view, the patient's consent lifecycle, key releases,
 * break-glass, and the access log. Global, because the store's enforcement point reads the grants through the
 * ACCESS_GRANTS port and logs through ACCESS_RECORDER (the store does not depend on this module).
 */
@Module({})
export class ConsentModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ConsentModule,
      global: true,
      providers: [
        { provide: ConsentView, inject: [DatabaseService], useFactory: (database: DatabaseService) => new ConsentView(database.db) },
        {
          provide: ConsentDirectory,
          inject: [IdentityService],
          useFactory: (identity: IdentityService) => new ConsentDirectory(loadRealm(REALM_FILE, { publicUrl: config.http.publicUrl, excludeDemo: config.production }), identity.issuer),
        },
        {
          provide: ChainConsentIndexer,
          inject: [DatabaseService, ChainService],
          useFactory: (database: DatabaseService, chain: ChainService) =>
            new ChainConsentIndexer(database.db, chain.consentLogSource(), { pollIntervalMs: config.consent.pollIntervalMs, maxStalenessMs: config.consent.maxStalenessMs, ...(chain.mode === 'external' ? { maxBlockRange: 10_000 } : {}) }),
        },
        {
          provide: ConsentAccessGrants,
          inject: [DatabaseService, ConsentView, StoreKeyRing, ChainConsentIndexer, IdentityService],
          useFactory: (database: DatabaseService, view: ConsentView, ring: StoreKeyRing, indexer: ChainConsentIndexer, identity: IdentityService) =>
            new ConsentAccessGrants(database.db, view, ring, indexer, () => identity.issuer, config.consent.pollIntervalMs),
        },
        { provide: ACCESS_GRANTS, useExisting: ConsentAccessGrants },
        {
          provide: AuditLog,
          inject: [DatabaseService, StoreKeyRing],
          // Embedded SQLite: the audit file is committed to from a worker thread (its disk flush off the event loop).
          useFactory: (database: DatabaseService, ring: StoreKeyRing) =>
            new AuditLog(database.db, ring, config.database.kind === 'sqlite' && config.database.file !== ':memory:' ? { writer: new SqliteWorkerAuditWriter(auditFileOf(config.database.file)) } : {}),
        },
        { provide: ACCESS_RECORDER, useExisting: AuditLog },
        {
          provide: ConsentService,
          inject: [DatabaseService, ChainService, ChainConsentIndexer, ConsentView, ConsentDirectory, StoreKeyRing, ConsentAccessGrants, AuditLog, FHIR_REPOSITORY],
          useFactory: (database: DatabaseService, chain: ChainService, indexer: ChainConsentIndexer, view: ConsentView, directory: ConsentDirectory, ring: StoreKeyRing, grants: ConsentAccessGrants, log: AuditLog, repository: FhirRepository) =>
            new ConsentService(database.db, consentChain(chain, indexer), view, directory, ring, grants, log, repository),
        },
        {
          provide: EmergencyAccessService,
          inject: [DatabaseService, ChainService, ChainConsentIndexer, ConsentView, StoreKeyRing, ConsentAccessGrants, AuditLog, IdentityService],
          useFactory: (database: DatabaseService, chain: ChainService, indexer: ChainConsentIndexer, view: ConsentView, ring: StoreKeyRing, grants: ConsentAccessGrants, log: AuditLog, identity: IdentityService) =>
            new EmergencyAccessService(database.db, consentChain(chain, indexer), view, ring, grants, log, () => identity.issuer),
        },
        {
          provide: ConsentProjection,
          inject: [ConsentView, ChainService],
          useFactory: (view: ConsentView, chain: ChainService) => new ConsentProjection(view, { chainId: chain.chainId, registry: chain.consentLogSource().address }),
        },
        ConsentLifecycle,
      ],
      exports: [ConsentProjection, ConsentAccessGrants, ACCESS_GRANTS, ACCESS_RECORDER, ConsentService, EmergencyAccessService, ConsentView, ConsentDirectory, AuditLog, ChainConsentIndexer],
    };
  }
}

function consentChain(chain: ChainService, indexer: ChainConsentIndexer) {
  return {
    chainId: chain.chainId,
    registry: chain.consentRegistry,
    registryAddress: chain.consentLogSource().address,
    catchUp: (block: number) => indexer.catchUp(block),
  };
}
