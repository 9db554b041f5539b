import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '@nestjs/common';
import { errors, type Provider } from 'oidc-provider';
import { clientAddress } from './client-address.js';
import { loginPage, messagePage, pageHeaders } from './pages.js';
import type { PasswordAuthenticator } from './password-authenticator.js';
import type { Realm } from './realm.model.js';

/** Largest login form body we read (a username and a password). */
const FORM_LIMIT = 16 * 1024;

/** The login page path under the realm, as Keycloak names it (`/realms/<realm>/login-actions/authenticate`). */
export const LOGIN_ACTIONS_PATH = '/login-actions/authenticate';

/** How the login page behaves beyond the realm. */
export interface LoginInteractionOptions {
  /** Trust X-Forwarded-For from the TLS-terminating proxy (production) for the client address. */
  readonly trustProxy: boolean;
  /** A line shown under the form (development: where the demo accounts are listed). */
  readonly hint?: string;
}

/**
 * The interaction endpoint of the authorization code flow (OIDC Core §3.1.2.3): shows the login form, checks the
 * posted credentials, and hands the result back to oidc-provider, which resumes the authorization request.
 * Consent is never asked: the realm's clients are first-party (see the grant loader in the provider config).
 * A refused login, for whatever reason (wrong password, unknown user, brute-force lockout), shows the form again
 * with one generic message.
 */
export class LoginInteraction {
  /** Path of the login actions under the issuer (the issuer's path can differ from the local mount path). */
  private readonly actionsPath: string;

  constructor(
    private readonly provider: Provider,
    private readonly realm: Realm,
    private readonly authenticator: PasswordAuthenticator,
    private readonly logger: Logger,
    private readonly options: LoginInteractionOptions,
  ) {
    this.actionsPath = `${new URL(provider.issuer).pathname}${LOGIN_ACTIONS_PATH}`;
  }

  async handle(req: IncomingMessage, res: ServerResponse, uid: string): Promise<void> {
    let details;
    try {
      details = await this.provider.interactionDetails(req, res);
    } catch (error) {
      if (error instanceof errors.SessionNotFound) return this.expired(res);
      throw error;
    }
    if (details.uid !== uid) return this.expired(res);
    const clientId = String(details.params['client_id'] ?? '');
    const client = this.realm.client(clientId);
    const action = `${this.actionsPath}/${encodeURIComponent(uid)}`;
    // CSP source expressions cannot name IPv6 literals (CSP3 §2.3.1 host-source); 'self' covers those.
    const formTargets = [
      ...new Set((client?.redirectUris ?? []).map((u) => URL.parse(u.replace(/\*$/, ''))?.origin).filter((o): o is string => !!o && o !== 'null' && !o.includes('['))),
    ];
    const page = (status: number, username?: string, error?: boolean) => {
      const html = loginPage({
        realmName: this.realm.displayName,
        clientName: client?.name || clientId,
        action,
        ...(username !== undefined ? { username } : {}),
        ...(error ? { error } : {}),
        ...(this.options.hint ? { hint: this.options.hint } : {}),
      });
      res.writeHead(status, pageHeaders(formTargets)).end(html);
    };

    if (details.prompt.name !== 'login') {
      // Only reachable for a prompt we do not implement (e.g. an explicit consent request): say so plainly.
      return this.send(res, 400, 'Cannot continue', `The ${details.prompt.name} step is not supported by this identity provider.`);
    }
    if (req.method === 'GET' || req.method === 'HEAD') {
      const hint = details.params['login_hint'];
      return page(200, typeof hint === 'string' ? hint : undefined);
    }
    if (req.method !== 'POST') return this.send(res, 405, 'Method not allowed', 'Use the login form.');
    if (!(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
      return this.send(res, 415, 'Unsupported form', 'The login form must be posted as application/x-www-form-urlencoded.');
    }
    const form = await readForm(req);
    if (!form) return this.send(res, 413, 'Form too large', 'The login form was larger than expected.');
    const username = form.get('username') ?? '';
    const { user, throttled } = await this.authenticator.authenticate(username, form.get('password') ?? '', clientAddress(req, this.options.trustProxy));
    if (!user) {
      // Keycloak answers a failed login with the form again (200) and one generic message.
      this.logger.log({ event: throttled ? 'login.throttled' : 'login.failed', clientId }, 'login failed');
      return page(200, username, true);
    }
    this.logger.log({ event: 'login.succeeded', clientId, sub: user.id }, 'login succeeded');
    await this.provider.interactionFinished(req, res, { login: { accountId: user.id, acr: '1', amr: ['pwd'] } }, { mergeWithLastSubmission: false });
  }

  private expired(res: ServerResponse): void {
    this.send(res, 400, 'Page has expired', 'Your login attempt timed out or was already used. Go back to the application and sign in again.');
  }

  private send(res: ServerResponse, status: number, title: string, message: string): void {
    res.writeHead(status, pageHeaders()).end(messagePage(title, message));
  }
}

/** Reads an urlencoded body up to {@link FORM_LIMIT} bytes; undefined when larger. */
async function readForm(req: IncomingMessage): Promise<URLSearchParams | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > FORM_LIMIT) return undefined;
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}
