import { JsonRpcProvider, Wallet } from 'ethers';
import { SerialNonceManager } from './serial-nonce-manager.js';

/**
 * Private key of anvil's account 0 ("test test … junk" mnemonic): the embedded chain's funded deployer and
 * relayer. Public knowledge; the config refuses it in production.
 */
export const ANVIL_ACCOUNT0_PRIVATE_KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';

/**
 * A JSON-RPC provider tuned for a fixed, known chain (stack notes, "Chain"): `staticNetwork` skips the per-call
 * network probe; `batchStallTime: 0` avoids ethers' 10 ms batching delay on every sequential call; and
 * `cacheTimeout: -1` disables the 250 ms result cache that returned stale nonces ("nonce too low").
 * @param pollingIntervalMs How often `tx.wait()` polls when a receipt is not there at once (ethers' default of
 *   4 s is tuned for L1's 12 s blocks; anvil mines instantly and L2s such as Plume within about a second).
 */
export function createProvider(url: string, chainId: number, pollingIntervalMs = 500): JsonRpcProvider {
  return new JsonRpcProvider(url, chainId, { staticNetwork: true, batchStallTime: 0, cacheTimeout: -1, pollingInterval: pollingIntervalMs });
}

/**
 * The one sender for `privateKey`: a Wallet wrapped in a {@link SerialNonceManager}, which assigns nonces locally
 * and sends one transaction at a time, so concurrent callers never collide. Create it once per key and share it.
 */
export function createSigner(privateKey: string, provider: JsonRpcProvider): SerialNonceManager {
  return new SerialNonceManager(new Wallet(privateKey, provider));
}

/**
 * Asks an RPC endpoint for its chain id with a plain JSON-RPC call (no ethers network detection, which retries
 * forever on a dead endpoint). The one raw `eth_chainId` call: external chains are checked with it, and the
 * embedded node is polled with it until it answers.
 * @param signal Aborts the call early (e.g. when the node being polled has exited).
 * @throws Error naming the URL when the endpoint does not answer in `timeoutMs` or answers nonsense.
 */
export async function fetchChainId(url: string, timeoutMs = 10_000, signal?: AbortSignal): Promise<number> {
  let body: { result?: unknown; error?: { message?: string } };
  try {
    const timeout = AbortSignal.timeout(timeoutMs);
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
    body = (await response.json()) as typeof body;
  } catch (error) {
    throw new Error(`expected a JSON-RPC answer to eth_chainId from ${redactRpcUrl(url)}, got ${(error as Error).message}`, { cause: error });
  }
  const id = typeof body.result === 'string' ? Number(body.result) : NaN;
  if (!Number.isSafeInteger(id) || id <= 0) {
    throw new Error(`expected a chain id from ${redactRpcUrl(url)}, got ${body.error?.message ?? JSON.stringify(body.result)}`);
  }
  return id;
}

/**
 * {@link fetchChainId} for the configured external chain: the same check, with errors prefixed by the setting to
 * fix, e.g. `CHAIN_RPC_URL: expected a JSON-RPC answer to eth_chainId from https://host/…, got fetch failed`.
 */
export async function fetchConfiguredChainId(rpcUrl: string): Promise<number> {
  try {
    return await fetchChainId(rpcUrl);
  } catch (error) {
    throw new Error(`CHAIN_RPC_URL: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * The part of an RPC URL that is safe to log: scheme, host and port. Hosted RPC providers put API keys in the
 * path or query, and secrets never go into logs or errors.
 */
export function redactRpcUrl(url: string): string {
  try {
    const { origin, pathname, search } = new URL(url);
    return pathname.length > 1 || search ? `${origin}/…` : origin;
  } catch {
    return 'an invalid URL';
  }
}
