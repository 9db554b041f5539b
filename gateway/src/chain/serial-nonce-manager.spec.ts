import { ContractFactory, hexlify, type TransactionReceipt, type TransactionResponse } from 'ethers';
import { type ChainFixture, revertOf, startChainFixture } from '../../../test/support/chain-fixture.js';
import type { AuditAnchorContract } from './audit-anchor.contract.js';

const root = (n: number) => hexlify(new Uint8Array(32).fill(n));

/** Throws what a settled promise rejected with (so the fixture's revert decoder can read it). */
function rethrow(result: PromiseSettledResult<unknown>): void {
  if (result.status === 'rejected') throw result.reason;
}

describe('SerialNonceManager', () => {
  let chain: ChainFixture;
  let anchor: AuditAnchorContract;

  beforeAll(async () => {
    chain = await startChainFixture();
    const artifact = chain.compilation.contracts['AuditAnchor']!;
    const admin = await chain.admin.getAddress();
    const contract = await new ContractFactory(artifact.abi, artifact.bytecode, chain.admin).deploy(admin, admin);
    await contract.waitForDeployment();
    anchor = contract as unknown as AuditAnchorContract;
  });

  afterAll(async () => {
    await chain?.close();
  });

  /** Fires `sizes.length` anchors at once (no await in between), as concurrent callers of the one signer would. */
  async function anchorAtOnce(sizes: number[], failing: { index: number; gasLimit?: number }) {
    const latest = Number((await anchor.latestHead()).treeSize);
    const count = await anchor.headCount();
    const startNonce = await chain.provider.getTransactionCount(await chain.admin.getAddress(), 'pending');
    const sends = sizes.map((size, i) => anchor.anchor(latest + size, root(i + 1), i === failing.index && failing.gasLimit ? { gasLimit: failing.gasLimit } : {}));
    const settled = await Promise.allSettled(sends);
    const sent = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value as TransactionResponse] : []));
    const receipts = await Promise.all(sent.map((tx) => tx.wait() as Promise<TransactionReceipt>));
    return { latest, count, startNonce, settled, sent, receipts };
  }

  it('sends concurrent anchors one at a time: a reverting one takes no nonce, the other nine mine with consecutive nonces', async () => {
    // The fifth repeats the fourth's size: AuditAnchorSizeNotGrowing, found by the gas estimate.
    const { latest, startNonce, settled, sent, receipts } = await anchorAtOnce([10, 20, 30, 40, 40, 50, 60, 70, 80, 90], { index: 4 });

    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled', 'fulfilled', 'fulfilled']);
    expect(await revertOf(anchor, async () => rethrow(settled[4]!))).toEqual({
      name: 'AuditAnchorSizeNotGrowing',
      args: [BigInt(latest + 40), BigInt(latest + 40)],
    });
    expect(sent.map((tx) => tx.nonce)).toEqual(Array.from({ length: 9 }, (_, i) => startNonce + i));
    expect(receipts.map((r) => r.status)).toEqual(Array(9).fill(1));
    const heads = receipts.map((r) => anchor.interface.parseLog(r.logs[0]!)!.args.getValue('treeSize') as bigint);
    expect(heads).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90].map((size) => BigInt(latest + size)));
    // No gap and no reuse behind the burst: the next send takes the next nonce and mines.
    const next = await anchor.anchor(latest + 100, root(11));
    expect(next.nonce).toBe(startNonce + 9);
    expect((await next.wait())!.status).toBe(1);
  });

  it('recovers the nonce count inside the queue when a broadcast fails after taking a nonce, while others wait their turn', async () => {
    // The fifth passes no estimate (explicit gas) and is refused by the node at broadcast, after it took its nonce.
    const { latest, count, startNonce, settled, sent, receipts } = await anchorAtOnce([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], { index: 4, gasLimit: 1_000 });

    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled', 'fulfilled', 'fulfilled']);
    expect((settled[4] as PromiseRejectedResult).reason).toMatchObject({ message: expect.stringMatching(/intrinsic gas too low/) });
    expect(sent.map((tx) => tx.nonce)).toEqual(Array.from({ length: 9 }, (_, i) => startNonce + i));
    expect(receipts.map((r) => r.status)).toEqual(Array(9).fill(1));
    expect(await anchor.headCount()).toBe(count + 9n);
    expect([...(await anchor.latestHead())]).toEqual([BigInt(latest + 10), root(10)]);
  });

  it('queues an outside reset behind the sends in flight instead of dropping their nonces', async () => {
    const latest = Number((await anchor.latestHead()).treeSize);
    const startNonce = await chain.provider.getTransactionCount(await chain.admin.getAddress(), 'pending');
    const first = anchor.anchor(latest + 1, root(1));
    chain.admin.reset();
    const second = anchor.anchor(latest + 2, root(2));
    const sent = await Promise.all([first, second]);
    expect(sent.map((tx) => tx.nonce)).toEqual([startNonce, startNonce + 1]);
    expect((await Promise.all(sent.map((tx) => tx.wait()))).map((r) => r!.status)).toEqual([1, 1]);
  });
});
