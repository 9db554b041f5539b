import type { KoaContextWithOIDC, Provider } from 'oidc-provider';
import { logoutConfirmPage, messagePage, pageHeaders } from './pages.js';

/** Cookie options the session cookie was set with; needed to clear it. */
export interface LogoutOptions {
  readonly realmName: string;
  readonly sessionCookie: { readonly httpOnly: boolean; readonly sameSite: 'lax' | 'strict' | 'none'; readonly signed?: boolean };
}

/**
 * oidc-provider's `logoutSource`, Keycloak 18+ style (OIDC RP-Initiated Logout 1.0 §2): a request that carries a
 * valid `id_token_hint` (checked by oidc-provider before this runs) proves the relying party asked for the
 * logout, so the session ends at once and the browser is redirected to the validated `post_logout_redirect_uri`,
 * with no confirmation page. Without a hint the user is asked to confirm, as Keycloak does.
 */
export function logoutSource(options: LogoutOptions) {
  return async (ctx: KoaContextWithOIDC, form: string): Promise<void> => {
    const sub = ctx.oidc.entities.IdTokenHint?.payload['sub'];
    // The hint must name the signed-in user; a hint for someone else gets the confirmation page instead.
    if (sub !== undefined && sub === ctx.oidc.session?.accountId) {
      await endSession(ctx, options);
      return;
    }
    ctx.set(pageHeaders());
    ctx.body = logoutConfirmPage(options.realmName, form);
  };
}

/** The page after a logout without a `post_logout_redirect_uri`. */
export async function postLogoutSuccessSource(ctx: KoaContextWithOIDC): Promise<void> {
  ctx.set(pageHeaders());
  ctx.body = messagePage('You are logged out', 'You have been signed out of every application of this realm.');
}

/**
 * What oidc-provider's logout confirmation does, done here directly: revoke every grant of the session (its codes
 * and tokens), destroy the session, clear its cookie, then redirect with `state` echoed back.
 */
async function endSession(ctx: KoaContextWithOIDC, options: LogoutOptions): Promise<void> {
  const { provider } = ctx.oidc;
  const session = ctx.oidc.session!;
  const state = (session.state ?? {}) as { postLogoutRedirectUri?: string; state?: string; clientId?: string };
  for (const { grantId } of Object.values(session.authorizations ?? {})) {
    if (grantId) await revokeGrant(provider, grantId);
  }
  await session.destroy();
  ctx.cookies.set(provider.cookieName('session'), null, { ...options.sessionCookie });
  let target: string;
  if (state.postLogoutRedirectUri) {
    const url = new URL(state.postLogoutRedirectUri);
    if (state.state !== undefined) url.searchParams.set('state', state.state);
    target = url.href;
  } else {
    target = ctx.oidc.urlFor('end_session_success');
  }
  provider.emit('end_session.success', ctx);
  ctx.status = 302;
  ctx.redirect(target);
}

async function revokeGrant(provider: Provider, grantId: string): Promise<void> {
  // The adapter's revokeByGrantId removes everything issued under the grant, across models.
  await provider.AccessToken.revokeByGrantId(grantId);
  const grant = await provider.Grant.find(grantId);
  await grant?.destroy();
}
