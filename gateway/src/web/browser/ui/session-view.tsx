import type { ReactNode } from 'react';
import { type Me, useSession } from '../session-context.js';
import { Notice } from './notice.js';

const PROGRESS: Readonly<Record<string, string>> = {
  starting: 'Loading…',
  verifying: 'Checking your access with the gateway…',
  'sign-in': 'Taking you to the sign-in page…',
  'sign-out': 'Signing you out…',
};

/**
 * Shows the right thing for each session phase: progress, a readable error with a way out, the signed-out
 * welcome with its "Sign in" button, or — once the gateway has confirmed who the user is — `children(me)`.
 */
export function SessionView({ welcome, children }: { welcome: { title: string; lead: string }; children: (me: Me) => ReactNode }) {
  const { state, signIn, signOut, retry } = useSession();
  switch (state.phase) {
    case 'starting':
    case 'verifying':
      return <Notice kind="progress" title={PROGRESS[state.phase] ?? 'Loading…'} testId="loading" />;
    case 'redirecting':
      return <Notice kind="progress" title={PROGRESS[state.to] ?? 'Loading…'} testId="loading" />;
    case 'error':
      return (
        <Notice kind="error" title={state.problem.title} testId="error">
          <p className="notice__text">{state.problem.message}</p>
          <div className="actions">
            {state.problem.recovery === 'retry' && (
              <button type="button" className="button button--primary" onClick={retry} data-testid="retry">
                Try again
              </button>
            )}
            {state.problem.recovery === 'sign-in' && (
              <button type="button" className="button button--primary" onClick={signIn} data-testid="sign-in">
                Sign in again
              </button>
            )}
            {state.signedIn && (
              <button type="button" className="button button--quiet" onClick={signOut} data-testid="sign-out">
                Sign out
              </button>
            )}
          </div>
        </Notice>
      );
    case 'signed-out':
      return (
        <section className="welcome" aria-labelledby="welcome-title" data-testid="signed-out">
          {state.notice && <Notice kind="info" title={state.notice} testId="notice" />}
          <h1 id="welcome-title">{welcome.title}</h1>
          <p className="lead">{welcome.lead}</p>
          <button type="button" className="button button--primary" onClick={signIn} data-testid="sign-in">
            Sign in
          </button>
        </section>
      );
    case 'signed-in':
      return <>{children(state.me)}</>;
  }
}
