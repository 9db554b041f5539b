import { Module } from '@nestjs/common';
import { ChainService } from '../../chain/index.js';
import { APP_CONFIG, type AppConfig } from '../../config/index.js';
import { MetricsModule, MetricsService } from '../../metrics/index.js';
import { DatabaseService } from '../../store/index.js';
import { AuditLog } from '../audit-log.js';
import { AnchorMetrics } from './anchor-metrics.js';
import { AuditAnchorer } from './audit-anchorer.js';

/** Anchors the audit log's tree heads on AuditAnchor (issue 6 §3); settings from AUDIT_ANCHOR_*. */
@Module({
  imports: [MetricsModule],
  providers: [
    { provide: AnchorMetrics, inject: [MetricsService], useFactory: (metrics: MetricsService) => new AnchorMetrics(metrics.registry) },
    {
      provide: AuditAnchorer,
      inject: [AuditLog, ChainService, DatabaseService, APP_CONFIG, AnchorMetrics],
      useFactory: (log: AuditLog, chain: ChainService, database: DatabaseService, config: AppConfig, metrics: AnchorMetrics) => new AuditAnchorer(log, chain, database.db, config.audit, metrics),
    },
  ],
  exports: [AuditAnchorer],
})
export class AnchoringModule {}
