import { join, resolve } from 'node:path';

/** The verifier's options, with the embedded mode's defaults filled in. */
export interface VerifyOptions {
  /** Read the log through GET /audit/entries here (unless `database` is set). */
  readonly gateway: string;
  /** Auditor bearer token; without it, the embedded mode's demo auditor logs in. */
  readonly token?: string;
  /** Read `audit_entry` directly: `postgres://…`, `sqlite:<path>` or a SQLite file. */
  readonly database?: string;
  /** JSON-RPC endpoint; without it, the embedded anvil of `dataDir`. */
  readonly rpc?: string;
  readonly deployment: string;
  readonly models: string;
  readonly json: boolean;
  readonly clockSkewMs: number;
  /** Where the embedded mode keeps its files (DATA_DIR, default `var`). */
  readonly dataDir: string;
}

/** A bad command line: exit code 2 with the usage. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const USAGE = `usage: npm run audit:verify -- [options]
  --gateway <url>         read the log through GET /audit/entries (default http://127.0.0.1:8080)
  --token <jwt>           auditor bearer token (default: env AUDIT_TOKEN, else the embedded demo auditor)
  --database <db>         read audit_entry directly: postgres://…, sqlite:<path> or a SQLite file
  --rpc <url>             chain JSON-RPC endpoint (default: env CHAIN_RPC_URL, else the embedded anvil)
  --deployment <file>     contract addresses (default: env CHAIN_DEPLOYMENT_FILE, else <DATA_DIR>/chain/deployment.json)
  --models <dir>          model files, <dir>/<id>/<version>/model.onnx (default models/)
  --clock-skew-ms <ms>    tolerance on consent time bounds (default 2000)
  --json                  print a machine-readable report
Exit codes: 0 pass, 1 discrepancies, 2 usage or connection error.`;

const VALUED = new Set(['gateway', 'token', 'database', 'rpc', 'deployment', 'models', 'clock-skew-ms']);

/**
 * Parses `argv` (`--name value` or `--name=value`) over the environment's defaults.
 * @throws UsageError naming the option and what was expected.
 */
export function parseVerifyOptions(argv: readonly string[], env: NodeJS.ProcessEnv, cwd = process.cwd()): VerifyOptions {
  const given = new Map<string, string>();
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const match = /^--([a-z-]+)(?:=(.*))?$/s.exec(arg);
    if (!match) throw new UsageError(`expected an option such as --gateway, got ${JSON.stringify(arg)}`);
    const [, name, inline] = match as unknown as [string, string, string | undefined];
    if (name === 'json') {
      if (inline !== undefined) throw new UsageError('--json: expected no value');
      json = true;
    } else if (VALUED.has(name)) {
      const value = inline ?? argv[++i];
      if (value === undefined || value === '' || (inline === undefined && value.startsWith('--'))) throw new UsageError(`--${name}: expected a value, got none`);
      given.set(name, value);
    } else {
      throw new UsageError(`unknown option --${name}`);
    }
  }
  const dataDir = resolve(cwd, env['DATA_DIR'] || 'var');
  const skewText = given.get('clock-skew-ms') ?? '2000';
  if (!/^\d+$/.test(skewText) || !Number.isSafeInteger(Number(skewText))) throw new UsageError(`--clock-skew-ms: expected a whole number of milliseconds, got ${JSON.stringify(skewText)}`);
  const gateway = given.get('gateway') ?? 'http://127.0.0.1:8080';
  if (!URL.canParse(gateway) || !/^https?:$/.test(new URL(gateway).protocol)) throw new UsageError(`--gateway: expected an http(s) URL, got ${JSON.stringify(gateway)}`);
  const rpc = given.get('rpc') ?? env['CHAIN_RPC_URL'];
  if (rpc !== undefined && (!URL.canParse(rpc) || !/^(https?|wss?):$/.test(new URL(rpc).protocol))) throw new UsageError(`--rpc: expected an http(s) or ws(s) URL, got a value that is not one`);
  const token = given.get('token') ?? env['AUDIT_TOKEN'];
  const database = given.get('database');
  return {
    gateway,
    ...(token ? { token } : {}),
    ...(database !== undefined ? { database } : {}),
    ...(rpc ? { rpc } : {}),
    deployment: resolve(cwd, given.get('deployment') ?? env['CHAIN_DEPLOYMENT_FILE'] ?? join(dataDir, 'chain', 'deployment.json')),
    models: resolve(cwd, given.get('models') ?? 'models'),
    json,
    clockSkewMs: Number(skewText),
    dataDir,
  };
}
