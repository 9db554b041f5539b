import type { ComponentType } from 'react';
import { type Me, useSession } from '../session-context.js';
import { RoleBadges } from './role-badges.js';
import { SessionView } from './session-view.js';

/** What an app shows around and before its home page. */
export interface AppShellProps {
  /** In the banner; the same as the page title. */
  readonly productName: string;
  readonly tagline: string;
  /** The signed-out page: a heading and one lead paragraph above the "Sign in" button. */
  readonly welcome: { readonly title: string; readonly lead: string };
  /** The signed-in start page, once the gateway has confirmed who the caller is. */
  readonly Home: ComponentType<{ me: Me }>;
}

/**
 * The page of every app: skip link, banner with the product name and the signed-in user, the main landmark with
 * the session's current state (progress, error, signed-out welcome, or the app's home page), footer.
 */
export function AppShell({ productName, tagline, welcome, Home }: AppShellProps) {
  const { state, signOut } = useSession();
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="banner">
        <div className="banner__inner">
          <div className="brand">
            <span className="brand__mark" aria-hidden="true" />
            <div>
              <p className="brand__name" data-testid="product-name">
                {productName}
              </p>
              <p className="brand__tagline">{tagline}</p>
            </div>
          </div>
          {state.phase === 'signed-in' && (
            <div className="account" aria-label="Signed-in user" role="group">
              <div className="account__who">
                <span className="account__label">Signed in as</span>
                <span className="account__name" data-testid="user-name">
                  {state.me.username}
                </span>
              </div>
              <RoleBadges roles={state.me.roles} />
              <button type="button" className="button button--quiet" onClick={signOut} data-testid="sign-out">
                Sign out
              </button>
            </div>
          )}
        </div>
      </header>
      <main id="main" className="main" tabIndex={-1}>
        <SessionView welcome={welcome}>{(me) => <Home me={me} />}</SessionView>
      </main>
      <footer className="footer">
        <p>Consent-gated FHIR gateway · your sign-in is checked by the gateway on every request.</p>
      </footer>
    </>
  );
}
