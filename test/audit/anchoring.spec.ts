import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { hexToBytes } from '@noble/hashes/utils.js';
import { Contract, type JsonRpcProvider } from 'ethers';
import type { Client } from 'fhir-kit-client';
import type { Kysely } from 'kysely';
import { AuditAnchorer } from '../../gateway/src/audit/anchoring/index.js';
import { entryLeafHash, GENESIS_PREV } from '../../gateway/src/audit/audit-entry.js';
import { AuditLog } from '../../gateway/src/audit/audit-log.js';
import { type Hash, rootOf, verifyInclusion } from '../../gateway/src/audit/merkle.js';
import { ANVIL_ACCOUNT0_PRIVATE_KEY, type AuditAnchorContract, ChainService, ContractDeployer, createProvider, readAnchoredTreeHeads } from '../../gateway/src/chain/index.js';
import { createLogger } from '../../gateway/src/common/index.js';
import { type DatabaseSchema, DatabaseService } from '../../gateway/src/store/index.js';
import { type ChainFixture, startChainFixture } from '../support/chain-fixture.js';
import { fhirClient } from '../support/fhir.js';
import { type StartedGateway, startGateway } from '../support/gateway.js';
import { hospitalAccessToken } from '../support/oidc.js';
import { freePort } from '../support/ports.js';
import { createTestDatabase, describePostgres, type TestDatabase } from '../support/postgres.js';

/** One head as the chain holds it (from its TreeHeadAnchored logs), with its transaction's gas and status. */
interface ChainHead {
  readonly index: number;
  readonly treeSize: number;
  readonly rootHash: string;
  readonly txHash: string;
  readonly blockNumber: number;
  readonly anchoredAt: number;
}

/** What the chain says, read through a provider of the test's own (not the gateway's). */
class ChainView {
  readonly contract: AuditAnchorContract;
  readonly fromBlock: number;

  constructor(
    readonly provider: JsonRpcProvider,
    chain: ChainService,
  ) {
    const entry = chain.deployment.contracts['AuditAnchor']!;
    this.contract = new Contract(entry.address, chain.compilation.contracts['AuditAnchor']!.abi, provider) as AuditAnchorContract;
    this.fromBlock = entry.blockNumber;
  }

  /** Every anchored head, oldest first. */
  async heads(): Promise<ChainHead[]> {
    const heads = await readAnchoredTreeHeads(this.contract, this.provider, { limit: 1000, fromBlock: this.fromBlock });
    return heads.reverse().map((h) => ({ index: h.index, treeSize: Number(h.treeSize), rootHash: h.rootHash, txHash: h.txHash, blockNumber: h.blockNumber, anchoredAt: h.timestamp * 1000 }));
  }

  async latestSize(): Promise<number> {
    return Number((await this.contract.latestHead()).treeSize);
  }

  /** `latestHead()` as [size, 0x-root]. */
  async latestHead(): Promise<[number, string]> {
    const head = await this.contract.latestHead();
    return [Number(head.treeSize), head.rootHash];
  }

  /** Every transaction ever sent to AuditAnchor after its deployment: its status and gas. */
  async anchorTransactions(): Promise<{ hash: string; status: number; gasUsed: number }[]> {
    const address = (await this.contract.getAddress()).toLowerCase();
    const latest = await this.provider.getBlockNumber();
    const found: { hash: string; status: number; gasUsed: number }[] = [];
    for (let n = this.fromBlock + 1; n <= latest; n += 1) {
      const block = await this.provider.getBlock(n, true);
      for (const tx of block!.prefetchedTransactions) {
        if (tx.to?.toLowerCase() !== address) continue;
        const receipt = (await this.provider.getTransactionReceipt(tx.hash))!;
        found.push({ hash: tx.hash, status: receipt.status!, gasUsed: Number(receipt.gasUsed) });
      }
    }
    return found;
  }
}

/** The log's leaves, recomputed from the stored canonical entries (never from the leaf_hash column). */
async function recomputedLeaves(db: Kysely<DatabaseSchema>): Promise<Hash[]> {
  const rows = await db.selectFrom('audit_entry').select(['leaf_index', 'entry']).orderBy('leaf_index').execute();
  rows.forEach((row, i) => expect(Number(row.leaf_index)).toBe(i));
  return rows.map((row) => hexToBytes(entryLeafHash(row.entry)));
}

const hex = (hash: Hash) => `0x${Buffer.from(hash).toString('hex')}`;

/** audit_anchor as stored, in the ChainHead shape. */
async function recordedAnchors(db: Kysely<DatabaseSchema>): Promise<ChainHead[]> {
  const rows = await db.selectFrom('audit_anchor').selectAll().orderBy('anchor_index').execute();
  return rows.map((r) => ({ index: Number(r.anchor_index), treeSize: Number(r.tree_size), rootHash: r.root_hash, txHash: r.tx_hash, blockNumber: Number(r.block_number), anchoredAt: Number(r.anchored_at) }));
}

/** Checks everything that must hold between the chain's heads, the stored anchors and the stored log. */
async function expectConsistent(db: Kysely<DatabaseSchema>, chain: ChainView): Promise<ChainHead[]> {
  const heads = await chain.heads();
  const leaves = await recomputedLeaves(db);
  expect(heads.map((h) => h.index)).toEqual(heads.map((_, i) => i));
  for (let i = 1; i < heads.length; i += 1) expect(heads[i]!.treeSize).toBeGreaterThan(heads[i - 1]!.treeSize);
  for (const head of heads) expect(head.rootHash).toBe(hex(rootOf(leaves, head.treeSize)));
  expect(await recordedAnchors(db)).toEqual(heads);
  const transactions = await chain.anchorTransactions();
  expect(transactions.map((t) => t.status)).toEqual(heads.map(() => 1));
  expect(transactions.map((t) => t.hash)).toEqual(heads.map((h) => h.txHash));
  gasSeen.push(...transactions.map((t) => t.gasUsed));
  return heads;
}

/** Anchor gas per transaction seen across the suite (reported once at the end). */
const gasSeen: number[] = [];
afterAll(() => {
  if (gasSeen.length > 0) console.log(`anchor gasUsed per transaction: ${[...new Set(gasSeen)].sort((a, b) => a - b).join(', ')} (${gasSeen.length} transactions)`);
});

/** Polls `probe` until it returns true (these waits end on an event, never on a timing bound). */
async function until(probe: () => Promise<boolean> | boolean, what: string, limitMs = 45_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A gateway with the handles these tests use. */
interface Harness {
  readonly gateway: StartedGateway;
  readonly db: Kysely<DatabaseSchema>;
  readonly log: AuditLog;
  readonly anchorer: AuditAnchorer;
  readonly chain: ChainView;
  readonly hospital: Client;
}

async function harness(gateway: StartedGateway, rpcUrl?: string): Promise<Harness> {
  const service = gateway.app.get(ChainService);
  const provider = createProvider(rpcUrl ?? service.anvil!.url, service.chainId);
  return {
    gateway,
    db: gateway.app.get(DatabaseService).db,
    log: gateway.app.get(AuditLog),
    anchorer: gateway.app.get(AuditAnchorer),
    chain: new ChainView(provider, service),
    hospital: fhirClient(gateway.baseUrl, await hospitalAccessToken(gateway)),
  };
}

async function close(h: Harness | undefined): Promise<void> {
  h?.chain.provider.destroy();
  await h?.gateway.close();
}

/** A hospital system's custodial write of one patient (needs no consent, hence no fresh chain view). */
const admit = (h: Harness, id: string) => h.hospital.update({ resourceType: 'Patient', id, body: { resourceType: 'Patient', id, gender: 'unknown' } });
/** A hospital system's custodial read: one access decision, one audit entry. */
const readPatient = (h: Harness, id: string) => h.hospital.read({ resourceType: 'Patient', id });

/** Makes one access, waits until the anchoring it triggered is done, and returns how many commits and entries it made. */
async function accessAndSettle(h: Harness, commits: number[], access: () => Promise<unknown>): Promise<{ commits: number; size: number }> {
  const before = commits.length;
  await access();
  await h.anchorer.idle();
  return { commits: commits.length - before, size: (await h.log.merkleTree()).size };
}

describe('anchoring the audit log on AuditAnchor (SQLite, embedded anvil)', () => {
  describe('in batch mode by records (M = 5)', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await harness(await startGateway({ AUDIT_ANCHOR_MODE: 'batch', AUDIT_ANCHOR_EVERY_RECORDS: '5', AUDIT_ANCHOR_EVERY_SECONDS: '3600' }));
    });
    afterAll(() => close(h));

    it('anchors a head each time five entries are unanchored, at exactly those sizes, with roots recomputed from the stored entries', async () => {
      const commits: number[] = [];
      h.log.onCommitted((size) => commits.push(size));
      await admit(h, 'pat-anchor-1');
      await h.anchorer.idle();
      const expected: number[] = [];
      let anchored = 0;
      const check = (size: number) => {
        if (size - anchored >= 5) expected.push((anchored = size));
      };
      check((await h.log.merkleTree()).size);
      for (let i = 0; i < 13; i += 1) {
        const step = await accessAndSettle(h, commits, () => readPatient(h, 'pat-anchor-1'));
        expect(step.commits).toBe(1);
        check(step.size);
      }
      const heads = await expectConsistent(h.db, h.chain);
      expect(heads.map((head) => head.treeSize)).toEqual(expected);
      expect(expected.length).toBeGreaterThanOrEqual(2);
      // The entries after the last head are fewer than M, so they wait (for N seconds, or M entries).
      expect((await h.log.merkleTree()).size - expected.at(-1)!).toBeLessThan(5);
    });

    it('anchors the rest on demand and then answers that nothing is new', async () => {
      const size = (await h.log.merkleTree()).size;
      const anchor = await h.anchorer.anchorNow();
      expect(anchor).toEqual({
        index: expect.any(Number),
        treeSize: size,
        rootHash: hex(rootOf(await recomputedLeaves(h.db))),
        transactionHash: expect.stringMatching(/^0x[0-9a-f]{64}$/),
        blockNumber: expect.any(Number),
        anchoredAt: expect.any(String),
      });
      expect(await h.anchorer.anchorNow()).toBeUndefined();
      const metrics = await (await fetch(`${h.gateway.baseUrl}/metrics`)).text();
      expect(metrics).toMatch(new RegExp(`^audit_log_entries\\{service="fhir-gateway"\\} ${size}$`, 'm'));
      expect(metrics).toMatch(new RegExp(`^audit_log_anchored_entries\\{service="fhir-gateway"\\} ${size}$`, 'm'));
      expect(metrics).toMatch(/^audit_anchor_failures_total\{service="fhir-gateway"\} 0$/m);
      const heads = await expectConsistent(h.db, h.chain);
      expect(heads.at(-1)).toEqual({ index: anchor!.index, treeSize: size, rootHash: anchor!.rootHash, txHash: anchor!.transactionHash, blockNumber: anchor!.blockNumber, anchoredAt: Date.parse(anchor!.anchoredAt) });
    });
  });

  describe('in batch mode by time (N = 1 s)', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await harness(await startGateway({ AUDIT_ANCHOR_MODE: 'batch', AUDIT_ANCHOR_EVERY_RECORDS: '100000', AUDIT_ANCHOR_EVERY_SECONDS: '1' }));
    });
    afterAll(() => close(h));

    it('anchors a head covering every entry once the interval passes, though far fewer than M are unanchored', async () => {
      await admit(h, 'pat-anchor-2');
      for (let i = 0; i < 3; i += 1) await readPatient(h, 'pat-anchor-2');
      const size = (await h.log.merkleTree()).size;
      expect(size).toBeGreaterThanOrEqual(4);
      await until(async () => (await h.chain.latestSize()) === size, `a head of size ${size}`);
      const heads = await expectConsistent(h.db, h.chain);
      expect(heads.at(-1)!.treeSize).toBe(size);
    });
  });

  describe('in per-record mode', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await harness(await startGateway({ AUDIT_ANCHOR_MODE: 'per-record', AUDIT_ANCHOR_EVERY_SECONDS: '3600' }));
    });
    afterAll(() => close(h));

    it("anchors each access's entries as soon as they are committed, with strictly growing sizes", async () => {
      const commits: number[] = [];
      h.log.onCommitted((size) => commits.push(size));
      const admitted = await accessAndSettle(h, commits, () => admit(h, 'pat-anchor-3'));
      expect(await h.chain.latestSize()).toBe(admitted.size);
      const sizes: number[] = [];
      for (let i = 0; i < 6; i += 1) {
        const step = await accessAndSettle(h, commits, () => readPatient(h, 'pat-anchor-3'));
        expect(step.commits).toBe(1);
        expect(await h.chain.latestSize()).toBe(step.size);
        sizes.push(step.size);
      }
      const heads = await expectConsistent(h.db, h.chain);
      expect(heads.filter((head) => head.treeSize > admitted.size).map((head) => head.treeSize)).toEqual(sizes);
    });

    it("gives every entry a receipt whose inclusion proof verifies against the chain's root for the anchored size", async () => {
      const leaves = await recomputedLeaves(h.db);
      for (let leafIndex = 0; leafIndex < leaves.length; leafIndex += 1) {
        const receipt = (await h.log.receiptOf(leafIndex))!;
        expect(receipt.leafHash).toBe(Buffer.from(leaves[leafIndex]!).toString('hex'));
        expect(receipt.anchor!.treeSize).toBeGreaterThan(leafIndex);
        const onChainRoot = await h.chain.contract.rootAt(receipt.anchor!.treeSize);
        expect(onChainRoot).toBe(receipt.anchor!.rootHash);
        const proof = receipt.inclusionProof!.map((p) => hexToBytes(p));
        expect(verifyInclusion(leaves[leafIndex]!, leafIndex, receipt.anchor!.treeSize, proof, hexToBytes(onChainRoot.slice(2)))).toBe(true);
      }
    });
  });
});

/** Collects what the gateway logs (pino JSON lines). */
class MemoryLog extends Writable {
  lines: { level: number; msg: string; attempt?: number }[] = [];
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    for (const line of chunk.toString().split('\n')) if (line.trim()) this.lines.push(JSON.parse(line) as MemoryLog['lines'][number]);
    done();
  }
}

/**
 * A JSON-RPC proxy between the gateway and anvil that can be switched off: then it refuses connections (the
 * listening socket closes and open ones are destroyed), like a chain node that went down.
 */
class SwitchableProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  constructor(
    private readonly port: number,
    private readonly target: string,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async up(): Promise<void> {
    const server = createServer((req, res) => void this.forward(req, res));
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(this.port, '127.0.0.1', resolve));
    this.server = server;
  }

  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  private async forward(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    try {
      const answer = await fetch(this.target, { method: 'POST', headers: { 'content-type': 'application/json' }, body: Buffer.concat(chunks) });
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(Buffer.from(await answer.arrayBuffer()));
    } catch {
      res.destroy();
    }
  }
}

/** A fixture anvil with this build's contracts deployed and a deployment file for external-mode gateways. */
async function deployedChain(): Promise<{ fixture: ChainFixture; deploymentFile: string }> {
  const fixture = await startChainFixture();
  const deploymentFile = join(fixture.dataDir, 'deployment.json');
  await new ContractDeployer({ provider: fixture.provider, signer: fixture.admin, compilation: fixture.compilation, logger: fixture.logger }).ensureDeployed(deploymentFile);
  return { fixture, deploymentFile };
}

describe('anchoring while the chain is down (external chain behind a proxy, SQLite)', () => {
  let fixture: ChainFixture;
  let proxy: SwitchableProxy;
  let h: Harness;
  const log = new MemoryLog();

  beforeAll(async () => {
    const chain = await deployedChain();
    fixture = chain.fixture;
    proxy = new SwitchableProxy(await freePort(), fixture.anvil.url);
    await proxy.up();
    const env = { CHAIN_RPC_URL: proxy.url, CHAIN_PRIVATE_KEY: ANVIL_ACCOUNT0_PRIVATE_KEY, CHAIN_DEPLOYMENT_FILE: chain.deploymentFile, AUDIT_ANCHOR_MODE: 'per-record', AUDIT_ANCHOR_EVERY_SECONDS: '3600', LOG_LEVEL: 'warn' };
    h = await harness(await startGateway(env, { logger: createLogger('warn', log) }), fixture.anvil.url);
  });
  afterAll(async () => {
    await proxy?.up().catch(() => undefined);
    await close(h);
    await proxy?.down();
    await fixture?.close();
  });

  it('keeps serving and logging while the chain is unreachable, then anchors everything once, with no size twice and no gap', async () => {
    await admit(h, 'pat-anchor-4');
    await h.anchorer.idle();
    const before = await h.chain.latestSize();
    expect(before).toBe((await h.log.merkleTree()).size);

    await proxy.down();
    // Custodial reads need no fresh consent view, so they do not depend on the chain; their entries are durable locally.
    for (let i = 0; i < 5; i += 1) expect(((await readPatient(h, 'pat-anchor-4')) as unknown as { id: string }).id).toBe('pat-anchor-4');
    const failed = () => log.lines.filter((l) => l.msg.startsWith("could not anchor the audit log's tree head"));
    await until(() => failed().length >= 2, 'two failed anchoring attempts');
    for (let i = 0; i < 3; i += 1) await readPatient(h, 'pat-anchor-4');
    const size = (await h.log.merkleTree()).size;
    expect(size).toBe(before + 8);
    expect(await h.chain.latestSize()).toBe(before);
    expect(failed().map((l) => l.attempt)).toEqual(failed().map((_, i) => i + 1));

    await proxy.up();
    await until(async () => (await h.chain.latestSize()) === size, `a head of size ${size} after the chain came back`);
    await h.anchorer.idle();
    const heads = await expectConsistent(h.db, h.chain);
    // One head covers everything that accumulated while the chain was down.
    expect(heads.filter((head) => head.treeSize > before).map((head) => head.treeSize)).toEqual([size]);
    expect(Number(await h.chain.contract.headCount())).toBe(new Set(heads.map((head) => head.treeSize)).size);
    const metrics = await (await fetch(`${h.gateway.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(new RegExp(`^audit_anchor_failures_total\\{service="fhir-gateway"\\} ${failed().length}$`, 'm'));
  });
});

describe('anchoring at shutdown (external chain, SQLite)', () => {
  let fixture: ChainFixture;
  beforeAll(async () => {
    fixture = (await deployedChain()).fixture;
  });
  afterAll(() => fixture?.close());

  it('anchors the entries still unanchored when the gateway stops, before the chain connection closes', async () => {
    const deploymentFile = join(fixture.dataDir, 'deployment.json');
    const env = { CHAIN_RPC_URL: fixture.anvil.url, CHAIN_PRIVATE_KEY: ANVIL_ACCOUNT0_PRIVATE_KEY, CHAIN_DEPLOYMENT_FILE: deploymentFile, AUDIT_ANCHOR_MODE: 'batch', AUDIT_ANCHOR_EVERY_RECORDS: '1000', AUDIT_ANCHOR_EVERY_SECONDS: '3600' };
    const h = await harness(await startGateway(env), fixture.anvil.url);
    let closed = false;
    try {
      await admit(h, 'pat-anchor-6');
      for (let i = 0; i < 3; i += 1) await readPatient(h, 'pat-anchor-6');
      const leaves = await recomputedLeaves(h.db);
      expect(await h.chain.latestSize()).toBe(0);
      await h.gateway.close();
      closed = true;
      expect(await h.chain.latestHead()).toEqual([leaves.length, hex(rootOf(leaves))]);
    } finally {
      if (!closed) await h.gateway.close();
      h.chain.provider.destroy();
    }
  });
});

describePostgres('two gateway instances anchoring one PostgreSQL log on one chain', () => {
  let fixture: ChainFixture;
  let database: TestDatabase;
  let dataDir: string;
  const instances: Harness[] = [];

  beforeAll(async () => {
    const chain = await deployedChain();
    fixture = chain.fixture;
    database = await createTestDatabase();
    // One DATA_DIR (realm keys, demo accounts) and one store master key, as instances behind one load balancer share.
    dataDir = mkdtempSync(join(tmpdir(), 'fhir-gateway-anchoring-'));
    const env = {
      DATABASE_URL: database.url,
      STORE_MASTER_KEY: Buffer.alloc(32, 7).toString('base64url'),
      CHAIN_RPC_URL: fixture.anvil.url,
      CHAIN_PRIVATE_KEY: ANVIL_ACCOUNT0_PRIVATE_KEY,
      CHAIN_DEPLOYMENT_FILE: chain.deploymentFile,
      AUDIT_ANCHOR_MODE: 'batch',
      AUDIT_ANCHOR_EVERY_RECORDS: '3',
      AUDIT_ANCHOR_EVERY_SECONDS: '3600',
    };
    for (let i = 0; i < 2; i += 1) instances.push(await harness(await startGateway(env, { dataDir }), fixture.anvil.url));
  });
  afterAll(async () => {
    for (const h of instances) await close(h);
    await database?.drop();
    await fixture?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps one gap-free log of both instances, anchored by one instance at a time: every anchoring transaction succeeds and every root matches', async () => {
    const [first, second] = instances as [Harness, Harness];
    await admit(first, 'pat-anchor-5');
    const reads = (h: Harness) => Promise.all(Array.from({ length: 4 }, async () => {
      for (let i = 0; i < 6; i += 1) await readPatient(h, 'pat-anchor-5');
    }));
    await Promise.all([reads(first), reads(second)]);
    await Promise.all([first.anchorer.idle(), second.anchorer.idle()]);
    await first.anchorer.anchorNow();

    const rows = await first.db.selectFrom('audit_entry').select(['leaf_index', 'entry', 'actor']).orderBy('leaf_index').execute();
    let prev = GENESIS_PREV;
    rows.forEach((row, i) => {
      expect([Number(row.leaf_index), (JSON.parse(row.entry) as { seq: number; prev: string }).seq, (JSON.parse(row.entry) as { prev: string }).prev]).toEqual([i, i, prev]);
      prev = entryLeafHash(row.entry);
    });
    // The hospital client is a different actor on each instance (its issuer differs): both instances' reads are in.
    const byActor = new Map<string, number>();
    for (const row of rows) byActor.set(row.actor, (byActor.get(row.actor) ?? 0) + 1);
    expect([...byActor.values()].filter((n) => n >= 24)).toHaveLength(2);

    const heads = await expectConsistent(first.db, first.chain);
    expect(heads.at(-1)!.treeSize).toBe(rows.length);
    expect(heads.length).toBeGreaterThanOrEqual(2);
    expect(await recordedAnchors(second.db)).toEqual(heads);
  });
});
