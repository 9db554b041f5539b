import { NonceManager, type Provider, type TransactionRequest, type TransactionResponse } from 'ethers';

/**
 * A NonceManager that sends one transaction at a time, so that concurrent callers of the one signer (anchoring,
 * consent relaying, deployment) never take the same nonce or leave a gap behind them.
 *
 * Every send runs in a FIFO queue, one after the other, as estimate → take nonce → sign and broadcast (it waits
 * until the node accepts the transaction, not until it is mined):
 * - Gas is estimated before a nonce is taken, so a revert found by the estimate (its custom error in the
 *   thrown error's data) consumes nothing. ethers' NonceManager takes the nonce first, and the gap it then
 *   leaves makes every later transaction wait forever in the node's queue.
 * - A broadcast that fails after taking a nonce resets the local count (stack notes: "NonceManager.reset()
 *   after a failed send"). Inside the queue no other send holds a nonce at that moment, so the next one re-reads
 *   the pending count and neither reuses a nonce still in flight nor skips one.
 * - {@link reset} from outside is queued too, for the same reason.
 *
 * The price is one estimate and one broadcast round trip per transaction in sequence, which suits a gateway
 * that sends a few transactions per anchoring interval.
 */
export class SerialNonceManager extends NonceManager {
  /** Settles when the last queued task has; never rejects. */
  #tail: Promise<unknown> = Promise.resolve();

  /** A manager for the same key on another provider, with its own queue (one sender per key: use one of them). */
  override connect(provider: Provider | null): SerialNonceManager {
    return new SerialNonceManager(this.signer.connect(provider));
  }

  override sendTransaction(tx: TransactionRequest): Promise<TransactionResponse> {
    return this.serially(async () => {
      const gasLimit = tx.gasLimit ?? (await this.signer.estimateGas(tx));
      try {
        const nonce = await this.getNonce('pending');
        this.increment();
        return await this.signer.sendTransaction({ ...tx, gasLimit, nonce });
      } catch (error) {
        // The nonce may or may not have reached the node (and a failed nonce read would otherwise stay cached):
        // re-read the pending count on the next send.
        super.reset();
        throw error;
      }
    });
  }

  /** Forgets the local nonce count once the sends queued so far are done (never under a send in flight). */
  override reset(): void {
    void this.serially(async () => super.reset());
  }

  /** Runs `task` after every task queued before it has settled. */
  private serially<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#tail.then(task);
    this.#tail = run.catch(() => undefined);
    return run;
  }
}
