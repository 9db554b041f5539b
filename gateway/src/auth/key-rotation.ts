import { createPublicKey, type KeyObject } from 'node:crypto';
import { withTimeout } from '../common/index.js';
import { KEY_ERRORS } from './token-diagnostics.js';

/** A JWK Set as the realm's certs endpoint publishes it (RFC 7517 §5). */
export interface JwkSet {
  keys?: { kid?: string }[];
}

/** The parts of keycloak-connect's `Rotation` (middleware/auth-utils/rotation.js) this module drives. */
interface Rotation {
  jwks: { kid?: string }[];
  lastTimeRequesTime: number;
  minTimeBetweenJwksRequests: number;
  retrieveJWKs(): Promise<JwkSet>;
  getJWK(kid: string): Promise<string | KeyObject> | undefined;
}

/** Access to the realm's keys as keycloak-connect caches them. */
export interface RealmKeys {
  /** Fetches the certs unless fetched within the rate-limit interval; returns how many keys the realm publishes. */
  refresh(): Promise<number>;
  /** Whether the realm's key set as last fetched still holds this key id. */
  has(kid: string): boolean;
}

/** Where the keys come from and how patiently. */
export interface KeyRotationOptions {
  /**
   * Reads the realm's JWK Set. Default: keycloak-connect's own HTTP request to
   * `<realm-url>/protocol/openid-connect/certs`; the embedded identity provider passes its keys in-process.
   */
  readonly retrieve?: () => Promise<JwkSet>;
  /** How long one certs request may take before the token is answered with 503. */
  readonly fetchTimeoutMs?: number;
  /** After a failed fetch, further requests fail fast for this long instead of hammering the endpoint. */
  readonly failureBackoffMs?: number;
}

const FETCH_TIMEOUT_MS = 5_000;
const FAILURE_BACKOFF_MS = 1_000;

/**
 * Wraps keycloak-connect's key rotation so that it is bounded and quiet. As shipped, `Rotation.getJWK` refetches
 * the certs for an unknown `kid` at most every `min-time-between-jwks-requests` seconds (10) but then returns
 * `undefined` (a TypeError downstream) and writes to the console; it retries a failing endpoint on every request;
 * and its HTTP request has no timeout. Here an unknown `kid` still triggers one refetch per interval (key
 * rotation, RFC 7517 `kid`), concurrent fetches share one request, a failure backs off for a moment and the first
 * call after the backoff fetches again, and every failure is an error whose message {@link tokenRejection}
 * recognises. Verification itself stays keycloak-connect's.
 */
export function guardKeyRotation(grantManager: unknown, options: KeyRotationOptions = {}): RealmKeys {
  const rotation = (grantManager as { rotation: Rotation }).rotation;
  const original = rotation.getJWK.bind(rotation);
  const retrieve = options.retrieve ?? (() => rotation.retrieveJWKs());
  const fetchTimeoutMs = options.fetchTimeoutMs ?? FETCH_TIMEOUT_MS;
  const failureBackoffMs = options.failureBackoffMs ?? FAILURE_BACKOFF_MS;
  let inFlight: Promise<void> | undefined;
  let lastFailure: number | undefined;

  const known = (kid: string) => rotation.jwks.some((k) => k.kid === kid);
  // keycloak-connect converts the JWK to PEM on every call and `crypto.verify` then parses that PEM again: about
  // 150 µs per request. Parse once per key instead; the cache belongs to one fetched key set (`rotation.jwks` is
  // replaced on every fetch), so a rotated or removed key is never served from it.
  let parsed = new Map<string, KeyObject>();
  let parsedFrom = rotation.jwks;
  const publicKey = async (kid: string): Promise<KeyObject> => {
    if (parsedFrom !== rotation.jwks) {
      parsed = new Map();
      parsedFrom = rotation.jwks;
    }
    let key = parsed.get(kid);
    if (!key) {
      key = createPublicKey(await original(kid)!);
      parsed.set(kid, key);
    }
    return key;
  };

  const fetchKeys = (): Promise<void> => {
    if (inFlight) return inFlight;
    // Checked before a fetch is started, never stored as the shared fetch: the next call after the backoff fetches.
    if (lastFailure !== undefined && Date.now() - lastFailure < failureBackoffMs) {
      return Promise.reject(new Error(`${KEY_ERRORS.certsUnavailable}: previous fetch failed moments ago`));
    }
    const fetching = (async () => {
      try {
        const certs = await withTimeout(retrieve(), fetchTimeoutMs);
        rotation.jwks = Array.isArray(certs.keys) ? certs.keys : [];
        rotation.lastTimeRequesTime = Date.now() / 1000;
        lastFailure = undefined;
      } catch (error) {
        lastFailure = Date.now();
        throw new Error(`${KEY_ERRORS.certsUnavailable}: ${(error as Error).message}`, { cause: error });
      }
    })();
    // Assigned before the fetch can settle, and cleared only once it has: no settled fetch is ever shared.
    inFlight = fetching.finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };

  // keycloak-connect hands the result to `crypto.Verify#verify`, which takes a KeyObject as well as a PEM string.
  rotation.getJWK = (kid: string): Promise<KeyObject> => {
    if (known(kid)) return publicKey(kid);
    return (async () => {
      const nextAllowed = rotation.lastTimeRequesTime + rotation.minTimeBetweenJwksRequests;
      if (Date.now() / 1000 > nextAllowed) await fetchKeys();
      if (!known(kid)) throw new Error(KEY_ERRORS.unknownKid);
      return publicKey(kid);
    })();
  };

  return {
    async refresh() {
      const fresh = Date.now() / 1000 <= rotation.lastTimeRequesTime + rotation.minTimeBetweenJwksRequests;
      if (!fresh || rotation.jwks.length === 0) await fetchKeys();
      return rotation.jwks.length;
    },
    has: known,
  };
}
