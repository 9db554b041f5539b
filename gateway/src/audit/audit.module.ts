import { Module } from '@nestjs/common';
import { AnchoringModule } from './anchoring/anchoring.module.js';
import { AuditAnchorsController } from './audit-anchors.controller.js';

/** The regulator's audit API at /audit (role auditor) and the anchoring of the log's tree heads. */
@Module({ imports: [AnchoringModule], controllers: [AuditAnchorsController] })
export class AuditModule {}
