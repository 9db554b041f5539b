import { Notice, type Problem, useSession } from '@web';

/** A problem with the way out it offers: sign in again, or try again. `testId` names the notice for tests. */
export function ProblemNotice({ problem, onRetry, testId = 'records-error' }: { problem: Problem; onRetry?: () => void; testId?: string }) {
  const { signIn } = useSession();
  return (
    <Notice kind="error" title={problem.title} testId={testId}>
      <p className="notice__text">{problem.message}</p>
      {problem.recovery === 'sign-in' && (
        <div className="actions">
          <button type="button" className="button button--primary" onClick={signIn}>
            Sign in again
          </button>
        </div>
      )}
      {problem.recovery === 'retry' && onRetry && (
        <div className="actions">
          <button type="button" className="button button--primary" onClick={onRetry}>
            Try again
          </button>
        </div>
      )}
    </Notice>
  );
}
