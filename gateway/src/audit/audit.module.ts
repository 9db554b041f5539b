import { Module } from '@nestjs/common';
import { AuditAnchorsController } from './audit-anchors.controller.js';

/** The regulator's audit API at /audit (role auditor). */
@Module({ controllers: [AuditAnchorsController] })
export class AuditModule {}
