import { Global, Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/index.js';
import { AuditLog } from '../audit/audit-log.js';
import { ConsentAccessGrants } from '../consent/index.js';
import { DatabaseService, FHIR_REPOSITORY, type FhirRepository } from '../store/index.js';
import { DiagnosisService } from './diagnosis.service.js';
import { ModelCatalog } from './model-catalog.js';

/**
 * Inference (design.md §2.3): the model catalog (ONNX sessions loaded once at boot, file hashes checked against the
 * cards) and the diagnosis service behind `$diagnose` and the GraphQL mutations. Depends on consent (DIAGNOSIS
 * grants, the access log) and the store's enforcement point; the transports depend on it.
 */
@Global()
@Module({
  providers: [
    { provide: ModelCatalog, inject: [APP_CONFIG], useFactory: (config: AppConfig) => ModelCatalog.load(config.inference.modelsDir) },
    {
      provide: DiagnosisService,
      inject: [DatabaseService, ModelCatalog, ConsentAccessGrants, FHIR_REPOSITORY, AuditLog],
      useFactory: (database: DatabaseService, catalog: ModelCatalog, grants: ConsentAccessGrants, repository: FhirRepository, log: AuditLog) => new DiagnosisService(database.db, catalog, grants, repository, log),
    },
  ],
  exports: [ModelCatalog, DiagnosisService],
})
export class InferenceModule {}
