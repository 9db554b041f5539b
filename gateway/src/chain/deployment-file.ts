import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';

const hex = (bytes: number) => z.string().regex(new RegExp(`^0x[0-9a-fA-F]{${bytes * 2}}$`), `expected 0x and ${bytes} hex bytes`);

const contractDeploymentSchema = z.object({
  address: hex(20),
  txHash: hex(32),
  blockNumber: z.number().int().nonnegative(),
  /** Hash of that block; reuse checks that the transaction's receipt is still there (absent in older files). */
  blockHash: hex(32).optional(),
  /** keccak256 of the runtime code found on-chain right after deployment. */
  runtimeCodeHash: hex(32),
  /** {@link codeFingerprint} of that code: what reuse and verification compare against the artifact. */
  codeFingerprint: hex(32),
  /** Build hash of the artifact deployed (SHA-256 of sources, compiler version and settings). */
  sourceHash: z.string().regex(/^[0-9a-f]{64}$/, 'expected a SHA-256 hex digest'),
  deployedAt: z.string(),
});

const deploymentSchema = z.object({
  format: z.literal(1),
  chainId: z.number().int().positive(),
  deployer: hex(20),
  compilerVersion: z.string(),
  updatedAt: z.string(),
  contracts: z.record(z.string(), contractDeploymentSchema),
});

/** Where one contract lives and what was deployed there. */
export type ContractDeployment = z.infer<typeof contractDeploymentSchema>;
/** The deployment file (`CHAIN_DEPLOYMENT_FILE`, by default `<dataDir>/chain/deployment.json`). */
export type Deployment = z.infer<typeof deploymentSchema>;

/**
 * Reads a deployment file. (Files written before the genesis hash was dropped still read: Zod strips the key. The
 * genesis hash does not identify an embedded chain, since anvil's `--state` reload may change block 0.)
 * @returns undefined when the file does not exist.
 * @throws Error `expected a deployment file at <file>, got …` naming the first problem when the file exists but is
 *   not a valid deployment file (empty, not JSON, wrong shape, unreadable).
 */
export async function readDeploymentFile(file: string): Promise<Deployment | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`expected a deployment file at ${file}, got an unreadable file: ${(error as Error).message}`, { cause: error });
  }
  if (text.trim() === '') throw new Error(`expected a deployment file at ${file}, got an empty file`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`expected a deployment file at ${file}, got invalid JSON: ${(error as Error).message}`, { cause: error });
  }
  const parsed = deploymentSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`expected a deployment file at ${file}, got a problem at ${issue?.path.join('.') || '(root)'}: ${issue?.message}`);
  }
  return parsed.data;
}

/** Writes a deployment file atomically (write, then rename), creating its directory. */
export async function writeDeploymentFile(file: string, deployment: Deployment): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const partial = `${file}.${process.pid}.tmp`;
  await writeFile(partial, `${JSON.stringify(deploymentSchema.parse(deployment), null, 2)}\n`);
  await rename(partial, file);
}
