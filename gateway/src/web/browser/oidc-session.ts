import { ErrorResponse, type User, UserManager, WebStorageStateStore } from 'oidc-client-ts';
import { issuerUnreachable, Problem } from './problem.js';

export interface OidcSessionOptions {
  /** OpenID issuer (Keycloak: `<auth-server-url>/realms/<realm>`). */
  readonly issuer: string;
  /** The app's public client id. */
  readonly clientId: string;
  /** The app's base path with trailing slash, e.g. `/portal/` (Vite's `import.meta.env.BASE_URL`). */
  readonly appBase: string;
  /** Defaults to `window.location.origin`. */
  readonly origin?: string;
}

/**
 * The browser side of OpenID Connect for one app: authorization code flow with PKCE (RFC 7636, S256), tokens
 * in sessionStorage (gone when the tab closes), and RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0)
 * with `id_token_hint` and `post_logout_redirect_uri`. No iframes (silent renew, session monitoring): the apps'
 * CSP forbids framing, and third-party cookie rules break them anyway. An expired session means signing in again.
 */
export class OidcSession {
  private readonly manager: UserManager;
  private readonly appUrl: string;
  private readonly callbackUrl: string;

  constructor(options: OidcSessionOptions) {
    const origin = options.origin ?? window.location.origin;
    this.appUrl = new URL(options.appBase, origin).href;
    this.callbackUrl = new URL('callback', this.appUrl).href;
    this.manager = new UserManager({
      authority: options.issuer,
      client_id: options.clientId,
      redirect_uri: this.callbackUrl,
      post_logout_redirect_uri: this.appUrl,
      response_type: 'code',
      scope: 'openid profile',
      userStore: new WebStorageStateStore({ store: window.sessionStorage }),
      stateStore: new WebStorageStateStore({ store: window.sessionStorage }),
      automaticSilentRenew: false,
      monitorSession: false,
      loadUserInfo: false,
    });
  }

  /** True when the current URL is the authorization response (`<base>callback?code=…&state=…`). */
  isCallback(href: string = window.location.href): boolean {
    return href.split(/[?#]/)[0] === this.callbackUrl;
  }

  /**
   * The signed-in user, if any: completes a pending authorization response first (and replaces the callback URL
   * by the app URL, so a reload does not replay the code), otherwise reads the stored session.
   * Expired sessions are dropped.
   * @throws Problem when the identity provider refused the sign-in or the response cannot be used.
   */
  async restore(): Promise<User | null> {
    if (this.isCallback()) {
      try {
        return await this.manager.signinRedirectCallback();
      } catch (error) {
        throw signInProblem(error);
      } finally {
        window.history.replaceState(null, '', this.appUrl);
      }
    }
    const user = await this.manager.getUser();
    if (user && user.expired) {
      await this.manager.removeUser();
      return null;
    }
    return user;
  }

  /** Navigates to the identity provider's login page. */
  async signIn(): Promise<void> {
    await this.manager.clearStaleState();
    await this.manager.signinRedirect();
  }

  /** Forgets the tokens here and ends the session at the identity provider, which sends the browser back to the app. */
  async signOut(): Promise<void> {
    await this.manager.signoutRedirect();
  }

  /** Drops the stored session without contacting the identity provider (e.g. after the gateway rejected the token). */
  async forget(): Promise<void> {
    await this.manager.removeUser();
  }

  /** Calls `listener` when the access token expires; returns the unsubscribe function. */
  onExpired(listener: () => void): () => void {
    this.manager.events.addAccessTokenExpired(listener);
    return () => this.manager.events.removeAccessTokenExpired(listener);
  }
}

function signInProblem(error: unknown): Problem {
  if (error instanceof ErrorResponse) {
    const detail = error.error_description ?? error.error ?? 'no reason given';
    return new Problem('Sign-in was not completed', `The identity provider answered: ${detail}.`, error.error ?? 'SIGN_IN_FAILED', 'sign-in');
  }
  if (error instanceof Error && /state/i.test(error.message)) {
    return new Problem('Sign-in link expired', 'This sign-in response does not belong to a sign-in started in this tab (it may have been used already). Please sign in again.', 'STALE_STATE', 'sign-in');
  }
  if (error instanceof TypeError) return issuerUnreachable('Finishing the sign-in');
  return new Problem('Sign-in was not completed', error instanceof Error ? error.message : 'The sign-in response could not be used.', 'SIGN_IN_FAILED', 'sign-in');
}
