import { Module } from '@nestjs/common';

/** Anchors the audit log's tree heads on AuditAnchor (issue 6 §3). */
@Module({})
export class AnchoringModule {}
