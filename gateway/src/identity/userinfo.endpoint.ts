import type { IncomingMessage, ServerResponse } from 'node:http';
import { type CryptoKey, jwtVerify, type KeyObject } from 'jose';
import type { Provider } from 'oidc-provider';
import type { Realm } from './realm.model.js';
import { userinfoClaims } from './token-claims.js';

/** Signature-checks one of our JWT access tokens and returns its payload, or undefined. */
async function verifyOwnAccessToken(token: string, key: KeyObject | CryptoKey, issuer: string): Promise<Record<string, unknown> | undefined> {
  try {
    const { payload } = await jwtVerify(token, key, { issuer, algorithms: ['RS256'], typ: 'JWT' });
    return payload.typ === 'Bearer' && typeof payload.jti === 'string' ? payload : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The UserInfo endpoint (OIDC Core §5.3), answered from the realm's mappers like Keycloak's. oidc-provider's own
 * endpoint refuses access tokens that carry an audience, and ours always carry the gateway's, hence this one.
 * The token must be ours (signature, issuer, expiry) and hold `openid`. JWT access tokens are self-contained
 * (oidc-provider does not store them), so, as for the gateway's own checks, they stay valid until they expire.
 */
export class UserinfoEndpoint {
  constructor(
    private readonly provider: Provider,
    private readonly realm: Realm,
    private readonly key: KeyObject | CryptoKey,
  ) {}

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // CORS for the browser apps, like Keycloak: origins allowed by any client's web origins (Fetch §3.2).
    const origin = req.headers.origin;
    if (origin && this.realm.clients.some((c) => c.webOrigins.includes('*') || c.webOrigins.includes(origin))) {
      res.setHeader('access-control-allow-origin', origin);
      res.setHeader('vary', 'Origin');
    }
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { allow: 'GET, POST, OPTIONS', 'access-control-allow-methods': 'GET, POST', 'access-control-allow-headers': 'authorization', 'access-control-max-age': '3600' }).end();
      return;
    }
    if (req.method !== 'GET' && req.method !== 'POST') {
      this.error(res, 405, 'invalid_request', 'use GET or POST');
      return;
    }
    const header = req.headers.authorization ?? '';
    const match = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/i.exec(header);
    if (!match) {
      // RFC 6750 §3.1: no error code when the request carried no credentials at all.
      this.error(res, 401, header ? 'invalid_request' : undefined, 'bearer access token required');
      return;
    }
    const payload = await verifyOwnAccessToken(match[1]!, this.key, this.provider.issuer);
    if (!payload) {
      this.error(res, 401, 'invalid_token', 'token is not active');
      return;
    }
    const scopes = new Set(String(payload['scope'] ?? '').split(' '));
    if (!scopes.has('openid')) {
      this.error(res, 403, 'insufficient_scope', 'access token missing openid scope');
      return;
    }
    const user = this.realm.userById(String(payload['sub']));
    const client = this.realm.client(String(payload['azp']));
    if (!user || !client) {
      this.error(res, 401, 'invalid_token', 'token subject or client no longer exists');
      return;
    }
    const body = JSON.stringify(userinfoClaims({ realm: this.realm, client, user, requestedScopes: scopes }));
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', pragma: 'no-cache' }).end(body);
  }

  private error(res: ServerResponse, status: number, error: string | undefined, description: string): void {
    const challenge = `Bearer realm="${this.realm.name}"${error ? `, error="${error}", error_description="${description}"` : ''}`;
    res
      .writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'www-authenticate': challenge })
      .end(JSON.stringify({ error: error ?? 'invalid_request', error_description: description }));
  }
}
