import type { Contract, TransactionReceipt } from 'ethers';
import { badRequest, conflict, notFound, OperationOutcomeError, serviceUnavailable } from '../common/index.js';

/** What a relayed transaction left on-chain. */
export interface Relayed {
  readonly transactionHash: string;
  readonly blockNumber: number;
  readonly receipt: TransactionReceipt;
}

/** How each of the registry's custom errors is answered (a patient's mistake is a 4xx, never a 500). */
const ANSWERS: Readonly<Record<string, (detail: string) => OperationOutcomeError>> = {
  ConsentRegistryInvalidSignature: (d) => badRequest(`the chain refused the signature: it is not the patient's (${d})`, 'signature'),
  ConsentRegistryExpiredSignature: (d) => badRequest(`the signed request expired before it reached the chain (${d}); draft it again`, 'typedData'),
  ConsentRegistryInvalidWindow: (d) => badRequest(`the consent window is empty (${d})`, 'typedData'),
  ConsentRegistryZeroPatient: () => badRequest('the consent names no patient', 'typedData'),
  ConsentRegistryUnknownConsent: (d) => notFound(`the chain holds no such consent (${d})`),
  ConsentRegistryAlreadyRevoked: (d) => conflict(`the consent is already revoked (${d})`),
  ConsentRegistryNotEmergencyConsent: (d) => conflict(`the consent is not an emergency consent (${d})`),
  ConsentRegistryInactiveConsent: (d) => conflict(`the patient's emergency consent is not active (${d})`),
  ConsentRegistryInvalidEmergencyWindow: (d) => badRequest(`the emergency window is not allowed (${d})`, 'durationMinutes'),
};

/**
 * Relays one call of a registry function through the gateway's one sender (SerialNonceManager: one transaction at a
 * time, nonce re-read after a failed send): first simulated, so a call the chain would refuse costs no gas and is
 * answered with the registry's own error; then sent and awaited for one confirmation.
 */
export async function relay(contract: Contract, method: string, args: readonly unknown[]): Promise<Relayed> {
  const fn = contract.getFunction(method);
  try {
    await fn.staticCall(...args);
    const response = await fn.send(...args);
    const receipt = await response.wait(1);
    if (!receipt || receipt.status !== 1) throw serviceUnavailable(`the ${method} transaction ${response.hash} did not succeed on-chain; try again`);
    return { transactionHash: receipt.hash, blockNumber: receipt.blockNumber, receipt };
  } catch (error) {
    throw answerFor(contract, method, error);
  }
}

function answerFor(contract: Contract, method: string, error: unknown): OperationOutcomeError {
  if (error instanceof OperationOutcomeError) return error;
  const e = error as { revert?: { name?: string; args?: readonly unknown[] }; data?: string; shortMessage?: string; message?: string };
  let revert = e.revert;
  if (!revert?.name && typeof e.data === 'string' && e.data.length >= 10) {
    const parsed = contract.interface.parseError(e.data);
    if (parsed) revert = { name: parsed.name, args: [...parsed.args] };
  }
  if (revert?.name) {
    const detail = `${revert.name}(${(revert.args ?? []).map(String).join(', ')})`;
    const answer = ANSWERS[revert.name];
    return answer ? answer(detail) : badRequest(`the chain refused ${method}: ${detail}`);
  }
  return serviceUnavailable(`the chain could not take ${method} now (${e.shortMessage ?? e.message ?? 'unknown error'}); nothing was recorded, try again`);
}
