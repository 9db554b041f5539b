import { isAbsolute, resolve } from 'node:path';
import { findRepoRoot } from '../common/repo-root.js';
import { envSchema } from './config.schema.js';
import { type DatabaseConfig, parseDatabaseUrl } from './database-url.js';

/**
 * The ten private keys anvil (and Hardhat) derive from their public development mnemonic ("test test … junk",
 * m/44'/60'/0'/0/0..9): anyone can sign with them, so they are never valid in production. A unit test derives
 * them again from the mnemonic.
 */
export const WELL_KNOWN_DEV_KEYS: ReadonlySet<string> = new Set([
  '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80',
  '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d',
  '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a',
  '0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6',
  '0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a',
  '0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba',
  '0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e',
  '0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356',
  '0xdbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97',
  '0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6',
]);

/** Loopback hosts: the only ones production may reach over plain http (a node on the same machine). */
function isLoopback(url: string): boolean {
  const host = new URL(url).hostname;
  return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** The typed configuration every module reads; derived once from the environment at boot. */
export interface AppConfig {
  readonly env: 'development' | 'test' | 'production';
  readonly production: boolean;
  readonly http: { readonly host: string; readonly port: number; readonly publicUrl: string; readonly bodyLimit: number };
  readonly dataDir: string;
  readonly logLevel: string;
  readonly identity: {
    /** embedded: the gateway serves the Keycloak-compatible issuer itself; keycloak: an external Keycloak. */
    readonly mode: 'embedded' | 'keycloak';
    /** Keycloak's auth-server-url: the issuer is `${authServerUrl}/realms/${realm}`. */
    readonly authServerUrl: string;
    readonly realm: string;
    /** The gateway's own (bearer-only) client id: tokens must carry it in `aud`. */
    readonly clientId: string;
  };
  readonly chain: {
    readonly mode: 'embedded' | 'external';
    readonly rpcUrl?: string;
    readonly chainId?: number;
    readonly deploymentFile: string;
    readonly privateKey?: string;
    /**
     * The RPC URL browsers use to read the chain (CHAIN_PUBLIC_RPC_URL), served at GET /audit/chain. Unset: the
     * embedded anvil's URL (known only once it runs: `ChainService.anvil.url`); with an external chain and no
     * setting there is none to show (CHAIN_RPC_URL may carry an API key, so it is never shown instead).
     */
    readonly publicRpcUrl?: string;
  };
  /** SQLite (embedded, also allowed in production for a single instance) or PostgreSQL (scale-out, design.md §4). */
  readonly database: DatabaseConfig;
  /**
   * The consent view's chain indexer (design §2.2): how often it polls the chain, and how old its last sync may be
   * before enforcement fails closed (always more than one poll interval).
   */
  readonly consent: { readonly pollIntervalMs: number; readonly maxStalenessMs: number };
  /** The patient stores' master key (base64url, 32 bytes) from STORE_MASTER_KEY; the embedded mode keeps one under DATA_DIR. */
  /** Seed the synthetic demo patients on first start (embedded development default; refused in production). */
  readonly demoData: boolean;
  readonly store: { readonly masterKey?: string; readonly masterKeyFile: string };
  /**
   * Anchoring of the audit log's tree heads on AuditAnchor (design.md §2.4): `batch` anchors when
   * `everyRecords` entries are unanchored or `everySeconds` passed with anything unanchored; `per-record` as soon
   * as an entry is committed; `off` only on demand (refused in production).
   */
  readonly audit: { readonly anchorMode: 'batch' | 'per-record' | 'off'; readonly anchorEveryRecords: number; readonly anchorEverySeconds: number };
  /** Diagnostic models (design.md §2.3): the folder of `<id>/<version>/` model folders. */
  readonly inference: { readonly modelsDir: string };
}

/** Thrown when the environment is missing or has an invalid setting; the message names every bad setting. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Settings whose values are secret (a key, or a URL that may carry a password): never echoed. */
const SECRET_SETTINGS: ReadonlySet<string> = new Set(['CHAIN_PRIVATE_KEY', 'DATABASE_URL', 'CHAIN_RPC_URL', 'STORE_MASTER_KEY']);

function describeReceived(env: NodeJS.ProcessEnv, key: string): string {
  if (!(key in env) || env[key] === undefined) return 'nothing';
  // Never echo secrets back, even in a boot error.
  if (SECRET_SETTINGS.has(key)) return 'a value of the wrong form';
  return JSON.stringify(env[key]);
}

/**
 * Reads and validates the environment. Pure: the same environment always yields the same config or the same error.
 * @throws ConfigError naming each missing or invalid setting.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): AppConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => {
        const key = String(i.path[0] ?? '');
        return `${key}: ${i.message}, got ${describeReceived(env, key)}`;
      }),
    );
  }
  const e = parsed.data;
  const problems: string[] = [];
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(cwd, p));
  const dataDir = abs(e.DATA_DIR);
  const production = e.NODE_ENV === 'production';
  const publicUrl = (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, '');

  const identityMode = e.KEYCLOAK_URL ? 'keycloak' : 'embedded';
  const chainMode = e.CHAIN_RPC_URL ? 'external' : 'embedded';

  if (production && !e.ALLOW_EMBEDDED_IN_PRODUCTION) {
    if (identityMode === 'embedded') {
      problems.push('KEYCLOAK_URL: required when NODE_ENV=production (the embedded identity provider is for development; set ALLOW_EMBEDDED_IN_PRODUCTION=true to run it anyway)');
    }
    if (chainMode === 'embedded') {
      problems.push('CHAIN_RPC_URL: required when NODE_ENV=production (the embedded anvil chain is for development; set ALLOW_EMBEDDED_IN_PRODUCTION=true to run it anyway)');
    }
  }
  if (production && !e.PUBLIC_URL) {
    problems.push('PUBLIC_URL: required when NODE_ENV=production (the external https address of this gateway)');
  }
  // Production: tokens, redirects, the realm's signing keys and relayed transactions travel over these, so they
  // must be https unless they stay on this machine (loopback).
  if (production) {
    for (const key of ['PUBLIC_URL', 'KEYCLOAK_URL', 'CHAIN_RPC_URL', 'CHAIN_PUBLIC_RPC_URL'] as const) {
      const url = e[key];
      if (url && !url.startsWith('https:') && !isLoopback(url)) {
        problems.push(`${key}: expected an https URL (or a loopback http one) when NODE_ENV=production, got ${key === 'CHAIN_RPC_URL' ? 'an http URL' : JSON.stringify(url)}`);
      }
    }
  }
  if (chainMode === 'external') {
    if (!e.CHAIN_PRIVATE_KEY) problems.push('CHAIN_PRIVATE_KEY: required with CHAIN_RPC_URL (the key the gateway relays and anchors with), got nothing');
    if (!e.CHAIN_DEPLOYMENT_FILE) problems.push('CHAIN_DEPLOYMENT_FILE: required with CHAIN_RPC_URL (written by `npm run contracts:deploy`), got nothing');
  }
  if (production && e.CHAIN_PRIVATE_KEY && WELL_KNOWN_DEV_KEYS.has(e.CHAIN_PRIVATE_KEY.toLowerCase())) {
    problems.push('CHAIN_PRIVATE_KEY: is a publicly known development key, refused when NODE_ENV=production');
  }
  if (production && e.AUDIT_ANCHOR_MODE === 'off') {
    problems.push('AUDIT_ANCHOR_MODE: off is refused when NODE_ENV=production (unanchored tree heads leave the audit log unverifiable); use batch or per-record');
  }
  if (production && e.DEMO_DATA) problems.push('DEMO_DATA: synthetic demo patients are refused when NODE_ENV=production');
  if (production && !e.STORE_MASTER_KEY) {
    problems.push('STORE_MASTER_KEY: required when NODE_ENV=production (base64url of 32 random bytes from your secret store: it seals escrow keys and keys the blind indexes), got nothing');
  }
  // anvil mines at once, so the embedded chain is polled often; hosted RPCs (Plume: ~1–2 s blocks) rate-limit.
  const pollIntervalMs = e.CONSENT_POLL_INTERVAL_MS ?? (chainMode === 'embedded' ? 500 : 2_000);
  if (e.CONSENT_MAX_STALENESS_MS <= pollIntervalMs) {
    problems.push(`CONSENT_MAX_STALENESS_MS: expected more than the poll interval (CONSENT_POLL_INTERVAL_MS, ${pollIntervalMs} ms), got ${env['CONSENT_MAX_STALENESS_MS'] === undefined ? `the default ${e.CONSENT_MAX_STALENESS_MS}` : JSON.stringify(env['CONSENT_MAX_STALENESS_MS'])}`);
  }
  let database: DatabaseConfig = { kind: 'sqlite', file: resolve(dataDir, 'gateway.sqlite') };
  if (e.DATABASE_URL) {
    const parsedUrl = parseDatabaseUrl(e.DATABASE_URL, e.DATABASE_POOL_SIZE, abs);
    if ('problem' in parsedUrl) problems.push(parsedUrl.problem);
    else database = parsedUrl.database;
    // An anchoring round holds one connection for its advisory lock while the audit log reads on another.
    if (database.kind === 'postgres' && database.poolSize < 2) {
      problems.push(`DATABASE_POOL_SIZE: expected at least 2 connections with PostgreSQL (audit anchoring holds one for its lock while reading the log on another), got ${database.poolSize}`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);

  return {
    env: e.NODE_ENV,
    production,
    http: { host: e.HOST, port: e.PORT, publicUrl, bodyLimit: e.BODY_LIMIT_BYTES },
    dataDir,
    logLevel: e.LOG_LEVEL,
    identity: {
      mode: identityMode,
      authServerUrl: (e.KEYCLOAK_URL ?? `${publicUrl}/auth`).replace(/\/+$/, ''),
      realm: e.KEYCLOAK_REALM,
      clientId: e.KEYCLOAK_CLIENT_ID,
    },
    chain: {
      mode: chainMode,
      ...(e.CHAIN_RPC_URL ? { rpcUrl: e.CHAIN_RPC_URL } : {}),
      ...(e.CHAIN_ID ? { chainId: e.CHAIN_ID } : {}),
      deploymentFile: abs(e.CHAIN_DEPLOYMENT_FILE ?? resolve(dataDir, 'chain', 'deployment.json')),
      ...(e.CHAIN_PRIVATE_KEY ? { privateKey: e.CHAIN_PRIVATE_KEY } : {}),
      ...(e.CHAIN_PUBLIC_RPC_URL ? { publicRpcUrl: e.CHAIN_PUBLIC_RPC_URL } : {}),
    },
    database,
    consent: { pollIntervalMs, maxStalenessMs: e.CONSENT_MAX_STALENESS_MS },
    demoData: e.DEMO_DATA ?? (!production && identityMode === 'embedded'),
    store: { ...(e.STORE_MASTER_KEY ? { masterKey: e.STORE_MASTER_KEY } : {}), masterKeyFile: resolve(dataDir, 'keys', 'store-master.key') },
    audit: { anchorMode: e.AUDIT_ANCHOR_MODE, anchorEveryRecords: e.AUDIT_ANCHOR_EVERY_RECORDS, anchorEverySeconds: e.AUDIT_ANCHOR_EVERY_SECONDS },
    inference: { modelsDir: abs(e.MODELS_DIR ?? resolve(findRepoRoot(), 'models')) },
  };
}
