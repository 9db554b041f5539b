import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';
import { fromBase64Url } from '../../crypto/index.js';

/** Where the store's master key comes from: the environment, or (embedded mode only) a file under DATA_DIR. */
export interface MasterKeySource {
  /** `STORE_MASTER_KEY`: base64url of 32 random bytes. */
  readonly fromEnv?: string;
  /** The embedded mode's key file, created on first start with mode 0600. */
  readonly file: string;
  /** In production the key must come from the environment. */
  readonly production: boolean;
}

/**
 * Loads the store's master key. In production only `STORE_MASTER_KEY` is accepted (secrets only from the
 * environment); the embedded mode generates a key file on first start so `npm start` needs no setup.
 */
export function loadMasterKey(source: MasterKeySource): Uint8Array {
  if (source.fromEnv !== undefined) {
    let key: Uint8Array;
    try {
      key = fromBase64Url(source.fromEnv.trim(), 'STORE_MASTER_KEY');
    } catch {
      throw new Error('STORE_MASTER_KEY: expected base64url of 32 random bytes (e.g. `openssl rand -base64 32 | tr "+/" "-_" | tr -d =`)');
    }
    if (key.length !== 32) throw new Error(`STORE_MASTER_KEY: expected 32 bytes, got ${key.length}`);
    return key;
  }
  if (source.production) throw new Error('STORE_MASTER_KEY: required in production (base64url of 32 random bytes, from your secret store)');
  if (!existsSync(source.file)) {
    mkdirSync(dirname(source.file), { recursive: true, mode: 0o700 });
    writeFileSync(source.file, randomBytes(32).toString('base64url') + '\n', { mode: 0o600, flag: 'wx' });
  }
  chmodSync(source.file, 0o600);
  const key = fromBase64Url(readFileSync(source.file, 'utf8').trim(), source.file);
  if (key.length !== 32) throw new Error(`${source.file}: expected base64url of 32 bytes, got ${key.length} bytes (delete it only if the store is empty)`);
  return key;
}
