import { useGraphql } from '@web';
import { useState } from 'react';
import { checkInclusion, type ProofCheck } from '../audit/audit-proof.js';
import { ProofResult } from '../audit/proof-result.js';
import { auditChain, type Diagnosis, type DiagnosisAudit } from './diagnosis-api.js';

/** The receipt's fields this view names (gateway/src/inference/diagnosis.service.ts `DiagnosisReceipt`). */
interface ReceiptFields {
  readonly inputs?: readonly { readonly reference?: unknown; readonly sha256?: unknown }[];
  readonly outputSha256?: unknown;
  readonly explanationSha256?: unknown;
}

function parse(json: string): ReceiptFields {
  try {
    const value: unknown = JSON.parse(json);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as ReceiptFields) : {};
  } catch {
    return {};
  }
}

const text = (v: unknown): string => (typeof v === 'string' ? v : '');

/**
 * The receipt's place in the audit log: the leaf index and hash and, once a tree head covering it is anchored, the
 * anchoring transaction and the inclusion proof, which can be checked here against the root the chain holds (the
 * same check as the auditor's view).
 */
function ReceiptAudit({ audit }: { audit: DiagnosisAudit }) {
  const graphql = useGraphql();
  const [check, setCheck] = useState<ProofCheck | null | undefined>(undefined);
  const { anchor, inclusionProof } = audit;
  const verify = () => {
    if (!anchor || !inclusionProof) return;
    setCheck(null);
    auditChain(graphql)
      .then(({ rpcUrl, auditAnchor }) =>
        rpcUrl
          ? checkInclusion({ leafIndex: audit.leafIndex, leafHash: audit.leafHash, treeSize: anchor.treeSize, proof: inclusionProof, transactionHash: anchor.transactionHash }, { rpcUrl, auditAnchor })
          : ({ kind: 'failed', leafIndex: audit.leafIndex, reason: 'the gateway names no public JSON-RPC URL for the chain' } as const),
      )
      .then(setCheck, (error: unknown) => setCheck({ kind: 'failed', leafIndex: audit.leafIndex, reason: `the chain information could not be read (${(error as Error).message})` }));
  };
  return (
    <>
      <h5>Audit log</h5>
      <dl className="facts receipt__facts" data-testid="receipt-audit" data-leaf-index={audit.leafIndex} data-anchored={anchor ? 'true' : 'false'}>
        <dt>Leaf index</dt>
        <dd className="mono" data-testid="receipt-audit-leaf">
          {audit.leafIndex}
        </dd>
        <dt>Leaf hash</dt>
        <dd className="mono" data-testid="receipt-audit-leaf-hash">
          {audit.leafHash}
        </dd>
        {anchor && inclusionProof ? (
          <>
            <dt>Anchored</dt>
            <dd data-testid="receipt-audit-anchor">
              in the tree of {anchor.treeSize} entries, transaction <span className="mono" data-testid="receipt-audit-transaction">{anchor.transactionHash}</span> (block {anchor.blockNumber})
            </dd>
            <dt>Inclusion proof</dt>
            <dd data-testid="receipt-audit-proof">inclusion proof: {inclusionProof.length} hashes</dd>
          </>
        ) : (
          <>
            <dt>Anchored</dt>
            <dd data-testid="receipt-audit-anchor">not yet: the next anchor will cover it</dd>
          </>
        )}
      </dl>
      {anchor && inclusionProof && (
        <div className="actions">
          <button type="button" className="button" onClick={verify} disabled={check === null} data-testid="receipt-audit-verify">
            Check the proof against the chain
          </button>
        </div>
      )}
      {check !== undefined && <ProofResult check={check} testId="receipt-audit-check" />}
    </>
  );
}

/**
 * The diagnosis's receipt, folded away: ids and SHA-256 hashes only (no health data), so the result can be matched
 * against the audit log. The canonical JSON is shown as the gateway hashed it.
 */
export function DiagnosisReceipt({ diagnosis }: { diagnosis: Diagnosis }) {
  const receipt = parse(diagnosis.receipt.json);
  const inputs = (receipt.inputs ?? []).filter((i) => typeof i.reference === 'string' && typeof i.sha256 === 'string');
  return (
    <details className="receipt" data-testid="diagnosis-receipt">
      <summary>Receipt and hashes</summary>
      <dl className="facts receipt__facts">
        <dt>Receipt SHA-256</dt>
        <dd className="mono" data-testid="receipt-sha256">
          {diagnosis.receipt.sha256}
        </dd>
        <dt>Model file SHA-256</dt>
        <dd className="mono" data-testid="receipt-model-sha256">
          {diagnosis.modelSha256}
        </dd>
        <dt>Output SHA-256</dt>
        <dd className="mono" data-testid="receipt-output-sha256">
          {text(receipt.outputSha256)}
        </dd>
        <dt>Explanation SHA-256</dt>
        <dd className="mono" data-testid="receipt-explanation-sha256">
          {diagnosis.explanation.sha256}
        </dd>
        <dt>Result</dt>
        <dd className="mono" data-testid="receipt-risk-assessment">
          {diagnosis.riskAssessment}
        </dd>
        <dt>Provenance</dt>
        <dd className="mono" data-testid="receipt-provenance">
          {diagnosis.provenance}
        </dd>
        <dt>Consent</dt>
        <dd className="mono">{diagnosis.consentId}</dd>
      </dl>
      {inputs.length > 0 && (
        <>
          <h5>Input record versions (SHA-256 of each record’s canonical JSON)</h5>
          <ul className="receipt__inputs" data-testid="receipt-inputs">
            {inputs.map((i) => (
              <li key={text(i.reference)} data-testid="receipt-input" data-reference={text(i.reference)}>
                <span className="mono">{text(i.reference)}</span> <span className="mono muted">{text(i.sha256)}</span>
              </li>
            ))}
          </ul>
        </>
      )}
      {diagnosis.audit && <ReceiptAudit audit={diagnosis.audit} />}
      <h5>Canonical receipt (RFC 8785 JSON)</h5>
      <pre className="receipt__json mono" data-testid="receipt-json">
        {diagnosis.receipt.json}
      </pre>
    </details>
  );
}
