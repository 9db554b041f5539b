import { z } from 'zod';

const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'expected true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const httpUrl = z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' });

const PORT_RANGE = 'expected a port number from 1 to 65535';
const MILLISECONDS = 'expected a whole number of milliseconds';
const POOL_RANGE = 'expected a number of connections from 1 to 200';
const RECORDS = 'expected a whole number of records from 1 to 1000000';
const SECONDS = 'expected a whole number of seconds from 1 to 86400';

/**
 * The environment variables the gateway reads, each validated at boot.
 * Every key here is documented in the README's configuration table; keep them in step.
 */
export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production'], { error: 'expected development, test or production' }).default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number({ error: 'expected a port number' }).int(PORT_RANGE).min(1, PORT_RANGE).max(65535, PORT_RANGE).default(8080),
  PUBLIC_URL: httpUrl.optional(),
  DATA_DIR: z.string().min(1).default('var'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { error: 'expected fatal, error, warn, info, debug, trace or silent' }).default('info'),
  BODY_LIMIT_BYTES: z.coerce.number({ error: 'expected a number of bytes' }).int().min(1024).max(64 * 1024 * 1024).default(1024 * 1024),
  KEYCLOAK_URL: httpUrl.optional(),
  KEYCLOAK_REALM: z.string().regex(/^[A-Za-z0-9._-]+$/, 'expected a realm name').default('fhir-gateway'),
  KEYCLOAK_CLIENT_ID: z.string().min(1).default('fhir-gateway'),
  CHAIN_RPC_URL: httpUrl.optional(),
  CHAIN_ID: z.coerce.number({ error: 'expected a chain id' }).int().positive().optional(),
  CHAIN_DEPLOYMENT_FILE: z.string().min(1).optional(),
  /** The chain's RPC URL as browsers reach it (the auditor's view checks proofs against it); default: the embedded anvil's. */
  CHAIN_PUBLIC_RPC_URL: httpUrl.optional(),
  CHAIN_PRIVATE_KEY: z.string().regex(/^0x[0-9a-fA-F]{64}$/, 'expected a 0x-prefixed 32-byte hex private key').optional(),
  DATABASE_URL: z.string().min(1).optional(),
  STORE_MASTER_KEY: z.string().regex(/^[A-Za-z0-9_-]{43}=?$/, 'expected base64url of 32 random bytes').optional(),
  DATABASE_POOL_SIZE: z.coerce.number({ error: 'expected a number of connections' }).int(POOL_RANGE).min(1, POOL_RANGE).max(200, POOL_RANGE).default(10),
  /** Default depends on the chain (see loadConfig); at least 50 ms, so polls never hammer the RPC endpoint. */
  CONSENT_POLL_INTERVAL_MS: z.coerce.number({ error: MILLISECONDS }).int(MILLISECONDS).min(50, 'expected at least 50 milliseconds').optional(),
  CONSENT_MAX_STALENESS_MS: z.coerce.number({ error: MILLISECONDS }).int(MILLISECONDS).positive(MILLISECONDS).default(30_000),
  /** How the audit log's tree heads are anchored on AuditAnchor (design.md §2.4); `off` is refused in production. */
  AUDIT_ANCHOR_MODE: z.enum(['batch', 'per-record', 'off'], { error: 'expected batch, per-record or off' }).default('batch'),
  /** Batch mode: anchor once this many entries are unanchored (M). */
  AUDIT_ANCHOR_EVERY_RECORDS: z.coerce.number({ error: RECORDS }).int(RECORDS).min(1, RECORDS).max(1_000_000, RECORDS).default(1000),
  /** Batch mode: anchor when this many seconds passed with anything unanchored (N). */
  AUDIT_ANCHOR_EVERY_SECONDS: z.coerce.number({ error: SECONDS }).int(SECONDS).min(1, SECONDS).max(86_400, SECONDS).default(30),
  /** The model folders (`<id>/<version>/`); default: the repository's `models/`. */
  MODELS_DIR: z.string().min(1).optional(),
  DEMO_DATA: booleanFlag.optional(),
  ALLOW_EMBEDDED_IN_PRODUCTION: booleanFlag.default(false),
});

export type Env = z.infer<typeof envSchema>;
