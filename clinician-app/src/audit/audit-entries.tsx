import type { AuditItem } from './audit-api.js';
import { modelOf, second, short } from './audit-format.js';

/** The entries table, newest first: pseudonymous ids shortened (full values in titles and data attributes). */
export function AuditEntries({ items, open, onOpen }: { items: readonly AuditItem[]; open: number | null; onOpen: (item: AuditItem) => void }) {
  if (items.length === 0) {
    return (
      <p className="muted" data-testid="audit-entries-empty">
        No entry matches these filters.
      </p>
    );
  }
  return (
    <div className="table-wrap">
      <table className="audit-table" data-testid="audit-entries">
        <thead>
          <tr>
            <th scope="col">Leaf</th>
            <th scope="col">Time</th>
            <th scope="col">Action</th>
            <th scope="col">Outcome</th>
            <th scope="col">Role</th>
            <th scope="col">Actor</th>
            <th scope="col">Patient</th>
            <th scope="col">Purpose</th>
            <th scope="col">Model</th>
            <th scope="col">Consent</th>
            <th scope="col">
              <span className="visually-hidden">Details</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {items.map(({ leafIndex, entry }) => (
            <tr
              key={leafIndex}
              className={`audit-row audit-row--${entry.outcome}`}
              data-testid="audit-entry"
              data-leaf-index={leafIndex}
              data-action={entry.action}
              data-outcome={entry.outcome}
              data-actor={entry.actor}
              data-patient={entry.patient ?? ''}
              data-consent={entry.consent ?? ''}
            >
              <td className="mono" data-testid="audit-cell-leaf">
                {leafIndex}
              </td>
              <td className="nowrap" data-testid="audit-cell-time">
                <time dateTime={entry.at}>{second(entry.at)}</time>
              </td>
              <td data-testid="audit-cell-action">{entry.action}</td>
              <td data-testid="audit-cell-outcome">
                <span className={`outcome outcome--${entry.outcome}`}>{entry.outcome}</span>
              </td>
              <td data-testid="audit-cell-role">{entry.role}</td>
              <td className="mono" title={entry.actor} data-testid="audit-cell-actor">
                {short(entry.actor)}
              </td>
              <td className="mono" title={entry.patient} data-testid="audit-cell-patient">
                {short(entry.patient)}
              </td>
              <td data-testid="audit-cell-purpose">{entry.purpose ?? ''}</td>
              <td className="mono" title={entry.model?.sha256} data-testid="audit-cell-model">
                {modelOf(entry.model)}
              </td>
              <td className="mono" title={entry.consent} data-testid="audit-cell-consent">
                {short(entry.consent)}
              </td>
              <td>
                <button type="button" className="button" aria-pressed={open === leafIndex} onClick={() => onOpen(items.find((i) => i.leafIndex === leafIndex)!)} data-testid={`audit-open-${leafIndex}`}>
                  Details
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
