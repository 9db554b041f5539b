import { Notice, type Problem } from '@web';

/** A problem the gateway reported, with a way to ask again. */
export function ProblemNotice({ problem, onRetry, testId }: { problem: Problem; onRetry: () => void; testId: string }) {
  return (
    <Notice kind="error" title={problem.title} testId={testId}>
      <p className="notice__text">{problem.message}</p>
      <div className="actions">
        <button type="button" className="button" onClick={onRetry}>
          Try again
        </button>
      </div>
    </Notice>
  );
}
