import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Interface } from 'ethers';
import { createProvider, readDeploymentFile, SolidityCompiler } from '../../chain/index.js';
import { readChainFacts } from './chain-facts.reader.js';
import { embeddedAuditorToken, embeddedRpcUrl } from './embedded-defaults.js';
import { readEntriesFromDatabase, readEntriesFromGateway, SourceError } from './log-readers.js';
import { modelFileHashes } from './model-files.source.js';
import type { AuditEntry } from '../audit-entry.js';
import type { PositionedEntry, ServedEntry } from './entry-chain.js';
import { modelsNamed } from './model-checks.js';
import { parseVerifyOptions, USAGE, UsageError, type VerifyOptions } from './verify-options.js';
import { formatReport, jsonReport, verifyAuditLog, type VerifyReport } from './verify-log.js';

/** Where the command writes. */
export interface VerifyOutput {
  out(line: string): void;
  err(line: string): void;
}

const SILENT = { log: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * `npm run audit:verify` (issue 6 §5): reads the log (regulator API or database), the chain (its own RPC
 * connection: anchors, consents, emergencies) and the model files, runs the checks and prints one line per
 * discrepancy and a summary.
 * @returns 0 on pass, 1 on discrepancies, 2 on a usage or connection error (a message, no stack trace).
 */
export async function runVerifyCommand(argv: readonly string[], env: NodeJS.ProcessEnv, output: VerifyOutput): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    output.out(USAGE);
    return 0;
  }
  let options: VerifyOptions;
  try {
    options = parseVerifyOptions(argv, env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    output.err(`audit:verify: ${error.message}\n${USAGE}`);
    return 2;
  }
  try {
    const report = await verify(options);
    if (options.json) output.out(jsonReport(report));
    else for (const line of formatReport(report)) output.out(line);
    return report.ok ? 0 : 1;
  } catch (error) {
    const e = error as Error & { shortMessage?: string };
    output.err(`audit:verify: ${e instanceof SourceError ? e.message : (e.shortMessage ?? e.message)}`);
    return 2;
  }
}

async function verify(options: VerifyOptions): Promise<VerifyReport> {
  const deployment = await readDeploymentFile(options.deployment).catch((error: Error) => {
    throw new SourceError(`--deployment: ${error.message}`);
  });
  if (!deployment) throw new SourceError(`--deployment: expected a deployment file at ${options.deployment} (the gateway writes it in embedded mode; npm run contracts:deploy for an external chain), found none`);
  const contracts = { AuditAnchor: deployment.contracts['AuditAnchor'], ConsentRegistry: deployment.contracts['ConsentRegistry'] };
  if (!contracts.AuditAnchor || !contracts.ConsentRegistry) throw new SourceError(`--deployment: expected AuditAnchor and ConsentRegistry in ${options.deployment}, got ${Object.keys(deployment.contracts).join(', ')}`);

  const rpc = options.rpc ?? (await embeddedRpcUrl(options.dataDir));
  const provider = createProvider(rpc, deployment.chainId);
  try {
    const chainId = await provider.send('eth_chainId', []).then(Number, (error: Error & { shortMessage?: string }) => {
      throw new SourceError(`--rpc: expected a JSON-RPC answer from ${new URL(rpc).origin}, got ${error.shortMessage ?? error.message}`);
    });
    if (chainId !== deployment.chainId) throw new SourceError(`--rpc: expected chain ${deployment.chainId} (from ${options.deployment}), the endpoint serves chain ${chainId}`);

    // The ABIs, compiled from contracts/ (cached beside the deployment file when the gateway compiled them there).
    const cached = join(dirname(options.deployment), 'artifacts');
    const compilation = await new SolidityCompiler({ cacheDir: existsSync(cached) ? cached : join(tmpdir(), 'fhir-gateway-verify-artifacts'), logger: SILENT }).compile();
    const abi = (name: string) => new Interface(compilation.contracts[name]!.abi);

    const entriesRead = options.database !== undefined ? readEntriesFromDatabase(options.database) : readEntriesFromGateway(options.gateway, options.token ?? (await embeddedAuditorToken(options.dataDir)));
    const [entries, chain] = await Promise.all([
      entriesRead,
      readChainFacts(
        provider,
        { address: contracts.AuditAnchor.address, fromBlock: contracts.AuditAnchor.blockNumber, interface: abi('AuditAnchor') },
        { address: contracts.ConsentRegistry.address, fromBlock: contracts.ConsentRegistry.blockNumber, interface: abi('ConsentRegistry') },
      ),
    ]);
    const models = await modelFileHashes(options.models, modelsNamed(inferences(entries)));
    return verifyAuditLog({ entries, anchors: chain.anchors, consents: chain.consents, models: [models], clockSkewMs: options.clockSkewMs });
  } finally {
    provider.destroy();
  }
}

/** The entries that name a model, parsed (the rest are not parsed twice). */
function inferences(entries: readonly ServedEntry[]): PositionedEntry[] {
  const out: PositionedEntry[] = [];
  entries.forEach((e, position) => {
    if (!e.canonical.includes('"model":')) return;
    try {
      out.push({ position, entry: JSON.parse(e.canonical) as AuditEntry });
    } catch {
      // Not JSON: the chain check reports it.
    }
  });
  return out;
}
