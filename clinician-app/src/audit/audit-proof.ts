import { keccak_256 } from '@noble/hashes/sha3.js';
import { bytesToHex, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { verifyInclusion } from '../../../gateway/src/audit/merkle.js';

/**
 * Checks an audit entry's inclusion proof in the browser, trusting neither the gateway's word nor its copy of the
 * anchors: the root is read straight from the chain (`AuditAnchor.rootAt(treeSize)` by JSON-RPC `eth_call`), the
 * anchoring transaction's own `TreeHeadAnchored` log must name the same size and root, and the proof is verified
 * with the RFC 9162 §2.1.3.2 algorithm of gateway/src/audit/merkle.ts (the same code the gateway proves with).
 */

/** Where the browser reads the chain: the public JSON-RPC URL and the AuditAnchor contract (GET /audit/chain). */
export interface ChainAccess {
  readonly rpcUrl: string;
  readonly auditAnchor: string;
}

/** What is to be checked: a leaf, the anchored tree it is claimed to be in, the path and the transaction. */
export interface InclusionClaim {
  readonly leafIndex: number;
  /** Hex leaf hash (computed in the browser where the entry's text is known). */
  readonly leafHash: string;
  readonly treeSize: number;
  /** Hex hashes, leaf to root. */
  readonly proof: readonly string[];
  readonly transactionHash: string;
}

export type ProofCheck =
  | { readonly kind: 'verified'; readonly leafIndex: number; readonly treeSize: number; readonly rootHash: string; readonly transactionHash: string; readonly blockNumber: number }
  | { readonly kind: 'pending'; readonly leafIndex: number }
  | { readonly kind: 'failed'; readonly leafIndex: number; readonly reason: string };

/** The sentence a check ends in, as the views show it. */
export function proofSentence(check: ProofCheck): string {
  switch (check.kind) {
    case 'verified':
      return `Verified: leaf ${check.leafIndex} is in the tree of ${check.treeSize} entries whose root ${check.rootHash} is anchored on-chain in transaction ${check.transactionHash}`;
    case 'pending':
      return 'Not yet anchored: the next anchor will cover it';
    case 'failed':
      return `Not verified: ${check.reason}`;
  }
}

const selector = (signature: string): string => bytesToHex(keccak_256(utf8ToBytes(signature))).slice(0, 8);
/** `rootAt(uint64)` (contracts/interfaces/IAuditAnchor.sol). */
const ROOT_AT = selector('rootAt(uint64)');
/** topic0 of `TreeHeadAnchored(uint256 indexed index, uint64 treeSize, bytes32 rootHash, uint64 timestamp)`. */
const TREE_HEAD_ANCHORED = `0x${bytesToHex(keccak_256(utf8ToBytes('TreeHeadAnchored(uint256,uint64,bytes32,uint64)')))}`;

const strip = (hex: string): string => hex.replace(/^0x/i, '').toLowerCase();
const word = (n: number): string => BigInt(n).toString(16).padStart(64, '0');

class ChainUnreachable extends Error {}

async function rpc<T>(chain: ChainAccess, method: string, params: readonly unknown[]): Promise<T> {
  let body: { result?: T; error?: { message?: string } };
  try {
    const response = await fetch(chain.rpcUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }), cache: 'no-store' });
    body = (await response.json()) as typeof body;
  } catch {
    throw new ChainUnreachable(`the chain at ${chain.rpcUrl} did not answer`);
  }
  if (body.error || body.result === undefined) throw new ChainUnreachable(`the chain answered ${method} with an error: ${body.error?.message ?? 'no result'}`);
  return body.result;
}

/** `AuditAnchor.rootAt(treeSize)` read from the chain: the 0x-hex root, or null when no head of that size is anchored. */
export async function anchoredRoot(chain: ChainAccess, treeSize: number): Promise<string | null> {
  const result = await rpc<string>(chain, 'eth_call', [{ to: chain.auditAnchor, data: `0x${ROOT_AT}${word(treeSize)}` }, 'latest']);
  const root = strip(result);
  if (!/^[0-9a-f]{64}$/.test(root)) throw new ChainUnreachable(`rootAt answered ${result.slice(0, 80)}, expected 32 bytes`);
  return /^0+$/.test(root) ? null : `0x${root}`;
}

interface ReceiptLog {
  readonly address: string;
  readonly topics: readonly string[];
  readonly data: string;
}

/** The tree heads a mined transaction anchored (its TreeHeadAnchored logs from the AuditAnchor contract). */
async function anchoredBy(chain: ChainAccess, transactionHash: string): Promise<{ blockNumber: number; heads: { treeSize: number; rootHash: string }[] } | null> {
  const receipt = await rpc<{ status?: string; blockNumber: string; logs: readonly ReceiptLog[] } | null>(chain, 'eth_getTransactionReceipt', [transactionHash]);
  if (!receipt || receipt.status !== '0x1') return null;
  const heads = receipt.logs
    .filter((log) => strip(log.address) === strip(chain.auditAnchor) && log.topics[0]?.toLowerCase() === TREE_HEAD_ANCHORED)
    .map((log) => {
      const data = strip(log.data);
      return { treeSize: Number(BigInt(`0x${data.slice(0, 64)}`)), rootHash: `0x${data.slice(64, 128)}` };
    });
  return { blockNumber: Number(BigInt(receipt.blockNumber)), heads };
}

/**
 * Checks `claim` against the chain: the root anchored for its tree size, the transaction that anchored it, and the
 * inclusion proof from the leaf hash to that root. Never throws: every failure is a {@link ProofCheck} of kind
 * `failed` saying what did not hold.
 */
export async function checkInclusion(claim: InclusionClaim, chain: ChainAccess): Promise<ProofCheck> {
  const failed = (reason: string): ProofCheck => ({ kind: 'failed', leafIndex: claim.leafIndex, reason });
  try {
    const root = await anchoredRoot(chain, claim.treeSize);
    if (root === null) return failed(`no root is anchored on-chain for a tree of ${claim.treeSize} entries`);
    const mined = await anchoredBy(chain, claim.transactionHash);
    if (!mined || !mined.heads.some((h) => h.treeSize === claim.treeSize && h.rootHash === root)) {
      return failed(`transaction ${claim.transactionHash} does not anchor the root of ${claim.treeSize} entries`);
    }
    const ok = verifyInclusion(hexToBytes(strip(claim.leafHash)), claim.leafIndex, claim.treeSize, claim.proof.map((h) => hexToBytes(strip(h))), hexToBytes(strip(root)));
    if (!ok) return failed('the proof does not lead to the on-chain root');
    return { kind: 'verified', leafIndex: claim.leafIndex, treeSize: claim.treeSize, rootHash: root, transactionHash: claim.transactionHash, blockNumber: mined.blockNumber };
  } catch (error) {
    return failed(error instanceof ChainUnreachable ? error.message : `the proof could not be read (${(error as Error).message})`);
  }
}
