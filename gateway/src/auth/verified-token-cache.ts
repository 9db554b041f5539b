import { createHash } from 'node:crypto';
import type { Principal } from './principal.js';

/**
 * Principals of tokens that passed full validation, for the rest of their life (at most `maxAgeMs`): checking the
 * RS256 signature again on every request of a client that reuses its token was the largest single cost of a
 * request (~12% of a FHIR read). A hit still requires the token to be unexpired now and its signing key (`kid`)
 * to be in the realm's key set as last fetched, so a key withdrawn from the realm stops its tokens at the same
 * moment as for keycloak-connect (which checks against the same fetched set). Keyed by the SHA-256 of the token
 * (the token itself is never kept); bounded, oldest entries dropped first; principals are frozen, since requests
 * share them.
 */
export class VerifiedTokenCache {
  private readonly entries = new Map<string, { principal: Principal; until: number; kid: string }>();

  constructor(
    private readonly limit = 10_000,
    private readonly maxAgeMs = 300_000,
    private readonly now: () => number = Date.now,
  ) {}

  get(token: string, keyStillPublished: (kid: string) => boolean): Principal | undefined {
    const key = digest(token);
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.until <= this.now() || !keyStillPublished(entry.kid)) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.principal;
  }

  set(token: string, principal: Principal, kid: string): void {
    const until = Math.min(principal.expiresAt.getTime(), this.now() + this.maxAgeMs);
    if (until <= this.now()) return;
    if (this.entries.size >= this.limit) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(digest(token), { principal: Object.freeze({ ...principal, roles: Object.freeze([...principal.roles]) }), until, kid });
  }
}

function digest(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}
