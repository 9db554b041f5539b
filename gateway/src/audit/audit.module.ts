import { Module } from '@nestjs/common';
import { DatabaseService } from '../store/index.js';
import { AnchoringModule } from './anchoring/anchoring.module.js';
import { AuditEntriesController, AuditHeadController, AuditProofsController, AuditQueryService } from './api/index.js';
import { AuditAnchorsController } from './audit-anchors.controller.js';
import { AuditLog } from './audit-log.js';
import { AuditEventController, AuditEventProjection } from './fhir/index.js';

/**
 * The regulator's audit API at /audit (role auditor), the FHIR AuditEvent projection at /fhir/AuditEvent
 * (auditors, and patients for their own), and the anchoring of the log's tree heads. The log itself (AuditLog)
 * comes from the global ConsentModule.
 */
@Module({
  imports: [AnchoringModule],
  controllers: [AuditEntriesController, AuditProofsController, AuditHeadController, AuditAnchorsController, AuditEventController],
  providers: [
    { provide: AuditQueryService, inject: [DatabaseService, AuditLog], useFactory: (database: DatabaseService, log: AuditLog) => new AuditQueryService(database.db, log) },
    { provide: AuditEventProjection, inject: [AuditQueryService, AuditLog], useFactory: (query: AuditQueryService, log: AuditLog) => new AuditEventProjection(query, log) },
  ],
})
export class AuditModule {}
