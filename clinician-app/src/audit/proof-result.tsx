import { type ProofCheck, proofSentence } from './audit-proof.js';

/** The outcome of an inclusion check in the browser, as a sentence with its facts in data attributes. */
export function ProofResult({ check, testId }: { check: ProofCheck | null; testId: string }) {
  if (check === null) {
    return (
      <p className="proof proof--checking muted" data-testid={testId} data-kind="checking">
        Checking the proof against the chain…
      </p>
    );
  }
  return (
    <p
      className={`proof proof--${check.kind}`}
      data-testid={testId}
      data-kind={check.kind}
      data-tree-size={check.kind === 'verified' ? check.treeSize : ''}
      data-root={check.kind === 'verified' ? check.rootHash : ''}
      data-transaction={check.kind === 'verified' ? check.transactionHash : ''}
    >
      {proofSentence(check)}
    </p>
  );
}
