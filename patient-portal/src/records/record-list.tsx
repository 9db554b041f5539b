import { Notice } from '@web';
import { useMemo } from 'react';
import { COMPARTMENT_LABELS, COMPARTMENT_ORDER } from '../compartment-labels.js';
import type { FailedRecord, OpenedStore, OpenRecord } from './open-store.js';
import { type RecordSummary, sortTime, summarize } from './record-summary.js';
import { TrendChart } from './trend-chart.js';
import { trendsOf } from './trends.js';

/** A FHIR date or dateTime as its date (YYYY-MM-DD), the part every record has. */
function day(value: string): string {
  return /^\d{4}-\d{2}-\d{2}/.test(value) ? value.slice(0, 10) : value;
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

interface Row {
  readonly record: OpenRecord;
  readonly summary?: RecordSummary;
  readonly time: number;
}

function RecordItem({ record, summary }: Row) {
  const title = summary ? summary.title : `${record.resourceType} (deleted)`;
  const details = summary ? summary.details : [`Deleted on ${day(record.lastUpdated)}`];
  return (
    <li className={`record${record.deleted ? ' record--deleted' : ''}`} data-testid="record" data-type={record.resourceType} data-id={record.id} data-deleted={record.deleted}>
      <div className="record__head">
        <span className="record__type">{record.resourceType}</span>
        <strong className="record__title" data-testid="record-title">
          {title}
        </strong>
        {summary?.date && (
          <span className="record__date" data-testid="record-date">
            {summary.date.label} {day(summary.date.value)}
          </span>
        )}
      </div>
      {details.length > 0 && (
        <ul className="record__details">
          {details.map((detail, i) => (
            <li key={i} data-testid="record-detail">
              {detail}
            </li>
          ))}
        </ul>
      )}
    </li>
  );
}

function failureText(f: FailedRecord): string {
  const what = `${f.resourceType}/${f.id}, version ${f.versionId} (${COMPARTMENT_LABELS[f.compartment]})`;
  return f.reason === 'integrity' ? `${what} failed its integrity check: it was changed, damaged or moved after it was sealed.` : `${what} could not be read: its key is missing or it is not a FHIR record.`;
}

/**
 * The opened records, grouped by compartment in the key library's order, newest first in each group. Everything is
 * rendered as text: summaries come from structured fields only, never from a record's narrative HTML.
 */
export function RecordList({ store }: { store: OpenedStore }) {
  const rows: Row[] = store.records.map((record) => {
    const summary = record.resource && !record.deleted ? summarize(record.resourceType, record.resource) : undefined;
    return { record, ...(summary ? { summary } : {}), time: sortTime(summary, record.lastUpdated) };
  });
  const deleted = rows.filter((r) => r.record.deleted).length;
  const trends = useMemo(() => trendsOf(store.records), [store.records]);
  const groups = COMPARTMENT_ORDER.map((compartment) => ({
    compartment,
    rows: rows.filter((r) => r.record.compartment === compartment).sort((a, b) => b.time - a.time),
  })).filter((g) => g.rows.length > 0);
  return (
    <section className="records" aria-labelledby="records-title" data-testid="record-list">
      {store.failed.length > 0 && (
        <Notice kind="error" title={store.failed.length === 1 ? '1 record did not open' : `${store.failed.length} records did not open`} testId="record-failures">
          <ul className="notice__text">
            {store.failed.map((f) => (
              <li key={`${f.resourceType}/${f.id}/${f.versionId}`} data-testid="record-failure">
                {failureText(f)}
              </li>
            ))}
          </ul>
          <p className="notice__text">{store.failed.length === 1 ? 'It is' : 'They are'} not shown. Everything else below opened correctly under your keys.</p>
        </Notice>
      )}
      <h3 id="records-title" data-testid="record-count">
        {plural(rows.length - deleted, 'record', 'records')}
        {deleted > 0 && ` · ${deleted} deleted`}
      </h3>
      {groups.map((group) => (
        <section key={group.compartment} className="records__group" data-testid="record-group" data-compartment={group.compartment}>
          <h4>
            {COMPARTMENT_LABELS[group.compartment]} <span className="records__count">({group.rows.length})</span>
          </h4>
          {trends.some((t) => t.compartment === group.compartment) && (
            <div className="trends" data-testid="trends" data-compartment={group.compartment}>
              {trends
                .filter((t) => t.compartment === group.compartment)
                .map((trend) => (
                  <TrendChart key={trend.code} trend={trend} />
                ))}
            </div>
          )}
          <ul className="records__list">
            {group.rows.map((row) => (
              <RecordItem key={`${row.record.resourceType}/${row.record.id}`} {...row} />
            ))}
          </ul>
        </section>
      ))}
    </section>
  );
}
