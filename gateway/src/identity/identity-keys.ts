import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { calculateJwkThumbprint, type JWK } from 'jose';

/** The embedded provider's persisted secrets. */
export interface IdentityKeys {
  /** The RS256 signing key as a private JWK (with `kid`, `alg`, `use`). */
  readonly signingKey: JWK & { kid: string };
  /** Keys that sign the provider's cookies (Koa/keygrip), newest first. */
  readonly cookieKeys: readonly string[];
}

/**
 * Loads the signing key and cookie keys from `<dataDir>/identity/`, generating them on first boot: an RSA 2048
 * key (RS256, RFC 7518 §3.3) whose `kid` is its RFC 7638 thumbprint, and a 256-bit cookie key. Files are written
 * with mode 0600 in a 0700 directory and never overwritten, so tokens stay valid across restarts.
 */
export async function loadOrCreateIdentityKeys(dataDir: string): Promise<IdentityKeys> {
  const dir = join(dataDir, 'identity');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const signingKey = await readOrCreate(join(dir, 'signing-key.jwk.json'), createSigningKey, parseSigningKey);
  const cookies = await readOrCreate(join(dir, 'cookie-keys.json'), async () => ({ keys: [randomBytes(32).toString('base64url')] }), parseCookieKeys);
  return { signingKey, cookieKeys: cookies.keys };
}

async function readOrCreate<T>(file: string, create: () => Promise<T>, parse: (json: unknown, file: string) => T): Promise<T> {
  let text: string | undefined;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (text !== undefined) {
    // A key readable by others is a leaked key waiting to happen: tighten it rather than serve with it as is.
    if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new Error(`identity key file ${file} is not valid JSON; move it away to generate a new key`);
    }
    return parse(json, file);
  }
  const value = await create();
  // 'wx': never overwrite a key another process wrote in the meantime.
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  return value;
}

async function createSigningKey(): Promise<JWK & { kid: string }> {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' }) as JWK;
  const kid = await calculateJwkThumbprint({ kty: 'RSA', n: jwk.n!, e: jwk.e! }, 'sha256');
  return { ...jwk, kid, alg: 'RS256', use: 'sig' };
}

function parseSigningKey(json: unknown, file: string): JWK & { kid: string } {
  const jwk = json as JWK;
  if (jwk?.kty !== 'RSA' || typeof jwk.d !== 'string' || typeof jwk.n !== 'string' || typeof jwk.kid !== 'string') {
    throw new Error(`identity key file ${file} does not hold a private RSA JWK with a kid`);
  }
  if (Buffer.from(jwk.n, 'base64url').length < 256) throw new Error(`identity key file ${file}: expected an RSA key of at least 2048 bits`);
  return { ...jwk, kid: jwk.kid, alg: 'RS256', use: 'sig' };
}

function parseCookieKeys(json: unknown, file: string): { keys: string[] } {
  const keys = (json as { keys?: unknown })?.keys;
  if (!Array.isArray(keys) || keys.length === 0 || !keys.every((k) => typeof k === 'string' && k.length >= 32)) {
    throw new Error(`identity key file ${file}: expected {"keys": [at least one random string of 32+ characters]}`);
  }
  return { keys };
}
