import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadMasterKey } from './master-key.js';

describe('the store master key', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'master-key-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('takes STORE_MASTER_KEY from the environment when set', () => {
    const key = loadMasterKey({ fromEnv: 'A'.repeat(43), file: join(dir, 'k'), production: true });
    expect(key).toEqual(new Uint8Array(32));
  });

  it('refuses to run production without STORE_MASTER_KEY, and never writes a key file there', () => {
    expect(() => loadMasterKey({ file: join(dir, 'keys', 'store-master.key'), production: true })).toThrow('STORE_MASTER_KEY: required in production');
    expect(() => statSync(join(dir, 'keys'))).toThrow();
  });

  it('creates the embedded key file once, private to the owner, and reads the same key afterwards', () => {
    const file = join(dir, 'keys', 'store-master.key');
    const first = loadMasterKey({ file, production: false });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(loadMasterKey({ file, production: false })).toEqual(first);
    expect(readFileSync(file, 'utf8').trim()).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('names a key file of the wrong size', () => {
    const file = join(dir, 'k');
    writeFileSync(file, 'AAAA\n');
    expect(() => loadMasterKey({ file, production: false })).toThrow(`${file}: expected base64url of 32 bytes, got 3 bytes (delete it only if the store is empty)`);
  });
});
