import { Card, type Problem, toProblem, useGatewayApi } from '@web';
import { useCallback, useEffect, useRef, useState } from 'react';
import { ProblemNotice } from '../care/problem-notice.js';
import { useRemote } from '../care/use-remote.js';
import { anchors, type AuditFilters, type AuditItem, auditEntries, type ChainInfo, chainInfo, NO_FILTERS, statistics } from './audit-api.js';
import { AuditAnchors } from './audit-anchors.js';
import { AuditEntries } from './audit-entries.js';
import { AuditEntryDetail } from './audit-entry-detail.js';
import { AuditFilterForm } from './audit-filters.js';
import { AuditStatisticsPanel } from './audit-statistics.js';
import './audit.css';

/** The loaded pages of the entries table. */
type Entries =
  | { readonly phase: 'loading' }
  | { readonly phase: 'failed'; readonly problem: Problem }
  | { readonly phase: 'ready'; readonly items: readonly AuditItem[]; readonly treeSize: number; readonly next?: string; readonly more: 'idle' | 'loading' };

/**
 * "Audit log" for the auditor role (design.md §2.4): statistics, the entries with filters and cursor paging, an
 * entry's detail with its inclusion proof checked in the browser against the chain, and the anchored tree heads.
 * Ids are pseudonyms and hashes; the API serves no health data and this view adds none.
 */
export function AuditView() {
  const api = useGatewayApi();
  const [filters, setFilters] = useState<AuditFilters>(NO_FILTERS);
  const [refresh, setRefresh] = useState(0);
  const [entries, setEntries] = useState<Entries>({ phase: 'loading' });
  const [open, setOpen] = useState<AuditItem | null>(null);
  const chain = useRef<Promise<ChainInfo> | null>(null);
  const key = `${JSON.stringify(filters)}#${refresh}`;

  const stats = useRemote(() => statistics(api, { from: filters.from, to: filters.to }), key);
  const heads = useRemote(() => anchors(api), String(refresh));

  // Chain information is public and fixed for the gateway's life: asked once, again only after a failure.
  const chainOnce = useCallback(() => {
    chain.current ??= chainInfo(api).catch((error: unknown) => {
      chain.current = null;
      throw error;
    });
    return chain.current;
  }, [api]);

  useEffect(() => {
    let live = true;
    setEntries({ phase: 'loading' });
    auditEntries(api, filters).then(
      (page) => live && setEntries({ phase: 'ready', items: page.entries, treeSize: page.treeSize, ...(page.next !== undefined ? { next: page.next } : {}), more: 'idle' }),
      (error: unknown) => live && setEntries({ phase: 'failed', problem: toProblem(error) }),
    );
    return () => {
      live = false;
    };
  }, [api, filters, refresh]);

  const older = () => {
    if (entries.phase !== 'ready' || entries.next === undefined) return;
    const shown = entries;
    setEntries({ ...shown, more: 'loading' });
    auditEntries(api, filters, shown.next).then(
      (page) => setEntries((now) => (now.phase === 'ready' && now.items === shown.items ? { phase: 'ready', items: [...shown.items, ...page.entries], treeSize: shown.treeSize, ...(page.next !== undefined ? { next: page.next } : {}), more: 'idle' } : now)),
      (error: unknown) => setEntries({ phase: 'failed', problem: toProblem(error) }),
    );
  };

  // Both clear the table and the open entry in the same render, so nothing stale stays on screen while the log is read again.
  const apply = (next: AuditFilters) => {
    setOpen(null);
    setEntries({ phase: 'loading' });
    setFilters(next);
  };
  const reload = () => {
    setOpen(null);
    setEntries({ phase: 'loading' });
    setRefresh((n) => n + 1);
  };

  return (
    <div className="care audit" id="audit-log" data-testid="audit-view">
      <Card title="Audit log">
        <p>
          Every access, decision and inference the gateway made, as entries of an append-only Merkle tree whose heads are anchored on-chain. People appear as pseudonyms, records as hashes: no
          names, no values. Open an entry to check its proof here in your browser against the root the chain holds.
        </p>
        <div className="actions">
          <button type="button" className="button button--quiet" onClick={reload} data-testid="audit-refresh">
            Refresh
          </button>
        </div>
        <h3>Statistics</h3>
        {stats.phase === 'loading' && <p className="muted">Counting…</p>}
        {stats.phase === 'failed' && <ProblemNotice problem={stats.problem} onRetry={reload} testId="audit-statistics-error" />}
        {stats.phase === 'ready' && <AuditStatisticsPanel stats={stats.value} />}

        <h3>Entries</h3>
        <AuditFilterForm onApply={apply} />
        {entries.phase === 'loading' && (
          <p className="muted" data-testid="audit-entries-loading">
            Reading the log…
          </p>
        )}
        {entries.phase === 'failed' && <ProblemNotice problem={entries.problem} onRetry={reload} testId="audit-entries-error" />}
        {entries.phase === 'ready' && (
          <div data-testid="audit-entries-ready" data-tree-size={entries.treeSize} data-count={entries.items.length}>
            <p className="muted" data-testid="audit-tree-size">
              The log holds {entries.treeSize} entries; {entries.items.length} shown, newest first.
            </p>
            <AuditEntries items={entries.items} open={open?.leafIndex ?? null} onOpen={setOpen} />
            {entries.next !== undefined && (
              <div className="actions">
                <button type="button" className="button" disabled={entries.more === 'loading'} onClick={older} data-testid="audit-older">
                  {entries.more === 'loading' ? 'Loading…' : 'Older entries'}
                </button>
              </div>
            )}
          </div>
        )}
        {open && <AuditEntryDetail api={api} item={open} chain={chainOnce} onClose={() => setOpen(null)} />}

        <h3>Anchored tree heads</h3>
        {heads.phase === 'loading' && <p className="muted">Reading the chain…</p>}
        {heads.phase === 'failed' && <ProblemNotice problem={heads.problem} onRetry={reload} testId="audit-anchors-error" />}
        {heads.phase === 'ready' && <AuditAnchors answer={heads.value} />}
      </Card>
    </div>
  );
}
