import type { Provider } from 'oidc-provider';

/**
 * Keycloak's redirect URI matching (`RedirectUtils.verifyRedirectUri`): a registered URI that ends in `*` matches
 * any URI that starts with the part before the `*`; any other registered URI must match exactly. The candidate is
 * normalised first (WHATWG URL parsing resolves `..` and percent-encoding), must not carry a fragment (RFC 6749
 * §3.1.2) or credentials, and must keep the registered origin, so a wildcard never reaches another host or escapes
 * its path prefix.
 */
export function redirectUriMatches(candidate: string, registered: readonly string[]): boolean {
  const url = URL.parse(candidate);
  if (!url || url.hash || url.username || url.password || (url.protocol !== 'https:' && url.protocol !== 'http:')) return false;
  const normalised = url.href;
  return registered.some((pattern) => {
    if (!pattern.endsWith('*')) return pattern === candidate;
    const prefix = pattern.slice(0, -1);
    const base = URL.parse(prefix);
    return !!base && base.origin === url.origin && normalised.startsWith(prefix) && candidate.startsWith(prefix);
  });
}

/** Makes oidc-provider's clients match redirect and post-logout redirect URIs the Keycloak way. */
export function allowKeycloakRedirects(provider: Provider): void {
  const prototype = provider.Client.prototype as unknown as {
    redirectUriAllowed(value: string): boolean;
    postLogoutRedirectUriAllowed(value: string): boolean;
    redirectUris: string[];
    postLogoutRedirectUris?: string[];
  };
  prototype.redirectUriAllowed = function redirectUriAllowed(this: typeof prototype, value: string) {
    return redirectUriMatches(value, this.redirectUris);
  };
  prototype.postLogoutRedirectUriAllowed = function postLogoutRedirectUriAllowed(this: typeof prototype, value: string) {
    return redirectUriMatches(value, this.postLogoutRedirectUris ?? []);
  };
}
