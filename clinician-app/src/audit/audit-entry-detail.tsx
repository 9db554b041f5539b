import { type GatewayApi } from '@web';
import { useEffect, useState } from 'react';
import type { AuditItem, ChainInfo } from './audit-api.js';
import type { ProofCheck } from './audit-proof.js';
import { checkEntry } from './entry-check.js';
import { ProofResult } from './proof-result.js';

/** A field's value as text: strings as they are, anything else (model, inputs) as its JSON. */
const text = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value));

/**
 * One entry in full: every field of its canonical JSON, its leaf hash and the exact text, and its inclusion proof
 * checked here in the browser against the root read from the chain (see checkEntry).
 */
export function AuditEntryDetail({ api, item, chain, onClose }: { api: GatewayApi; item: AuditItem; chain: () => Promise<ChainInfo>; onClose: () => void }) {
  const [check, setCheck] = useState<ProofCheck | null>(null);
  useEffect(() => {
    let live = true;
    setCheck(null);
    void checkEntry(api, item, chain).then((result) => live && setCheck(result));
    return () => {
      live = false;
    };
  }, [api, item, chain]);
  const fields = Object.entries(item.entry as unknown as Record<string, unknown>);
  return (
    <section className="audit-detail" aria-label={`Audit entry ${item.leafIndex}`} data-testid="audit-detail" data-leaf-index={item.leafIndex}>
      <div className="audit-detail__head">
        <h3>Entry {item.leafIndex}</h3>
        <button type="button" className="button button--quiet" onClick={onClose} data-testid="audit-detail-close">
          Close
        </button>
      </div>
      <ProofResult check={check} testId="audit-proof" />
      <dl className="facts audit-detail__fields" data-testid="audit-detail-fields">
        {fields.map(([key, value]) => (
          <div key={key} className="audit-detail__field" data-testid="audit-detail-field" data-field={key}>
            <dt>{key}</dt>
            <dd className="mono">{text(value)}</dd>
          </div>
        ))}
        <div className="audit-detail__field" data-testid="audit-detail-field" data-field="leafHash">
          <dt>leaf hash</dt>
          <dd className="mono" data-testid="audit-detail-leaf-hash">
            {item.leafHash}
          </dd>
        </div>
      </dl>
      <h4>Canonical entry (RFC 8785 JSON; its leaf hash is SHA-256 of 0x00 and this text)</h4>
      <pre className="audit-detail__json mono" data-testid="audit-detail-canonical">
        {item.canonical}
      </pre>
    </section>
  );
}
