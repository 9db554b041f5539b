import { pbkdf2, randomBytes, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

const pbkdf2Async = promisify(pbkdf2);

/** Keycloak's password hash provider ids and the HMAC each uses (Keycloak `Pbkdf2*PasswordHashProviderFactory`). */
const DIGESTS: Readonly<Record<string, string>> = {
  pbkdf2: 'sha1',
  'pbkdf2-sha256': 'sha256',
  'pbkdf2-sha512': 'sha512',
};

/** A password credential as Keycloak stores and exports it (`secretData` and `credentialData`, parsed). */
export interface PasswordCredential {
  readonly algorithm: string;
  readonly hashIterations: number;
  /** Base64 salt. */
  readonly salt: string;
  /** Base64 PBKDF2 output; its length fixes the derived key size (Keycloak derives it from the stored value). */
  readonly value: string;
}

/** Upper bound on iterations we agree to run for one login, so a hostile realm file cannot stall the event loop. */
const MAX_ITERATIONS = 10_000_000;

/** Whether the hash provider is one we can verify (PBKDF2 family); others are refused at realm load. */
export function isSupportedPasswordAlgorithm(algorithm: string): boolean {
  return algorithm in DIGESTS;
}

/**
 * Checks a password against a Keycloak PBKDF2 credential (RFC 8018 §5.2), comparing in constant time.
 * Passwords are UTF-8 encoded, as Java's PBKDF2WithHmacSHA* does for `PBEKeySpec` chars.
 */
export async function verifyPassword(password: string, credential: PasswordCredential): Promise<boolean> {
  const digest = DIGESTS[credential.algorithm];
  if (!digest) throw new Error(`unsupported password hash algorithm ${JSON.stringify(credential.algorithm)}`);
  if (!Number.isInteger(credential.hashIterations) || credential.hashIterations < 1 || credential.hashIterations > MAX_ITERATIONS) {
    throw new Error(`expected 1..${MAX_ITERATIONS} hash iterations, got ${credential.hashIterations}`);
  }
  const expected = Buffer.from(credential.value, 'base64');
  if (expected.length === 0) throw new Error('empty stored password hash');
  const actual = await pbkdf2Async(Buffer.from(password, 'utf8'), Buffer.from(credential.salt, 'base64'), credential.hashIterations, expected.length, digest);
  return timingSafeEqual(actual, expected);
}

/**
 * Hashes a password the way Keycloak's `pbkdf2-sha256` provider does (16-byte random salt, 256-bit key), for
 * writing demo credentials into the realm file.
 */
export async function hashPassword(password: string, hashIterations = 27_500): Promise<PasswordCredential> {
  const salt = randomBytes(16);
  const value = await pbkdf2Async(Buffer.from(password, 'utf8'), salt, hashIterations, 32, 'sha256');
  return { algorithm: 'pbkdf2-sha256', hashIterations, salt: salt.toString('base64'), value: value.toString('base64') };
}
