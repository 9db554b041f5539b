/**
 * Response headers for the web apps and their public config. The CSP allows scripts, styles and requests to this
 * origin only, plus requests to the issuer (discovery, token and JWKS calls of the PKCE flow) and to
 * `connectOrigins` (the chain's public JSON-RPC, which the audit view reads anchored roots from), and forbids
 * framing (CSP Level 3 `frame-ancestors`). No inline scripts: the Vite build emits none.
 */
export function webSecurityHeaders(issuerOrigin: string, connectOrigins: readonly string[] = []): Readonly<Record<string, string>> {
  const connect = [...new Set([issuerOrigin, ...connectOrigins])].join(' ');
  const csp = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src 'self' ${connect}`,
    "form-action 'self'",
    "base-uri 'self'",
    "object-src 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  return {
    'content-security-policy': csp,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    'cross-origin-opener-policy': 'same-origin',
  };
}

/** Vite puts content-hashed files under assets/: they never change, so browsers may keep them for a year. */
export const IMMUTABLE_CACHE = 'public, max-age=31536000, immutable';
/** index.html names the current hashed assets, so browsers must revalidate it on every load. */
export const REVALIDATE = 'no-cache';
