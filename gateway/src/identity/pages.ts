/**
 * The embedded provider's HTML pages (login, logout confirmation, messages). Element ids follow Keycloak's
 * login theme (`#kc-form-login`, `#username`, `#password`, `#kc-login`, `#input-error`, `#kc-logout`), so browser
 * tests and password managers work the same against a real Keycloak. No scripts; inline styles only.
 */

/** Escapes text for HTML element content and double-quoted attribute values. */
function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/**
 * Headers for every page: no caching of credentials pages, no framing (clickjacking), no scripts at all.
 * `form-action` lists where the login form may post and then be redirected (Chrome applies it to redirects).
 */
export function pageHeaders(formTargets: readonly string[] = []): Record<string, string> {
  const csp = [
    "default-src 'none'",
    "style-src 'unsafe-inline'",
    "img-src 'self' data:",
    `form-action 'self'${formTargets.length ? ` ${formTargets.join(' ')}` : ''}`,
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  return {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    pragma: 'no-cache',
    'content-security-policy': csp,
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  };
}

const STYLE = `
*{box-sizing:border-box}body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;
background:#eef2f6;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2933}
main{width:100%;max-width:24rem;margin:1rem;padding:2rem;background:#fff;border-radius:8px;box-shadow:0 2px 12px rgba(15,23,42,.12)}
h1{font-size:1.35rem;margin:0 0 .25rem}.realm{margin:0 0 1.5rem;color:#52606d;font-size:.9rem}
label{display:block;font-weight:600;font-size:.9rem;margin:1rem 0 .35rem}
input[type=text],input[type=password]{width:100%;padding:.6rem .7rem;border:1px solid #9aa5b1;border-radius:4px;font:inherit}
input[aria-invalid=true]{border-color:#c53030}input:focus{outline:2px solid #2b6cb0;outline-offset:1px}
.primary{display:block;width:100%;margin-top:1.5rem;padding:.65rem;border:0;border-radius:4px;background:#2b6cb0;color:#fff;font:inherit;font-weight:600;cursor:pointer}
.primary:hover{background:#2c5282}.alert{margin:0 0 1rem;padding:.6rem .75rem;border-left:4px solid #c53030;background:#fff5f5;color:#9b2c2c}
.hint{margin:1.25rem 0 0;font-size:.8rem;color:#52606d}`;

function layout(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<link rel="icon" href="data:,">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

/** What the login page shows. */
export interface LoginPageModel {
  readonly realmName: string;
  readonly clientName: string;
  readonly action: string;
  readonly username?: string;
  /** Set after a failed attempt; the same message whatever was wrong (no account enumeration). */
  readonly error?: boolean;
  readonly hint?: string;
}

/** Keycloak's username/password form: posts `username`, `password` and `login` to the interaction URL. */
export function loginPage(model: LoginPageModel): string {
  const invalid = model.error ? 'true' : 'false';
  return layout(
    `Sign in to ${model.realmName}`,
    `<h1 id="kc-page-title">Sign in to your account</h1>
<p class="realm">${escapeHtml(model.realmName)} · ${escapeHtml(model.clientName)}</p>
${model.error ? '<div class="alert" role="alert"><span id="input-error" aria-live="polite">Invalid username or password.</span></div>' : ''}
<form id="kc-form-login" method="post" action="${escapeHtml(model.action)}">
<label for="username">Username or email</label>
<input id="username" name="username" type="text" autocomplete="username" autocapitalize="none" spellcheck="false" autofocus value="${escapeHtml(model.username ?? '')}" aria-invalid="${invalid}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" aria-invalid="${invalid}">
<input id="kc-login" class="primary" name="login" type="submit" value="Sign In">
</form>
${model.hint ? `<p class="hint">${escapeHtml(model.hint)}</p>` : ''}`,
  );
}

/** Keycloak's logout confirmation (shown when the request carries no id_token_hint). */
export function logoutConfirmPage(realmName: string, formHtml: string): string {
  return layout(
    'Logging out',
    `<h1 id="kc-page-title">Logging out</h1>
<p class="realm">${escapeHtml(realmName)}</p>
<p>Do you want to log out?</p>
${formHtml}
<button id="kc-logout" class="primary" type="submit" form="op.logoutForm" name="logout" value="yes">Logout</button>`,
  );
}

/** A page with a title and one message (logged out, errors). */
export function messagePage(title: string, message: string): string {
  return layout(title, `<h1 id="kc-page-title">${escapeHtml(title)}</h1>\n<p id="kc-info-message">${escapeHtml(message)}</p>`);
}
