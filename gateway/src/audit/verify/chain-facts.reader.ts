import { Contract, type Interface, type JsonRpcProvider, type Log } from 'ethers';
import { ConsentLogReader } from '../../consent/chain/index.js';
import type { AnchorFact, AnchorFacts } from './anchor-checks.js';
import type { ConsentFact, ConsentFacts, EmergencyFact } from './consent-checks.js';

/** Widest eth_getLogs range (hosted RPCs commonly cap it around 10k blocks). */
const LOG_RANGE = 10_000;
/** Calls in flight at once (rootAt, block headers). */
const PARALLEL = 32;

/** Where one contract is: its address, deployment block and ABI. */
export interface ContractLocation {
  readonly address: string;
  readonly fromBlock: number;
  readonly interface: Interface;
}

/** What the verifier reads from the chain itself, pinned at one block. */
export interface ChainFacts {
  readonly block: number;
  readonly anchors: AnchorFacts;
  readonly consents: ConsentFacts;
}

/**
 * Reads AuditAnchor (every TreeHeadAnchored event, `headCount()` and `rootAt(size)` from storage) and
 * ConsentRegistry (ConsentGranted, ConsentRevoked and EmergencyAccessRecorded, decoded by the consent indexer's
 * own reader, with their blocks' timestamps) up to the chain's current head.
 */
export async function readChainFacts(provider: JsonRpcProvider, auditAnchor: ContractLocation, consentRegistry: ContractLocation): Promise<ChainFacts> {
  const reader = new ConsentLogReader({ provider, ...consentRegistry }, LOG_RANGE);
  const head = await reader.head();
  const [anchors, consents] = await Promise.all([readAnchors(provider, auditAnchor, head.number), readConsents(provider, reader, consentRegistry.fromBlock, head)]);
  return { block: head.number, anchors, consents };
}

async function readAnchors(provider: JsonRpcProvider, location: ContractLocation, block: number): Promise<AnchorFacts> {
  const contract = new Contract(location.address, location.interface, provider);
  const headCount = Number(await contract.getFunction('headCount').staticCall({ blockTag: block }));
  const event = location.interface.getEvent('TreeHeadAnchored');
  if (!event) throw new Error('expected the AuditAnchor ABI to declare TreeHeadAnchored, found none');
  const logs: Log[] = [];
  for (let from = location.fromBlock; from <= block; from += LOG_RANGE) {
    logs.push(...(await provider.getLogs({ address: location.address, topics: [event.topicHash], fromBlock: from, toBlock: Math.min(block, from + LOG_RANGE - 1) })));
  }
  const heads = new Map<number, Omit<AnchorFact, 'storedRoot'>>();
  for (const log of logs) {
    if (log.removed) continue;
    const args = location.interface.parseLog(log)?.args;
    if (!args) continue;
    const index = Number(args.getValue('index'));
    heads.set(index, { index, treeSize: Number(args.getValue('treeSize')), rootHash: String(args.getValue('rootHash')), transactionHash: log.transactionHash, blockNumber: log.blockNumber });
  }
  const rootAt = contract.getFunction('rootAt');
  const list = [...heads.values()].sort((a, b) => a.index - b.index);
  const stored = await inBatches(list, (h) => rootAt.staticCall(h.treeSize, { blockTag: block }) as Promise<string>);
  return { headCount, anchors: list.map((h, i) => ({ ...h, storedRoot: stored[i]! })) };
}

async function readConsents(provider: JsonRpcProvider, reader: ConsentLogReader, fromBlock: number, head: { number: number; hash: string }): Promise<ConsentFacts> {
  const batch = await reader.read(fromBlock, head);
  const blocks = [...new Set([...batch.grants, ...batch.revocations].map((row) => Number(row.block_number)))];
  const times = new Map<number, number>();
  const headers = await inBatches(blocks, (n) => provider.getBlock(n));
  headers.forEach((header, i) => {
    if (!header) throw new Error(`expected block ${blocks[i]} from the RPC endpoint, got none`);
    times.set(blocks[i]!, header.timestamp * 1000);
  });
  const revoked = new Map(batch.revocations.map((r) => [String(r.consent_id), times.get(Number(r.block_number))!]));
  const consents = new Map<string, ConsentFact>();
  for (const g of batch.grants) {
    const id = String(g.consent_id);
    const revokedAt = revoked.get(id);
    consents.set(id, {
      consentId: id,
      grantee: String(g.grantee),
      purpose: String(g.purpose),
      notBefore: Number(g.not_before),
      notAfter: Number(g.not_after),
      grantedAt: times.get(Number(g.block_number))!,
      ...(revokedAt !== undefined ? { revokedAt } : {}),
    });
  }
  const emergencies = new Map<string, EmergencyFact>();
  for (const e of batch.emergencies) {
    emergencies.set(String(e.access_id), { accessId: String(e.access_id), consentId: String(e.consent_id), grantee: String(e.grantee), declaredAt: Number(e.declared_at) * 1000, notAfter: Number(e.not_after) });
  }
  return { consents, emergencies };
}

async function inBatches<T, U>(items: readonly T[], fn: (item: T) => Promise<U>): Promise<U[]> {
  const out: U[] = [];
  for (let i = 0; i < items.length; i += PARALLEL) out.push(...(await Promise.all(items.slice(i, i + PARALLEL).map(fn))));
  return out;
}
