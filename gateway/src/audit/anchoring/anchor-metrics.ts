import { Counter, Gauge, type Registry } from 'prom-client';

/** The anchoring's Prometheus metrics: how far the anchored head trails the log, and failed attempts. */
export class AnchorMetrics {
  readonly logSize: Gauge;
  readonly anchoredSize: Gauge;
  readonly failures: Counter;

  constructor(registry: Registry) {
    this.logSize = new Gauge({ name: 'audit_log_entries', help: 'Entries in the audit log, as this instance last saw it.', registers: [registry] });
    this.anchoredSize = new Gauge({ name: 'audit_log_anchored_entries', help: 'Tree size of the latest head anchored on-chain, as this instance last saw it.', registers: [registry] });
    this.failures = new Counter({ name: 'audit_anchor_failures_total', help: 'Anchoring attempts that failed (chain unreachable, transaction failed).', registers: [registry] });
  }
}
