import type { AnchorsAnswer } from './audit-api.js';
import { second, short } from './audit-format.js';

/** The anchored tree heads as the chain's TreeHeadAnchored logs hold them, newest first. */
export function AuditAnchors({ answer }: { answer: AnchorsAnswer }) {
  if (answer.anchors.length === 0) {
    return (
      <p className="muted" data-testid="audit-anchors-empty">
        No tree head has been anchored on-chain yet.
      </p>
    );
  }
  return (
    <div className="table-wrap">
      <p className="muted">
        Contract <span className="mono">{answer.contract}</span> on chain {answer.chainId}.
      </p>
      <table className="audit-table" data-testid="audit-anchors">
        <thead>
          <tr>
            <th scope="col">Index</th>
            <th scope="col">Tree size</th>
            <th scope="col">Root</th>
            <th scope="col">Anchored</th>
            <th scope="col">Transaction</th>
            <th scope="col">Block</th>
          </tr>
        </thead>
        <tbody>
          {answer.anchors.map((a) => (
            <tr key={a.index} data-testid="audit-anchor" data-index={a.index} data-tree-size={a.treeSize} data-root={a.rootHash} data-transaction={a.transactionHash} data-block={a.blockNumber}>
              <td className="mono">{a.index}</td>
              <td className="mono" data-testid="audit-anchor-size">
                {a.treeSize}
              </td>
              <td className="mono" title={a.rootHash}>
                {short(a.rootHash)}
              </td>
              <td className="nowrap">
                <time dateTime={a.anchoredAt}>{second(a.anchoredAt)}</time>
              </td>
              <td className="mono" title={a.transactionHash} data-testid="audit-anchor-transaction">
                {a.transactionHash}
              </td>
              <td className="mono">{a.blockNumber}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
