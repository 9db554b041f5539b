import type { AuditStatistics } from './audit-api.js';

function Counts({ title, counts, testId }: { title: string; counts: Readonly<Record<string, number>>; testId: string }) {
  const entries = Object.entries(counts).sort(([a], [b]) => a.localeCompare(b));
  return (
    <div className="audit-stats__group">
      <h4>{title}</h4>
      {entries.length === 0 ? (
        <p className="muted">none</p>
      ) : (
        <ul className="audit-stats__list" data-testid={testId}>
          {entries.map(([key, n]) => (
            <li key={key} data-key={key} data-count={n}>
              <span className="mono">{key}</span> {n}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** Accesses by purpose, model and action, denials, break-glass and overrides (GET /audit/statistics). */
export function AuditStatisticsPanel({ stats }: { stats: AuditStatistics }) {
  return (
    <div className="audit-stats" data-testid="audit-statistics">
      <dl className="audit-stats__totals">
        <div>
          <dt>Entries</dt>
          <dd data-testid="audit-stat-total">{stats.total}</dd>
        </div>
        <div>
          <dt>Denials</dt>
          <dd data-testid="audit-stat-denials">{stats.denials}</dd>
        </div>
        <div>
          <dt>Break-glass</dt>
          <dd data-testid="audit-stat-break-glass">{stats.breakGlass}</dd>
        </div>
        <div>
          <dt>Overrides</dt>
          <dd data-testid="audit-stat-overrides">{stats.overrides}</dd>
        </div>
      </dl>
      <Counts title="By purpose" counts={stats.byPurpose} testId="audit-stat-purposes" />
      <Counts title="By model" counts={stats.byModel} testId="audit-stat-models" />
      <Counts title="By action" counts={stats.byAction} testId="audit-stat-actions" />
    </div>
  );
}
