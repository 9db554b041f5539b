import { type GatewayApi, toProblem } from '@web';
import { entryLeafHash } from '../../../gateway/src/audit/audit-entry.js';
import { type AuditItem, type ChainInfo, inclusionProof } from './audit-api.js';
import { checkInclusion, type ProofCheck } from './audit-proof.js';

/**
 * The whole check of one entry in the browser: its canonical text must hash to its leaf hash (SHA-256(0x00 || text),
 * recomputed here) and name its own position; then the leaf must be in the first anchored tree covering it, under
 * the root the chain holds (see {@link checkInclusion}). An entry after the latest anchor is `pending`.
 */
export async function checkEntry(api: GatewayApi, item: AuditItem, chain: () => Promise<ChainInfo>): Promise<ProofCheck> {
  const failed = (reason: string): ProofCheck => ({ kind: 'failed', leafIndex: item.leafIndex, reason });
  const computed = entryLeafHash(item.canonical);
  if (computed !== item.leafHash.toLowerCase()) return failed(`the entry's text hashes to ${computed}, not to its leaf hash ${item.leafHash}`);
  const seq = (JSON.parse(item.canonical) as { seq?: unknown }).seq;
  if (seq !== item.leafIndex) return failed(`the entry names position ${String(seq)}, not ${item.leafIndex}`);
  try {
    const proof = await inclusionProof(api, item.leafIndex);
    if (!proof.anchor) return { kind: 'pending', leafIndex: item.leafIndex };
    const { rpcUrl, auditAnchor } = await chain();
    if (!rpcUrl) return failed('the gateway names no public JSON-RPC URL for the chain, so the on-chain root cannot be read from here');
    return await checkInclusion({ leafIndex: item.leafIndex, leafHash: computed, treeSize: proof.treeSize, proof: proof.proof, transactionHash: proof.anchor.transactionHash }, { rpcUrl, auditAnchor });
  } catch (error) {
    return failed(`the proof could not be fetched (${toProblem(error).message})`);
  }
}
