import { resolve } from 'node:path';
import { findRepoRoot } from '../common/repo-root.js';
import { HDNodeWallet } from 'ethers';
import { ConfigError, loadConfig, WELL_KNOWN_DEV_KEYS } from './app-config.js';

const cwd = '/srv/gateway';
/** A well-formed STORE_MASTER_KEY (production requires one). */
const MASTER = 'B'.repeat(43);

function problemsOf(env: NodeJS.ProcessEnv): readonly string[] {
  try {
    loadConfig(env, cwd);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('gives the embedded defaults for an empty environment', () => {
    const config = loadConfig({}, cwd);
    expect(config).toEqual({
      env: 'development',
      production: false,
      http: { host: '127.0.0.1', port: 8080, publicUrl: 'http://localhost:8080', bodyLimit: 1048576 },
      dataDir: '/srv/gateway/var',
      logLevel: 'info',
      identity: { mode: 'embedded', authServerUrl: 'http://localhost:8080/auth', realm: 'fhir-gateway', clientId: 'fhir-gateway' },
      chain: { mode: 'embedded', deploymentFile: '/srv/gateway/var/chain/deployment.json' },
      database: { kind: 'sqlite', file: '/srv/gateway/var/gateway.sqlite' },
      consent: { pollIntervalMs: 500, maxStalenessMs: 30_000 },
      demoData: true,
      store: { masterKeyFile: '/srv/gateway/var/keys/store-master.key' },
      audit: { anchorMode: 'batch', anchorEveryRecords: 1000, anchorEverySeconds: 30 },
      inference: { modelsDir: resolve(findRepoRoot(), 'models') },
    });
  });

  it('requires STORE_MASTER_KEY in production, and never echoes a malformed one', () => {
    const env = { NODE_ENV: 'production', PUBLIC_URL: 'https://gw.example.org', ALLOW_EMBEDDED_IN_PRODUCTION: 'true' };
    expect(problemsOf(env)).toEqual([
      'STORE_MASTER_KEY: required when NODE_ENV=production (base64url of 32 random bytes from your secret store: it seals escrow keys and keys the blind indexes), got nothing',
    ]);
    expect(problemsOf({ ...env, STORE_MASTER_KEY: 'short-secret' })).toEqual(['STORE_MASTER_KEY: expected base64url of 32 random bytes, got a value of the wrong form']);
    expect(loadConfig({ ...env, STORE_MASTER_KEY: MASTER }, cwd).store).toEqual({ masterKey: MASTER, masterKeyFile: '/srv/gateway/var/keys/store-master.key' });
  });

  it('seeds demo data by default only in embedded development, and refuses it in production', () => {
    expect(loadConfig({ DEMO_DATA: 'false' }, cwd).demoData).toBe(false);
    expect(loadConfig({ KEYCLOAK_URL: 'https://kc.example.org' }, cwd).demoData).toBe(false);
    expect(problemsOf({ NODE_ENV: 'production', STORE_MASTER_KEY: MASTER, PUBLIC_URL: 'https://gw.example.org', ALLOW_EMBEDDED_IN_PRODUCTION: 'true', DEMO_DATA: 'true' })).toEqual([
      'DEMO_DATA: synthetic demo patients are refused when NODE_ENV=production',
    ]);
  });

  it('reads the anchoring mode and its batch bounds', () => {
    expect(loadConfig({ AUDIT_ANCHOR_MODE: 'per-record' }, cwd).audit).toEqual({ anchorMode: 'per-record', anchorEveryRecords: 1000, anchorEverySeconds: 30 });
    expect(loadConfig({ AUDIT_ANCHOR_EVERY_RECORDS: '5', AUDIT_ANCHOR_EVERY_SECONDS: '1' }, cwd).audit).toEqual({ anchorMode: 'batch', anchorEveryRecords: 5, anchorEverySeconds: 1 });
    expect(problemsOf({ AUDIT_ANCHOR_MODE: 'never', AUDIT_ANCHOR_EVERY_RECORDS: '0', AUDIT_ANCHOR_EVERY_SECONDS: '1.5' })).toEqual([
      'AUDIT_ANCHOR_MODE: expected batch, per-record or off, got "never"',
      'AUDIT_ANCHOR_EVERY_RECORDS: expected a whole number of records from 1 to 1000000, got "0"',
      'AUDIT_ANCHOR_EVERY_SECONDS: expected a whole number of seconds from 1 to 86400, got "1.5"',
    ]);
  });

  it('refuses AUDIT_ANCHOR_MODE=off in production, saying why, and allows it elsewhere', () => {
    const production = { NODE_ENV: 'production', STORE_MASTER_KEY: MASTER, PUBLIC_URL: 'https://gw.example.org', ALLOW_EMBEDDED_IN_PRODUCTION: 'true' };
    expect(problemsOf({ ...production, AUDIT_ANCHOR_MODE: 'off' })).toEqual([
      'AUDIT_ANCHOR_MODE: off is refused when NODE_ENV=production (unanchored tree heads leave the audit log unverifiable); use batch or per-record',
    ]);
    expect(loadConfig({ ...production, AUDIT_ANCHOR_MODE: 'per-record' }, cwd).audit.anchorMode).toBe('per-record');
    expect(loadConfig({ NODE_ENV: 'test', AUDIT_ANCHOR_MODE: 'off' }, cwd).audit.anchorMode).toBe('off');
  });

  it('takes CHAIN_PUBLIC_RPC_URL as the browser-reachable RPC URL, https in production unless loopback', () => {
    expect(loadConfig({}, cwd).chain.publicRpcUrl).toBeUndefined();
    expect(loadConfig({ CHAIN_PUBLIC_RPC_URL: 'https://rpc.example.org' }, cwd).chain.publicRpcUrl).toBe('https://rpc.example.org');
    const production = { NODE_ENV: 'production', STORE_MASTER_KEY: MASTER, PUBLIC_URL: 'https://gw.example.org', ALLOW_EMBEDDED_IN_PRODUCTION: 'true' };
    expect(problemsOf({ ...production, CHAIN_PUBLIC_RPC_URL: 'http://rpc.example.org' })).toEqual([
      'CHAIN_PUBLIC_RPC_URL: expected an https URL (or a loopback http one) when NODE_ENV=production, got "http://rpc.example.org"',
    ]);
    expect(problemsOf({ CHAIN_PUBLIC_RPC_URL: 'ws://rpc.example.org' })).toEqual(['CHAIN_PUBLIC_RPC_URL: expected an http(s) URL, got "ws://rpc.example.org"']);
  });

  it('names an invalid port and what it got', () => {
    expect(problemsOf({ PORT: 'eighty' })).toEqual(['PORT: expected a port number, got "eighty"']);
    // 0 would make the OS pick a port that the issuer URL and the banner could not name.
    expect(problemsOf({ PORT: '0' })).toEqual(['PORT: expected a port number from 1 to 65535, got "0"']);
  });

  it('names every invalid setting at once', () => {
    expect(problemsOf({ PORT: '70000', LOG_LEVEL: 'loud', KEYCLOAK_URL: 'ftp://kc' })).toEqual([
      'PORT: expected a port number from 1 to 65535, got "70000"',
      'LOG_LEVEL: expected fatal, error, warn, info, debug, trace or silent, got "loud"',
      'KEYCLOAK_URL: expected an http(s) URL, got "ftp://kc"',
    ]);
  });

  it('never echoes a malformed private key', () => {
    const problems = problemsOf({ CHAIN_PRIVATE_KEY: '0xdeadbeef' });
    expect(problems).toEqual(['CHAIN_PRIVATE_KEY: expected a 0x-prefixed 32-byte hex private key, got a value of the wrong form']);
  });

  it('refuses the embedded identity provider and chain in production unless explicitly allowed', () => {
    expect(problemsOf({ NODE_ENV: 'production', STORE_MASTER_KEY: MASTER, PUBLIC_URL: 'https://gw.example.org' })).toEqual([
      'KEYCLOAK_URL: required when NODE_ENV=production (the embedded identity provider is for development; set ALLOW_EMBEDDED_IN_PRODUCTION=true to run it anyway)',
      'CHAIN_RPC_URL: required when NODE_ENV=production (the embedded anvil chain is for development; set ALLOW_EMBEDDED_IN_PRODUCTION=true to run it anyway)',
    ]);
  });

  it('runs embedded parts in production when ALLOW_EMBEDDED_IN_PRODUCTION=true', () => {
    const config = loadConfig({ NODE_ENV: 'production', STORE_MASTER_KEY: MASTER, PUBLIC_URL: 'https://gw.example.org/', ALLOW_EMBEDDED_IN_PRODUCTION: 'true' }, cwd);
    expect(config.production).toBe(true);
    expect(config.identity).toEqual({ mode: 'embedded', authServerUrl: 'https://gw.example.org/auth', realm: 'fhir-gateway', clientId: 'fhir-gateway' });
    expect(config.chain.mode).toBe('embedded');
  });

  it('requires PUBLIC_URL in production', () => {
    expect(problemsOf({ NODE_ENV: 'production', STORE_MASTER_KEY: MASTER, KEYCLOAK_URL: 'https://kc.example.org', CHAIN_RPC_URL: 'https://rpc.example.org', CHAIN_PRIVATE_KEY: `0x${'1'.repeat(64)}`, CHAIN_DEPLOYMENT_FILE: 'd.json' })).toEqual([
      'PUBLIC_URL: required when NODE_ENV=production (the external https address of this gateway)',
    ]);
  });

  it('uses a real Keycloak, chain and key when they are configured', () => {
    const config = loadConfig(
      {
        NODE_ENV: 'production', STORE_MASTER_KEY: MASTER,
        PUBLIC_URL: 'https://gw.example.org',
        KEYCLOAK_URL: 'https://kc.example.org/',
        KEYCLOAK_REALM: 'hospital',
        CHAIN_RPC_URL: 'https://rpc.testnet.example.org',
        CHAIN_ID: '98867',
        CHAIN_PRIVATE_KEY: `0x${'1'.repeat(64)}`,
        CHAIN_DEPLOYMENT_FILE: 'deploy/plume-testnet.json',
      },
      cwd,
    );
    expect(config.identity).toEqual({ mode: 'keycloak', authServerUrl: 'https://kc.example.org', realm: 'hospital', clientId: 'fhir-gateway' });
    expect(config.chain).toEqual({
      mode: 'external',
      rpcUrl: 'https://rpc.testnet.example.org',
      chainId: 98867,
      deploymentFile: '/srv/gateway/deploy/plume-testnet.json',
      privateKey: `0x${'1'.repeat(64)}`,
    });
  });

  it('requires the key and deployment file with an external chain', () => {
    expect(problemsOf({ CHAIN_RPC_URL: 'http://127.0.0.1:8545' })).toEqual([
      'CHAIN_PRIVATE_KEY: required with CHAIN_RPC_URL (the key the gateway relays and anchors with), got nothing',
      'CHAIN_DEPLOYMENT_FILE: required with CHAIN_RPC_URL (written by `npm run contracts:deploy`), got nothing',
    ]);
  });

  it("refuses anvil's well-known development key in production", () => {
    expect(
      problemsOf({
        NODE_ENV: 'production', STORE_MASTER_KEY: MASTER,
        PUBLIC_URL: 'https://gw.example.org',
        KEYCLOAK_URL: 'https://kc.example.org',
        CHAIN_RPC_URL: 'https://rpc.example.org',
        CHAIN_DEPLOYMENT_FILE: 'd.json',
        CHAIN_PRIVATE_KEY: '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80',
      }),
    ).toEqual(['CHAIN_PRIVATE_KEY: is a publicly known development key, refused when NODE_ENV=production']);
  });

  it('lists exactly the ten keys of the public development mnemonic as well-known', () => {
    const mnemonic = 'test test test test test test test test test test test junk';
    const derived = Array.from({ length: 10 }, (_, i) => HDNodeWallet.fromPhrase(mnemonic, undefined, `m/44'/60'/0'/0/${i}`).privateKey);
    expect([...WELL_KNOWN_DEV_KEYS]).toEqual(derived);
  });

  it.each([
    ['PUBLIC_URL', { PUBLIC_URL: 'http://gw.example.org' }, 'PUBLIC_URL: expected an https URL (or a loopback http one) when NODE_ENV=production, got "http://gw.example.org"'],
    ['KEYCLOAK_URL', { KEYCLOAK_URL: 'http://kc.example.org' }, 'KEYCLOAK_URL: expected an https URL (or a loopback http one) when NODE_ENV=production, got "http://kc.example.org"'],
    ['CHAIN_RPC_URL', { CHAIN_RPC_URL: 'http://rpc.example.org/v2/api-key' }, 'CHAIN_RPC_URL: expected an https URL (or a loopback http one) when NODE_ENV=production, got an http URL'],
  ])('requires https for %s in production', (_key, override, problem) => {
    const env = {
      NODE_ENV: 'production', STORE_MASTER_KEY: MASTER,
      PUBLIC_URL: 'https://gw.example.org',
      KEYCLOAK_URL: 'https://kc.example.org',
      CHAIN_RPC_URL: 'https://rpc.example.org',
      CHAIN_PRIVATE_KEY: `0x${'1'.repeat(64)}`,
      CHAIN_DEPLOYMENT_FILE: 'd.json',
      ...override,
    };
    expect(problemsOf(env)).toEqual([problem]);
  });

  it('lets production use plain http to services on loopback', () => {
    const env = { NODE_ENV: 'production', STORE_MASTER_KEY: MASTER, PUBLIC_URL: 'http://127.0.0.1:8080', KEYCLOAK_URL: 'http://localhost:8081', CHAIN_RPC_URL: 'http://127.0.0.1:8545', CHAIN_PRIVATE_KEY: `0x${'1'.repeat(64)}`, CHAIN_DEPLOYMENT_FILE: 'd.json' };
    const config = loadConfig(env, cwd);
    expect([config.http.publicUrl, config.identity.authServerUrl, config.chain.rpcUrl]).toEqual(['http://127.0.0.1:8080', 'http://localhost:8081', 'http://127.0.0.1:8545']);
  });

  it('accepts a sqlite DATABASE_URL relative to the working directory', () => {
    expect(loadConfig({ DATABASE_URL: 'sqlite:data/db.sqlite' }, cwd).database).toEqual({ kind: 'sqlite', file: '/srv/gateway/data/db.sqlite' });
  });

  it.each(['postgres://fhir:s3cret@db.example.org:5432/fhir?sslmode=verify-full', 'postgresql://fhir@db.example.org/fhir'])(
    'accepts the PostgreSQL URL %s with a pool of 10 connections by default',
    (url) => {
      expect(loadConfig({ DATABASE_URL: url }, cwd).database).toEqual({ kind: 'postgres', url, poolSize: 10 });
    },
  );

  it('refuses a PostgreSQL pool of one connection, which audit anchoring would deadlock', () => {
    expect(problemsOf({ DATABASE_URL: 'postgres://db.example.org/fhir', DATABASE_POOL_SIZE: '1' })).toEqual([
      'DATABASE_POOL_SIZE: expected at least 2 connections with PostgreSQL (audit anchoring holds one for its lock while reading the log on another), got 1',
    ]);
    expect(loadConfig({ DATABASE_URL: 'postgres://db.example.org/fhir', DATABASE_POOL_SIZE: '2' }, cwd).database).toEqual({ kind: 'postgres', url: 'postgres://db.example.org/fhir', poolSize: 2 });
  });

  it('sizes the PostgreSQL pool from DATABASE_POOL_SIZE', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://db.example.org/fhir', DATABASE_POOL_SIZE: '25' }, cwd).database).toEqual({ kind: 'postgres', url: 'postgres://db.example.org/fhir', poolSize: 25 });
  });

  it.each([
    ['0', 'DATABASE_POOL_SIZE: expected a number of connections from 1 to 200, got "0"'],
    ['201', 'DATABASE_POOL_SIZE: expected a number of connections from 1 to 200, got "201"'],
    ['2.5', 'DATABASE_POOL_SIZE: expected a number of connections from 1 to 200, got "2.5"'],
    ['many', 'DATABASE_POOL_SIZE: expected a number of connections, got "many"'],
  ])('refuses DATABASE_POOL_SIZE=%s', (size, problem) => {
    expect(problemsOf({ DATABASE_URL: 'postgres://db.example.org/fhir', DATABASE_POOL_SIZE: size })).toEqual([problem]);
  });

  it('names what DATABASE_URL accepts when given another scheme, without echoing the password', () => {
    expect(problemsOf({ DATABASE_URL: 'mysql://u:secret@h/db' })).toEqual(['DATABASE_URL: expected sqlite:<path>, postgres://… or postgresql://…, got "mysql:…"']);
  });

  it('refuses a PostgreSQL URL that does not parse, without echoing the password', () => {
    expect(problemsOf({ DATABASE_URL: 'postgres://fhir:s3cret@[db/fhir' })).toEqual(['DATABASE_URL: expected postgres://[user[:password]@]host[:port]/database, got a postgres URL that does not parse']);
    expect(problemsOf({ DATABASE_URL: 'postgresql:fhir' })).toEqual(['DATABASE_URL: expected postgres://[user[:password]@]host[:port]/database, got a postgres URL that does not parse']);
  });

  it('keeps the SQLite default in production (a single-instance deployment) and takes PostgreSQL there too', () => {
    const env = { NODE_ENV: 'production', PUBLIC_URL: 'https://gw.example.org', KEYCLOAK_URL: 'https://kc.example.org', CHAIN_RPC_URL: 'https://rpc.example.org', CHAIN_PRIVATE_KEY: `0x${'1'.repeat(64)}`, CHAIN_DEPLOYMENT_FILE: 'd.json', STORE_MASTER_KEY: 'A'.repeat(43), DATA_DIR: '/var/lib/gateway' };
    expect(loadConfig(env, cwd).database).toEqual({ kind: 'sqlite', file: '/var/lib/gateway/gateway.sqlite' });
    expect(loadConfig({ ...env, DATABASE_URL: 'postgres://fhir:s3cret@db.internal/fhir', DATABASE_POOL_SIZE: '50' }, cwd).database).toEqual({ kind: 'postgres', url: 'postgres://fhir:s3cret@db.internal/fhir', poolSize: 50 });
  });

  it('parses boolean flags strictly', () => {
    expect(problemsOf({ ALLOW_EMBEDDED_IN_PRODUCTION: 'maybe' })).toEqual(['ALLOW_EMBEDDED_IN_PRODUCTION: expected true or false, got "maybe"']);
  });
  describe('the consent indexer', () => {
    const external = { CHAIN_RPC_URL: 'https://rpc.example.org', CHAIN_PRIVATE_KEY: `0x${'1'.repeat(64)}`, CHAIN_DEPLOYMENT_FILE: 'd.json' };

    it('polls every 500 ms on the embedded chain and every 2 s on an external one, stale after 30 s by default', () => {
      expect(loadConfig({}, cwd).consent).toEqual({ pollIntervalMs: 500, maxStalenessMs: 30_000 });
      expect(loadConfig(external, cwd).consent).toEqual({ pollIntervalMs: 2_000, maxStalenessMs: 30_000 });
    });

    it('takes CONSENT_POLL_INTERVAL_MS and CONSENT_MAX_STALENESS_MS', () => {
      expect(loadConfig({ ...external, CONSENT_POLL_INTERVAL_MS: '50', CONSENT_MAX_STALENESS_MS: '51' }, cwd).consent).toEqual({ pollIntervalMs: 50, maxStalenessMs: 51 });
    });

    it.each([
      ['49', 'CONSENT_POLL_INTERVAL_MS: expected at least 50 milliseconds, got "49"'],
      ['0.5', 'CONSENT_POLL_INTERVAL_MS: expected a whole number of milliseconds, got "0.5"'],
      ['fast', 'CONSENT_POLL_INTERVAL_MS: expected a whole number of milliseconds, got "fast"'],
    ])('refuses CONSENT_POLL_INTERVAL_MS=%s', (value, problem) => {
      expect(problemsOf({ CONSENT_POLL_INTERVAL_MS: value })).toEqual([problem]);
    });

    it.each([
      [{ CONSENT_MAX_STALENESS_MS: '0' }, 'CONSENT_MAX_STALENESS_MS: expected a whole number of milliseconds, got "0"'],
      [{ CONSENT_MAX_STALENESS_MS: '500' }, 'CONSENT_MAX_STALENESS_MS: expected more than the poll interval (CONSENT_POLL_INTERVAL_MS, 500 ms), got "500"'],
      [{ ...external, CONSENT_MAX_STALENESS_MS: '1500' }, 'CONSENT_MAX_STALENESS_MS: expected more than the poll interval (CONSENT_POLL_INTERVAL_MS, 2000 ms), got "1500"'],
      [{ CONSENT_POLL_INTERVAL_MS: '45000' }, 'CONSENT_MAX_STALENESS_MS: expected more than the poll interval (CONSENT_POLL_INTERVAL_MS, 45000 ms), got the default 30000'],
    ])('refuses a staleness bound that is not more than one poll interval: %j', (env, problem) => {
      expect(problemsOf(env)).toEqual([problem]);
    });
  });
});
