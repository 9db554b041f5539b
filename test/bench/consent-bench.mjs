// The consent benchmarks of `npm run bench` (issue 4), on SQLite with a claimed store:
//   1. enforcement overhead: a clinician's `GET /fhir/Observation/<id>` under an active consent (key release in use)
//      on a gateway that enforces consent, against the same read on a second gateway started with
//      BENCH_BYPASS_ENFORCEMENT=true (each principal's first grants kept for good: no consent check per request, same
//      key release and decryption). Same workload and load on both, measured in alternating rounds (A B B A …) so
//      that drift of the shared machine falls on both alike;
//   2. revocation latency (revocation-latency.mjs), on the enforcing gateway.
// Run alone with `node test/bench/consent-bench.mjs` (after `npm run build`); settings as in run.mjs, plus
// BENCH_REVOCATIONS (per way of revoking, default 20), BENCH_CONSENT_ROUNDS (load rounds per gateway, default 5) and
// BENCH_CONSENT_POLL_INTERVAL_MS (the gateways' CONSENT_POLL_INTERVAL_MS, default 500: the embedded chain's default).
import { Agent } from 'node:http';
import { pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
import { claimStore, grantConsent, granteeByReference, loadCrypto, prepareRevocation } from './consent-flow.mjs';
import { observationBundle, patientResource, seededRandom } from './fhir-data.mjs';
import { cpuSeconds, resetPeakRss, rssMiB, startGateway, stopAll } from './gateway-process.mjs';
import { summarize, timedGet } from './http-load.mjs';
import { measureRevocations } from './revocation-latency.mjs';
import { fmt, printTable } from './report.mjs';

const FHIR_JSON = 'application/fhir+json';
/** What the bypassing gateway must print (to stderr, as a Node warning) for its figures to count as bypassed. */
const BYPASS_WARNING = 'CONSENT ENFORCEMENT BYPASSED';

async function fhir(gateway, token, method, path, body) {
  const response = await fetch(`${gateway.base}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': FHIR_JSON, accept: FHIR_JSON }, body: JSON.stringify(body) });
  const answer = await response.json();
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${JSON.stringify(answer).slice(0, 400)}`);
  return answer;
}

/**
 * The workload on one gateway: the hospital writes the demo patient's record (a Patient and 20 Observations), the
 * patient claims the store and consents (TREATMENT, vitals) to the first demo clinician, whose read of a vital-signs
 * Observation must then answer 200.
 */
export async function consentedRead(name, gateway, crypto) {
  const patient = gateway.accounts.users.find((u) => u.fhirPatient && u.mnemonic);
  const clinician = gateway.accounts.users.find((u) => u.roles.includes('clinician'));
  const keys = crypto.derivePatientKeys(patient.mnemonic);
  const [hospitalToken, patientToken, clinicianToken] = await Promise.all([gateway.hospitalToken(), gateway.userToken(patient.username), gateway.userToken(clinician.username)]);
  await fhir(gateway, hospitalToken, 'PUT', `/fhir/Patient/${patient.fhirPatient}`, { ...patientResource('consent'), id: patient.fhirPatient });
  const bundle = observationBundle(patient.fhirPatient, { size: 20, random: seededRandom(4) });
  const created = await fhir(gateway, hospitalToken, 'POST', '/fhir', bundle);
  const vital = bundle.entry.findIndex((e) => e.resource.category[0].coding[0].code === 'vital-signs');
  const path = `/fhir/${created.entry[vital].response.location.split('/_history')[0]}`;
  await claimStore(crypto, gateway.base, patientToken, keys, patient.fhirPatient);
  const granteeId = await granteeByReference(gateway.base, patientToken, `user:${clinician.id}`);
  const consentId = await grantConsent(crypto, gateway.base, patientToken, keys, { granteeId, compartments: ['vitals'] });
  const read = { url: `${gateway.base}${path}`, headers: { authorization: `Bearer ${clinicianToken}`, accept: FHIR_JSON } };
  const sample = await fetch(read.url, { headers: read.headers });
  const text = await sample.text();
  if (sample.status !== 200) throw new Error(`the clinician's consented read of ${path} answered ${sample.status}: ${text.slice(0, 400)}`);
  return { name, gateway, crypto, keys, patient: patient.username, patientToken, granteeId, consentId, read, bytes: Buffer.byteLength(text) };
}

/**
 * One round of load on one gateway: autocannon, every answer 2xx; the gateway's peak RSS and CPU time over the
 * round (CPU per request is the figure least moved by other work on the machine).
 */
export async function loadRound(target, seconds, connections) {
  const { pid } = target.gateway;
  resetPeakRss(pid);
  const cpuBefore = cpuSeconds(pid);
  const result = await autocannon({ url: target.read.url, headers: target.read.headers, connections, duration: seconds });
  const cpu = cpuSeconds(pid) - cpuBefore;
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${target.name}: ${result.non2xx} non-2xx answers and ${result.errors} errors under load`);
  return { rps: result.requests.total / result.duration, total: result.requests.total, seconds: result.duration, cpu, p50: result.latency.p50, p99: result.latency.p99, peak: rssMiB(pid, 'VmHWM') };
}

/**
 * Enforcing (A) vs bypassing (B) gateway: a 2 s warm-up each, then `rounds` rounds each of `duration / rounds` s in
 * the order A B B A A B B A …, so that drift of the shared machine falls on both alike; then single requests.
 */
async function enforcementOverhead(enforced, bypassed, settings) {
  const targets = [enforced, bypassed];
  for (const target of targets) await autocannon({ url: target.read.url, headers: target.read.headers, connections: settings.connections, duration: 2 });
  const rounds = new Map(targets.map((t) => [t, []]));
  for (let i = 0; i < settings.consentRounds; i += 1) {
    for (const target of i % 2 === 0 ? targets : [...targets].reverse()) rounds.get(target).push(await loadRound(target, settings.duration / settings.consentRounds, settings.connections));
  }
  const singles = await interleavedSingles(targets, settings.readSequential);
  const results = [];
  for (const [i, target] of targets.entries()) {
    const runs = rounds.get(target);
    const single = summarize(singles[i]);
    const served = runs.reduce((s, r) => s + r.total, 0);
    results.push({
      name: target.name,
      rps: served / runs.reduce((s, r) => s + r.seconds, 0),
      cpuPerRequest: (1e6 * runs.reduce((s, r) => s + r.cpu, 0)) / served,
      rounds: runs.map((r) => r.rps),
      loadP50: runs.reduce((s, r) => s + r.p50, 0) / runs.length,
      loadP99: Math.max(...runs.map((r) => r.p99)),
      p50: single.p50,
      p99: single.p99,
      rss: Math.max(...runs.map((r) => r.peak)),
      rssNow: rssMiB(target.gateway.pid, 'VmRSS'),
    });
  }
  const [e, b] = results;
  return { enforced: e, bypassed: b, overhead: 1 - e.rps / b.rps, cpuOverhead: e.cpuPerRequest / b.cpuPerRequest - 1 };
}

/**
 * Latency of single requests (one at a time over one keep-alive connection per target, in µs), `count` per target in
 * alternating chunks, so that neither side runs while the other is still settling from its last round of load.
 */
export async function interleavedSingles(targets, count, chunk = 200) {
  const agents = targets.map(() => new Agent({ keepAlive: true, maxSockets: 1 }));
  const samples = targets.map(() => []);
  try {
    for (const [i, target] of targets.entries()) for (let n = 0; n < chunk; n += 1) await timedGet(target.read.url, target.read.headers, agents[i]); // warm-up
    for (let done = 0; done < count; done += chunk) {
      for (const [i, target] of targets.entries()) for (let n = 0; n < Math.min(chunk, count - done); n += 1) samples[i].push(await timedGet(target.read.url, target.read.headers, agents[i]));
    }
  } finally {
    for (const agent of agents) agent.destroy();
  }
  return samples;
}

/** Boots both gateways (in parallel); if either fails, stops the other. */
async function startPair(env) {
  const started = await Promise.allSettled([startGateway(env), startGateway({ ...env, BENCH_BYPASS_ENFORCEMENT: 'true' })]);
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) {
    await Promise.all(started.filter((s) => s.status === 'fulfilled').map((s) => s.value.stop()));
    throw failed.reason;
  }
  return started.map((s) => s.value);
}

async function stopGateway(gateway, label) {
  const stopped = await gateway.stop();
  console.log(`${label} stopped: exit ${stopped.code ?? stopped.signal} after ${fmt(stopped.stopMs)} ms; embedded anvil ${stopped.anvilLeft ? 'STILL RUNNING (leftover)' : 'stopped'}`);
}

function printOverhead(result, target, settings) {
  printTable(
    `[consent] clinician's GET /fhir/Observation/<id> under an active consent (claimed store, key release; ${target.bytes} bytes; ${settings.connections} connections, ${settings.consentRounds} × ${fmt(settings.duration / settings.consentRounds, 1)} s each, alternating A B B A …, after a 2 s warm-up; single: ${settings.readSequential} one at a time)`,
    ['target', 'req/s', 'rounds req/s', 'CPU µs/req', 'load p50 ms', 'load p99 ms', 'single p50 µs', 'single p99 µs', 'peak RSS MiB', 'RSS now MiB'],
    [result.enforced, result.bypassed].map((r) => [r.name, fmt(r.rps), r.rounds.map((x) => fmt(x)).join(' '), fmt(r.cpuPerRequest), fmt(r.loadP50, 1), fmt(r.loadP99), fmt(r.p50), fmt(r.p99), fmt(r.rss, 1), fmt(r.rssNow, 1)]),
  );
  console.log(
    `enforcement overhead: 1 - enforced/bypassed throughput = ${fmt(100 * result.overhead, 1)}% (target ≤ 10%); gateway CPU per request ${result.cpuOverhead >= 0 ? '+' : ''}${fmt(100 * result.cpuOverhead, 1)}%; single-request p50 ${fmt(result.enforced.p50 / result.bypassed.p50, 3)}x`,
  );
}

function printRevocations(result, pollMs, seconds) {
  // Automine: a transaction's block exists the moment it arrives, so the bound is the poll interval (block time 0).
  const bound = result.automine ? pollMs : undefined;
  const row = (name, r, boundText) => [name, r.latency.n, fmt(r.latency.min), fmt(r.latency.p50), fmt(r.latency.p95), fmt(r.latency.max), boundText, fmt(r.answer.p50), fmt(r.polls.p50), r.okAfterAnswer];
  printTable(
    `[consent] revocation → first 404 of the clinician's read, ms (reads one at a time; indexer poll interval ${pollMs} ms; block time: ${result.automine ? '0, anvil automine mines each transaction on arrival' : 'interval mining'}; ${fmt(seconds)} s)`,
    ['revoked through', 'n', 'min', 'p50', 'p95', 'max', 'bound', 'sender answered p50', 'polls p50', '200s after answer'],
    [
      row('GraphQL revokeConsent (gateway relays)', result.graphql, '—'),
      row("patient's wallet → chain (indexer)", result.chain, `${fmt(bound)} (block + poll)`),
    ],
  );
  console.log(
    "the sender's answer: the gateway's to revokeConsent (after relaying revokeBySig, destroying the releases and catching its view up: a 200 after it would be a leak), or the chain's receipt (the gateway learns at its next indexer poll)",
  );
  return bound;
}

/** Runs both consent benchmarks, prints their tables and returns their figures. */
export async function runConsentBenchmarks(settings) {
  const env = { CONSENT_POLL_INTERVAL_MS: String(settings.consentPollMs) };
  const crypto = await loadCrypto();
  const [enforcing, bypassing] = await startPair(env);
  console.log(`\n== consent (SQLite): enforcing gateway ready in ${fmt(enforcing.readyMs / 1000, 1)} s (pid ${enforcing.pid}), bypassing gateway (BENCH_BYPASS_ENFORCEMENT=true) in ${fmt(bypassing.readyMs / 1000, 1)} s (pid ${bypassing.pid}) ==`);
  let bypassingUp = true;
  try {
    if (!bypassing.stderrText().includes(BYPASS_WARNING)) throw new Error(`the gateway started with BENCH_BYPASS_ENFORCEMENT=true did not warn "${BYPASS_WARNING}": is the build older than the switch?`);
    if (enforcing.stderrText().includes(BYPASS_WARNING)) throw new Error('the enforcing gateway warned that enforcement is bypassed');
    const [enforced, bypassed] = await Promise.all([consentedRead('gateway, consent enforced', enforcing, crypto), consentedRead('gateway, enforcement bypassed (bench switch)', bypassing, crypto)]);
    const overhead = await enforcementOverhead(enforced, bypassed, settings);
    printOverhead(overhead, enforced, settings);
    await stopGateway(bypassing, 'bypassing gateway');
    bypassingUp = false;
    const patientToken = await enforcing.userToken(enforced.patient);
    // The load's consent would keep the read open through every measured revocation: it goes first (untimed).
    await (await prepareRevocation(crypto, enforcing.base, patientToken, enforced.keys, enforced.consentId))();
    const revocationStarted = performance.now();
    const revocation = await measureRevocations({ ...enforced, patientToken }, { count: settings.revocations, pollMs: settings.consentPollMs });
    const bound = printRevocations(revocation, settings.consentPollMs, (performance.now() - revocationStarted) / 1000);
    return { overhead, revocation: { ...revocation, bound, pollMs: settings.consentPollMs } };
  } finally {
    if (bypassingUp) await stopGateway(bypassing, 'bypassing gateway');
    await stopGateway(enforcing, 'enforcing gateway');
  }
}

/** The consent benchmarks' settings from the environment (the shared ones as run.mjs reads them). */
export function consentSettings(shared) {
  const number = (name, fallback) => Number(process.env[name] ?? fallback);
  return { ...shared, revocations: number('BENCH_REVOCATIONS', 20), consentRounds: number('BENCH_CONSENT_ROUNDS', 5), consentPollMs: number('BENCH_CONSENT_POLL_INTERVAL_MS', 500) };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const number = (name, fallback) => Number(process.env[name] ?? fallback);
  const started = performance.now();
  const settings = consentSettings({ duration: number('BENCH_DURATION', 10), connections: number('BENCH_CONNECTIONS', 32), readSequential: number('BENCH_READ_SEQUENTIAL', 2000) });
  process.on('SIGINT', () => void stopAll().finally(() => process.exit(130)));
  runConsentBenchmarks(settings)
    .then(() => console.log(`(consent benchmarks: ${fmt((performance.now() - started) / 1000)} s)`))
    .catch(async (error) => {
      console.error('consent bench failed:', error.stack ?? error.message);
      await stopAll();
      process.exitCode = 1;
    });
}
