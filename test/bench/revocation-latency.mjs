// Revocation latency for the consent benchmark: how long after a revocation is sent a clinician's read of the
// patient's record stops answering. Each revocation: grant a consent (GraphQL, as the portal does), check the
// clinician reads 200, then revoke and poll the read one request at a time, as fast as it answers, until it answers
// 404. Two ways to revoke:
//   - graphql: the portal's flow (revokeConsent): the gateway relays revokeBySig and destroys the releases itself;
//   - chain: the patient's own wallet calls ConsentRegistry.revoke(consentId) on the chain, so the gateway learns
//     of it only through its indexer's next poll (bound: one block plus the poll interval).
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Contract, JsonRpcProvider, parseEther, toBeHex, Wallet } from 'ethers';
import { grantConsent, prepareRevocation } from './consent-flow.mjs';
import { percentile } from './http-load.mjs';

/** Give up on one revocation when the read still answers after this long. */
const POLL_TIMEOUT_MS = 10_000;

/** One GET over a keep-alive agent; resolves to the status once the body has been read. */
function getStatus(url, headers, agent) {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * Polls the read one request at a time until it answers 404 (or `failure()` names why the revocation failed).
 * Returns the milliseconds from `sentAt` to the arrival of that 404, and every poll (start, status) so that reads
 * after the revocation was confirmed can be counted.
 */
async function pollUntilGone(read, agent, sentAt, failure) {
  const polls = [];
  for (;;) {
    if (failure()) throw failure();
    const at = performance.now();
    const status = await getStatus(read.url, read.headers, agent);
    const end = performance.now();
    polls.push({ at, status });
    if (status === 404) return { ms: end - sentAt, polls };
    if (status !== 200) throw new Error(`a read during the revocation answered ${status}, expected 200 then 404`);
    if (end - sentAt > POLL_TIMEOUT_MS) throw new Error(`the read still answered 200 ${POLL_TIMEOUT_MS} ms after the revocation was sent`);
  }
}

/** The patient's wallet on the embedded chain, funded for gas with anvil_setBalance, and the registry it calls. */
async function patientWallet(gateway, keys) {
  const deployment = JSON.parse(readFileSync(join(gateway.dataDir, 'chain', 'deployment.json'), 'utf8'));
  const provider = new JsonRpcProvider(gateway.anvilUrl, deployment.chainId, { staticNetwork: true, batchMaxCount: 1 });
  const wallet = new Wallet(keys.signingKey, provider);
  await provider.send('anvil_setBalance', [wallet.address, toBeHex(parseEther('10'))]);
  const automine = await provider.send('anvil_getAutomine', []);
  const registry = new Contract(deployment.contracts.ConsentRegistry.address, ['function revoke(bytes32 consentId)'], wallet);
  return { provider, wallet, registry, automine };
}

/** A JSON-RPC call without ethers' batching (its 10 ms stall would count as latency); resolves to the result. */
async function rpc(url, method, params) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
  const body = await response.json();
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result;
}

/**
 * Each way of revoking: prepares everything that is not the revocation (untimed), then returns `send()`, which
 * sends it and resolves when the sender got its answer (the gateway's, or the chain's for a raw transaction).
 */
const REVOKERS = {
  async graphql({ crypto, gateway, patientToken, keys }, consentId) {
    return prepareRevocation(crypto, gateway.base, patientToken, keys, consentId);
  },
  async chain({ gateway, chain }, consentId) {
    const signed = await chain.wallet.signTransaction(await chain.wallet.populateTransaction(await chain.registry.revoke.populateTransaction(consentId)));
    return async () => {
      const hash = await rpc(gateway.anvilUrl, 'eth_sendRawTransaction', [signed]);
      // anvil mines on arrival, but the receipt can trail the send's answer by a moment: ask the node itself (no
      // provider cache) until it has one, for at most 5 s.
      let receipt = null;
      for (const until = Date.now() + 5_000; receipt === null && Date.now() < until; ) {
        receipt = await rpc(gateway.anvilUrl, 'eth_getTransactionReceipt', [hash]);
        if (receipt === null) await new Promise((resolve) => setTimeout(resolve, 5));
      }
      if (receipt?.status !== '0x1') throw new Error(`expected revoke(${consentId}) mined with status 1, got ${receipt ? `status ${receipt.status} in block ${Number(receipt.blockNumber)}` : 'no receipt within 5 s'}`);
    };
  },
};

/** One revocation: grant, check a 200, prepare, send and poll. */
async function revokeOnce(context, way) {
  const { crypto, gateway, patientToken, keys, granteeId, read, agent } = context;
  const consentId = await grantConsent(crypto, gateway.base, patientToken, keys, { granteeId, compartments: ['vitals'] });
  const before = await getStatus(read.url, read.headers, agent);
  if (before !== 200) throw new Error(`the clinician's read answered ${before} under a fresh consent, expected 200`);
  const send = await REVOKERS[way](context, consentId);
  // The indexer polls on its own clock, and a loop of equal iterations would send each revocation at the same phase
  // of it: a random pause spreads the sends over the poll interval, so the latencies sample all of it.
  if (way === 'chain') await sleep(Math.random() * context.pollMs);
  const sentAt = performance.now();
  let sendError;
  const answered = send().then(
    () => performance.now(),
    (error) => (sendError = error),
  );
  const gone = await pollUntilGone(read, agent, sentAt, () => sendError);
  const answeredAt = await answered;
  if (sendError) throw sendError;
  return { ms: gone.ms, answerMs: answeredAt - sentAt, polls: gone.polls.length, okAfterAnswer: gone.polls.filter((p) => p.at > answeredAt && p.status === 200).length };
}

function stats(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  return { n: sorted.length, min: sorted[0], p50: percentile(sorted, 0.5), p95: percentile(sorted, 0.95), max: sorted.at(-1) };
}

/**
 * Measures `count` revocations each way on a gateway whose read `read` ({ url, headers }, a clinician's token) works
 * under a consent granted to `granteeId`, and whose indexer polls every `pollMs`. Returns per way: latency stats (ms
 * from sending to the first 404), how long the sender waited for its answer, polls per revocation, and the 200s read
 * after the sender had its answer; and whether anvil mines each transaction on arrival (automine).
 */
export async function measureRevocations({ crypto, gateway, patientToken, keys, granteeId, read }, { count, pollMs }) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const chain = await patientWallet(gateway, keys);
  const context = { crypto, gateway, patientToken, keys, granteeId, read, agent, chain, pollMs };
  const results = {};
  try {
    for (const way of Object.keys(REVOKERS)) {
      const runs = [];
      for (let i = 0; i < count; i += 1) runs.push(await revokeOnce(context, way));
      results[way] = {
        latency: stats(runs.map((r) => r.ms)),
        answer: stats(runs.map((r) => r.answerMs)),
        polls: stats(runs.map((r) => r.polls)),
        okAfterAnswer: runs.reduce((sum, r) => sum + r.okAfterAnswer, 0),
      };
    }
  } finally {
    agent.destroy();
    chain.provider.destroy();
  }
  return { ...results, automine: chain.automine };
}
