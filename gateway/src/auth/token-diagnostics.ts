import { type OperationOutcomeError, serviceUnavailable, unauthorized } from '../common/index.js';

/**
 * The 401 diagnostics the gateway gives for a rejected token: what was wrong, never the token or its claims
 * (RFC 6750 §3.1 lets the resource server describe the error; it must not leak the credential).
 */
export const TOKEN_PROBLEMS = {
  missing: 'missing bearer token: send "Authorization: Bearer <access token>"',
  malformedHeader: 'malformed Authorization header: expected "Bearer <access token>"',
  malformedToken: 'malformed access token: expected a signed JWT (header.payload.signature)',
  algorithm: 'unsupported token algorithm: expected RS256',
  missingClaims: 'malformed access token: the exp, iat, sub and azp claims are required',
  expired: 'access token expired',
  notBearer: 'not a bearer token: typ must be "Bearer"',
  stale: 'access token issued before the realm not-before time',
  signature: 'invalid signature',
  unknownKey: 'unknown signing key: kid is not in the realm certs',
  demo: 'demo accounts are disabled in production',
  invalid: 'invalid access token',
} as const;

/** The issuer the gateway expects, named so a misconfigured client can see which realm is trusted. */
const wrongIssuer = (realmUrl: string): string => `wrong issuer: expected ${realmUrl}`;

/** The audience the gateway expects (`verify-token-audience`). */
const wrongAudience = (clientId: string): string => `wrong audience: expected aud to contain "${clientId}"`;

/** Markers the key-rotation wrapper puts in its errors, so they survive keycloak-connect's message wrapping. */
export const KEY_ERRORS = { unknownKid: 'kid-not-in-certs', certsUnavailable: 'certs-unavailable' } as const;

/**
 * Maps keycloak-connect's grant validation errors (`GrantManager.validateToken`, wrapped as "Grant validation
 * failed. Reason: …") to an OperationOutcome error: 401 `login` for a bad token, 503 when the realm's keys cannot
 * be fetched (our failure, not the caller's).
 */
export function tokenRejection(message: string, expected: { realmUrl: string; clientId: string }): OperationOutcomeError {
  const reason = /invalid token \(([^)]*)\)/.exec(message)?.[1];
  switch (reason) {
    case 'expired':
      return unauthorized(TOKEN_PROBLEMS.expired);
    case 'not signed':
    case 'missing':
      return unauthorized(TOKEN_PROBLEMS.malformedToken);
    case 'wrong type':
      return unauthorized(TOKEN_PROBLEMS.notBearer);
    case 'stale token':
      return unauthorized(TOKEN_PROBLEMS.stale);
    case 'wrong ISS':
      return unauthorized(wrongIssuer(expected.realmUrl));
    case 'wrong audience':
      return unauthorized(wrongAudience(expected.clientId));
    case 'signature':
    case 'public key signature':
      return unauthorized(TOKEN_PROBLEMS.signature);
    default:
      break;
  }
  if (message.includes(KEY_ERRORS.unknownKid)) return unauthorized(TOKEN_PROBLEMS.unknownKey);
  if (message.includes(KEY_ERRORS.certsUnavailable)) return serviceUnavailable('cannot fetch the signing keys of the identity provider; try again later');
  return unauthorized(TOKEN_PROBLEMS.invalid);
}
