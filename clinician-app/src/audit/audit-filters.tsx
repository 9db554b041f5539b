import { type FormEvent, useState } from 'react';
import { AUDIT_ACTIONS } from '../../../gateway/src/audit/audit-entry.js';
import { type AuditFilters, NO_FILTERS } from './audit-api.js';
import { isoOfLocal } from './audit-format.js';

const PURPOSES = ['TREATMENT', 'DIAGNOSIS', 'RESEARCH', 'EMERGENCY'];

/** The filter form of the entries table: each field becomes a query parameter of GET /audit/entries. */
export function AuditFilterForm({ onApply }: { onApply: (filters: AuditFilters) => void }) {
  const [draft, setDraft] = useState({ ...NO_FILTERS });
  const set = (key: keyof AuditFilters) => (event: { target: { value: string } }) => setDraft((d) => ({ ...d, [key]: event.target.value }));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onApply({ ...draft, from: isoOfLocal(draft.from), to: isoOfLocal(draft.to), actor: draft.actor.trim().toLowerCase(), patient: draft.patient.trim().toLowerCase(), model: draft.model.trim() });
  };
  const clear = () => {
    setDraft({ ...NO_FILTERS });
    onApply(NO_FILTERS);
  };
  return (
    <form className="audit-filters" onSubmit={submit} data-testid="audit-filters">
      <label>
        From
        <input type="datetime-local" step="1" value={draft.from} onChange={set('from')} data-testid="audit-filter-from" />
      </label>
      <label>
        To
        <input type="datetime-local" step="1" value={draft.to} onChange={set('to')} data-testid="audit-filter-to" />
      </label>
      <label>
        Purpose
        <select value={draft.purpose} onChange={set('purpose')} data-testid="audit-filter-purpose">
          <option value="">any</option>
          {PURPOSES.map((p) => (
            <option key={p} value={p}>
              {p}
            </option>
          ))}
        </select>
      </label>
      <label>
        Action
        <select value={draft.action} onChange={set('action')} data-testid="audit-filter-action">
          <option value="">any</option>
          {AUDIT_ACTIONS.map((a) => (
            <option key={a} value={a}>
              {a}
            </option>
          ))}
        </select>
      </label>
      <label>
        Outcome
        <select value={draft.outcome} onChange={set('outcome')} data-testid="audit-filter-outcome">
          <option value="">any</option>
          <option value="allowed">allowed</option>
          <option value="denied">denied</option>
        </select>
      </label>
      <label>
        Model
        <input type="text" placeholder="id or id@version" value={draft.model} onChange={set('model')} spellCheck={false} data-testid="audit-filter-model" />
      </label>
      <label className="audit-filters__wide">
        Actor
        <input type="text" placeholder="0x… actor pseudonym" value={draft.actor} onChange={set('actor')} spellCheck={false} data-testid="audit-filter-actor" />
      </label>
      <label className="audit-filters__wide">
        Patient pseudonym
        <input type="text" placeholder="32 hex digits" value={draft.patient} onChange={set('patient')} spellCheck={false} data-testid="audit-filter-patient" />
      </label>
      <div className="actions audit-filters__actions">
        <button type="submit" className="button button--primary" data-testid="audit-filter-apply">
          Apply filters
        </button>
        <button type="button" className="button button--quiet" onClick={clear} data-testid="audit-filter-clear">
          Clear
        </button>
      </div>
    </form>
  );
}
