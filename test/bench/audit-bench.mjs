// The audit-log benchmarks of `npm run bench` (issue 6), from the built code (gateway/dist, or BENCH_GATEWAY_MAIN's
// copy):
//   1. inclusion proofs in a large log: a MerkleLevels of BENCH_AUDIT_PROOF_LEAVES (default 1,000,000) random 32-byte
//      leaf hashes (build time; the tree's buffers and the process's RSS and heap), then for BENCH_AUDIT_PROOF_SAMPLES
//      (default 10,000) random leaves: make the inclusion proof at the full size, and verify it (verifyInclusion
//      against the root, as the verifier and the browser do), each call timed alone (process.hrtime.bigint);
//   2. `audit:verify` over a real log: BENCH_AUDIT_ENTRIES (default 100,000) entries appended by AuditLog (as the
//      gateway constructs it: a migrated SQLite file, a StoreKeyRing) in groups of 512, i.e. one commit each; they are
//      hospital custodial writes (create, hospital-system) and patients' reads of their own record (read, patient),
//      which carry no consent id, across 200 patients; tree heads anchored every BENCH_AUDIT_ANCHOR_EVERY (default
//      10,000) entries on AuditAnchor (embedded anvil, the gateway's contracts deployed by ContractDeployer) and
//      recorded in audit_anchor as the gateway does; then the verifier CLI (node gateway/dist/audit/verify/
//      verify.cli.js --database --rpc --deployment --models) timed end to end, from spawn to exit;
//   3. gas per audit record: on a second AuditAnchor on that chain, heads of the same log (rootOf its tree) anchored
//      at sizes growing by 1, by 100 and by 10,000 (BENCH_AUDIT_GAS_ANCHORS per batch size, default 10, the 10,000
//      steps as many as the log holds); gasUsed of each receipt, per anchor and per record. The first anchor of a
//      contract writes its packed head slot from zero and is reported apart; the rest is the steady state (median);
//   4. the audit append's overhead on a consented read: A/B of the consent benchmark's workload (a clinician's
//      `GET /fhir/Observation/<id>` under an active consent, claimed store, key release, SQLite) on a gateway that
//      appends (A) and one started with BENCH_DISCARD_AUDIT=true (B: AuditLog.append resolves at once and writes
//      nothing; refused in production), same load, alternating rounds A B B A …; plus, in process, AuditLog alone
//      under the same concurrency (appends/s, CPU and event-loop time per append, append latency until durable).
// Targets of issue 6 (measured and printed, never asserted): gas per record near 52k, ~520 and ~5 at batch sizes 1,
// 100 and 10,000; append overhead ≤ 10% of a consented read's throughput; inclusion proof verification in a log of
// 1,000,000 entries p50 ≤ 100 µs; `audit:verify` over 100,000 entries under 60 s.
// Run alone with `node test/bench/audit-bench.mjs` (after compiling the gateway); settings as in run.mjs
// (BENCH_DURATION, BENCH_CONNECTIONS, BENCH_READ_SEQUENTIAL, BENCH_GATEWAY_MAIN), plus the ones above and
// BENCH_AUDIT_ROUNDS (A/B load rounds per gateway, default 5), BENCH_AUDIT_VERIFY_WAIT (s to wait for a verifier CLI
// still being built, default 0), BENCH_AUDIT_SECTIONS (default proofs,anchoring,append,appendInProcess: 1, 2 and 3,
// 4's A/B, 4 in process). BENCH_AUDIT=false makes run.mjs skip the section.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { Contract } from 'ethers';
import { consentedRead, interleavedSingles, loadRound } from './consent-bench.mjs';
import { loadCrypto } from './consent-flow.mjs';
import { gatewayMain, startGateway, stopAll } from './gateway-process.mjs';
import { percentile, summarize } from './http-load.mjs';
import { stats } from './inference-bench.mjs';
import { fmt, printTable } from './report.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const dist = dirname(gatewayMain);
/** The targets of issue 6: gas per record by batch size (expected), overhead, verification p50, audit:verify. */
export const TARGETS = { gasPerRecord: { 1: 52_000, 100: 520, 10_000: 5.2 }, appendOverhead: 0.1, verifyP50Us: 100, auditVerifySeconds: 60 };
/** What the gateway started with BENCH_DISCARD_AUDIT=true must print for its figures to count as "without the append". */
const DISCARD_WARNING = 'AUDIT LOG DISCARDED';
const ISSUER = 'http://127.0.0.1:8080/auth/realms/fhir-gateway';
/** AuditLog's group size (MAX_BATCH): appends made in one tick are committed together up to this many. */
const GROUP = 512;

const load = (path) => import(pathToFileURL(join(dist, path)).href);

/** The built modules the benchmarks use; Nest's logger kept to warnings and errors. */
async function loadAudit() {
  const [merkle, auditLog, store, chain, contracts, nest] = await Promise.all([
    load('audit/merkle.js'),
    load('audit/audit-log.js'),
    load('store/index.js'),
    load('chain/index.js'),
    load('chain/gateway-contracts.js'),
    import('@nestjs/common'),
  ]);
  nest.Logger.overrideLogger(['warn', 'error']);
  return { merkle, AuditLog: auditLog.AuditLog, store, chain, contracts: contracts.GATEWAY_CONTRACTS };
}

const mib = (bytes) => bytes / 2 ** 20;
const hex = (bytes) => Buffer.from(bytes).toString('hex');

// ---------------------------------------------------------------------------------------------------------------
// 1. Inclusion proofs in a log of a million entries
// ---------------------------------------------------------------------------------------------------------------

/** Builds the tree, then makes and verifies `samples` proofs of random leaves at the full size. */
export async function inclusionProofs(lib, { leaves, samples }) {
  const { MerkleLevels, inclusionProof, rootOf, verifyInclusion } = lib.merkle;
  const hashes = randomBytes(32 * leaves);
  const before = process.memoryUsage();
  const tree = new MerkleLevels();
  let started = performance.now();
  for (let i = 0; i < leaves; i += 1) tree.append(hashes.subarray(32 * i, 32 * i + 32));
  const buildMs = performance.now() - started;
  const after = process.memoryUsage();
  // The tree's own bytes: one growing buffer per level (capacity doubles), of which 32 bytes per stored node are used.
  const levels = tree.levels ?? [];
  const allocated = levels.reduce((s, b) => s + b.byteLength, 0);
  const used = 32 * (tree.counts ?? []).reduce((s, n) => s + n, 0);
  started = performance.now();
  const root = rootOf(tree, leaves);
  const rootMs = performance.now() - started;
  const indexes = Array.from({ length: samples }, () => Math.floor(Math.random() * leaves));
  const make = new Float64Array(samples);
  const check = new Float64Array(samples);
  const proofs = new Array(samples);
  for (let i = 0; i < Math.min(1000, samples); i += 1) verifyInclusion(tree.leaf(indexes[i]), indexes[i], leaves, inclusionProof(tree, indexes[i], leaves), root); // warm-up
  for (let i = 0; i < samples; i += 1) {
    const t = process.hrtime.bigint();
    proofs[i] = inclusionProof(tree, indexes[i], leaves);
    make[i] = Number(process.hrtime.bigint() - t) / 1000;
  }
  let failures = 0;
  for (let i = 0; i < samples; i += 1) {
    const leaf = tree.leaf(indexes[i]);
    const t = process.hrtime.bigint();
    const ok = verifyInclusion(leaf, indexes[i], leaves, proofs[i], root);
    check[i] = Number(process.hrtime.bigint() - t) / 1000;
    if (!ok) failures += 1;
  }
  // A proof of one leaf must not verify another: the check is real, not a constant true.
  const wrong = verifyInclusion(tree.leaf((indexes[0] + 1) % leaves), indexes[0], leaves, proofs[0], root);
  if (failures > 0 || wrong) throw new Error(`inclusion proofs: expected every proof to verify and a wrong leaf to fail, got ${failures} failures and wrong leaf ${wrong ? 'accepted' : 'refused'}`);
  return {
    leaves,
    samples,
    buildMs,
    rootMs,
    proofLength: proofs[0].length,
    make: stats(make),
    verify: stats(check),
    memory: { allocated, used, rss: after.rss - before.rss, heap: after.heapUsed - before.heapUsed, arrayBuffers: after.arrayBuffers - before.arrayBuffers, rssNow: after.rss },
  };
}

function printProofs(r) {
  printTable(
    `[audit] inclusion proofs in a log of ${r.leaves.toLocaleString('en')} entries (MerkleLevels of random leaf hashes; ${r.samples.toLocaleString('en')} random leaves at size ${r.leaves.toLocaleString('en')}, ${r.proofLength} hashes per proof; each call timed alone, µs)`,
    ['operation', 'n', 'min', 'mean', 'p50', 'p95', 'p99', 'max'],
    [
      ['verifyInclusion (RFC 9162 §2.1.3.2)', r.verify.n, fmt(r.verify.min, 1), fmt(r.verify.mean, 1), fmt(r.verify.p50, 1), fmt(r.verify.p95, 1), fmt(r.verify.p99, 1), fmt(r.verify.max, 1)],
      ['inclusionProof (from stored subtrees)', r.make.n, fmt(r.make.min, 1), fmt(r.make.mean, 1), fmt(r.make.p50, 1), fmt(r.make.p95, 1), fmt(r.make.p99, 1), fmt(r.make.max, 1)],
    ],
  );
  const m = r.memory;
  console.log(
    `tree: built in ${fmt(r.buildMs / 1000, 2)} s (${fmt((1000 * r.buildMs) / r.leaves, 2)} µs per append), root in ${fmt(r.rootMs * 1000)} µs; its buffers ${fmt(mib(m.allocated), 1)} MiB allocated (${fmt(mib(m.used), 1)} MiB of nodes); process while building: RSS +${fmt(mib(m.rss), 1)} MiB (now ${fmt(mib(m.rssNow))} MiB), heap +${fmt(mib(m.heap), 1)} MiB, array buffers +${fmt(mib(m.arrayBuffers), 1)} MiB (the leaves' input buffer, ${fmt(mib(32 * r.leaves), 1)} MiB, was allocated before)`,
  );
}

// ---------------------------------------------------------------------------------------------------------------
// 2 and 3. A real log, its anchors, audit:verify and gas
// ---------------------------------------------------------------------------------------------------------------

/** Test principals (the shape AuthGuard builds from a token): one hospital system and `patients` patients. */
function principals(patients) {
  const expiresAt = new Date(Date.now() + 3_600_000);
  const hospital = { subject: 'service-account-demo-hospital', username: 'demo-hospital', roles: ['hospital-system'], clientId: 'demo-hospital', issuer: ISSUER, tokenId: 'bench', expiresAt };
  const people = Array.from({ length: patients }, (_, i) => ({ subject: `bench-patient-${i}`, username: `bench-patient-${i}`, roles: ['patient'], clientId: 'patient-portal', fhirPatient: `bench-patient-${i}`, issuer: ISSUER, tokenId: 'bench', expiresAt }));
  return { hospital, people };
}

/** A migrated SQLite database in a fresh directory, with an AuditLog on it as the gateway constructs one. */
async function openLog(lib, dir) {
  const file = join(dir, 'audit.sqlite');
  const db = lib.store.openSqlite(file);
  await lib.store.migrateToLatest(db);
  const log = new lib.AuditLog(db, new lib.store.StoreKeyRing(randomBytes(32)));
  return { file, db, log };
}

/**
 * Appends `entries` entries in groups of {@link GROUP} made in one tick (one commit each): per patient, a hospital's
 * custodial write (create Observation) then the patient's read of it, in turn.
 */
async function appendEntries(log, entries) {
  const { hospital, people } = principals(200);
  const started = performance.now();
  for (let done = 0; done < entries; done += GROUP) {
    const group = [];
    for (let i = done; i < Math.min(done + GROUP, entries); i += 1) {
      const patient = people[Math.floor(i / 2) % people.length];
      group.push(
        i % 2 === 0
          ? log.append({ principal: hospital, action: 'create', outcome: 'allowed', patientId: patient.fhirPatient, resourceType: 'Observation' })
          : log.append({ principal: patient, action: 'read', outcome: 'allowed', patientId: patient.fhirPatient, resourceType: 'Observation' }),
      );
    }
    await Promise.all(group);
  }
  return performance.now() - started;
}

/** anvil with the gateway's contracts (deployment file written as `contracts:deploy` does) and an anchoring signer. */
async function startChain(lib, dir) {
  const { EmbeddedAnvil, SolidityCompiler, ContractDeployer, createProvider, createSigner, ANVIL_ACCOUNT0_PRIVATE_KEY } = lib.chain;
  const anvil = new EmbeddedAnvil({ dataDir: dir });
  const [node, compiled] = await Promise.allSettled([anvil.start(), new SolidityCompiler({ cacheDir: join(dir, 'chain', 'artifacts') }).compile()]);
  if (node.status === 'rejected' || compiled.status === 'rejected') {
    await anvil.stop();
    throw node.reason ?? compiled.reason;
  }
  const provider = createProvider(anvil.url, anvil.chainId);
  const signer = createSigner(ANVIL_ACCOUNT0_PRIVATE_KEY, provider);
  const compilation = compiled.value;
  const deploy = async (file, contracts) => (await new ContractDeployer({ provider, signer, compilation, contracts, confirmations: 1 }).ensureDeployed(file, { force: true })).deployment;
  return {
    anvil,
    provider,
    deploy,
    /** AuditAnchor of a deployment, bound to the signer. */
    auditAnchor: (deployment) => new Contract(deployment.contracts.AuditAnchor.address, compilation.contracts.AuditAnchor.abi, signer),
    async stop() {
      provider.destroy();
      await anvil.stop();
    },
  };
}

/** Anchors the head of `size` leaves; resolves with the receipt (status 1) and what audit_anchor records. */
async function anchorHead(lib, auditAnchor, tree, size, index) {
  const root = `0x${hex(lib.merkle.rootOf(tree, size))}`;
  const started = performance.now();
  const tx = await auditAnchor.anchor(size, root);
  const receipt = await tx.wait(1);
  const ms = performance.now() - started;
  if (!receipt || receipt.status !== 1) throw new Error(`anchor of size ${size}: expected a successful receipt, got status ${receipt?.status}`);
  const block = await auditAnchor.runner.provider.getBlock(receipt.blockNumber);
  return { size, gas: Number(receipt.gasUsed), ms, row: { anchor_index: index, tree_size: size, root_hash: root, tx_hash: receipt.hash, block_number: receipt.blockNumber, anchored_at: block.timestamp * 1000 } };
}

/** The verifier CLI of this build, waiting up to `waitSeconds` for it to appear (it may still be being built). */
async function verifierCli(waitSeconds) {
  const cli = join(dist, 'audit', 'verify', 'verify.cli.js');
  const deadline = Date.now() + waitSeconds * 1000;
  while (!existsSync(cli) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5000));
  return existsSync(cli) ? cli : undefined;
}

/** Runs the verifier end to end; resolves with its exit, wall time and output. */
function runVerifier(cli, args) {
  return new Promise((ok, fail) => {
    const started = performance.now();
    const child = spawn(process.execPath, [cli, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_OPTIONS: '' } });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (c) => (out += c));
    child.stderr.setEncoding('utf8').on('data', (c) => (out += c));
    child.once('error', fail);
    child.once('exit', (code, signal) => ok({ code, signal, seconds: (performance.now() - started) / 1000, output: out.trim() }));
  });
}

/** Steps of the gas run: the first anchor of the contract (size 1), then `anchors` per batch size while the log lasts. */
function gasPlan(entries, anchors) {
  const plan = [{ batch: 1, size: 1, first: true }];
  let size = 1;
  for (const batch of [1, 100, 10_000]) {
    for (let i = 0; i < anchors && size + batch <= entries; i += 1) plan.push({ batch, size: (size += batch) });
  }
  return plan;
}

/** Sections 2 and 3: the log, its anchors every `anchorEvery`, the verifier, and gas by batch size. */
export async function logAndAnchors(lib, settings) {
  const dir = mkdtempSync(join(tmpdir(), 'fhir-gateway-audit-bench-'));
  let chain;
  let opened;
  try {
    opened = await openLog(lib, dir);
    const appendMs = await appendEntries(opened.log, settings.entries);
    const tree = await opened.log.merkleTree();
    if (tree.size !== settings.entries) throw new Error(`expected ${settings.entries} entries in the log, got ${tree.size}`);
    chain = await startChain(lib, dir);
    const deploymentFile = join(dir, 'deployment.json');
    const deployment = await chain.deploy(deploymentFile, lib.contracts);
    const anchor = chain.auditAnchor(deployment);
    const anchors = [];
    for (let size = settings.anchorEvery, i = 0; size <= settings.entries; size += settings.anchorEvery, i += 1) anchors.push(await anchorHead(lib, anchor, tree, size, i));
    if (anchors.at(-1)?.size !== settings.entries) anchors.push(await anchorHead(lib, anchor, tree, settings.entries, anchors.length));
    for (const a of anchors) await opened.db.insertInto('audit_anchor').values(a.row).execute();
    const bytes = ['', '-wal'].map((s) => (existsSync(opened.file + s) ? statSync(opened.file + s).size : 0)).reduce((a, b) => a + b, 0);
    await opened.db.destroy();
    opened = undefined;

    const log = { entries: settings.entries, appendMs, anchors: anchors.length, anchorEvery: settings.anchorEvery, databaseMiB: mib(bytes) };
    const cli = await verifierCli(settings.verifyWait);
    if (cli) {
      const args = ['--database', join(dir, 'audit.sqlite'), '--rpc', chain.anvil.url, '--deployment', deploymentFile, '--models', join(root, 'models')];
      log.verify = { ...(await runVerifier(cli, args)), command: `node ${cli.replace(`${root}/`, '')} ${args.join(' ')}` };
    } else {
      log.verifySkipped = `${join(dist, 'audit/verify/verify.cli.js').replace(`${root}/`, '')} is not built`;
    }

    // Gas: a second AuditAnchor, so that its first anchor is a contract's first again and sizes start from 1.
    const gasDeployment = await chain.deploy(join(dir, 'gas-deployment.json'), lib.contracts.filter((c) => c.name === 'AuditAnchor'));
    const gasAnchor = chain.auditAnchor(gasDeployment);
    const steps = [];
    for (const [i, step] of gasPlan(settings.entries, settings.gasAnchors).entries()) steps.push({ ...step, ...(await anchorHead(lib, gasAnchor, tree, step.size, i)) });
    const gas = { first: steps[0], batches: [], every: anchors.map((a) => a.gas) };
    for (const batch of [1, 100, 10_000]) {
      const runs = steps.filter((s) => s.batch === batch && !s.first);
      if (runs.length === 0) continue;
      const sorted = runs.map((s) => s.gas).sort((a, b) => a - b);
      gas.batches.push({ batch, n: runs.length, min: sorted[0], median: percentile(sorted, 0.5), max: sorted.at(-1), perRecord: percentile(sorted, 0.5) / batch, ms: percentile(runs.map((s) => s.ms).sort((a, b) => a - b), 0.5), sizes: [runs[0].size, runs.at(-1).size] });
    }
    return { log, gas };
  } finally {
    await opened?.db.destroy();
    await chain?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function printLog(r) {
  const { log, gas } = r;
  console.log(
    `\n[audit] log: ${log.entries.toLocaleString('en')} entries appended by AuditLog (SQLite, synchronous=FULL, groups of ${GROUP}) in ${fmt(log.appendMs / 1000, 1)} s (${fmt((1000 * log.entries) / log.appendMs)} entries/s; hospital custodial writes and patients' reads of their own record, no consent ids, 200 patients); ${log.anchors} heads anchored every ${log.anchorEvery.toLocaleString('en')} entries; database ${fmt(log.databaseMiB, 1)} MiB`,
  );
  if (log.verify) {
    const v = log.verify;
    const lines = v.output.split('\n');
    printTable(
      `[audit] audit:verify over ${log.entries.toLocaleString('en')} entries and ${log.anchors} anchors, end to end (spawn to exit)`,
      ['verifier', 'exit', 'seconds', 'entries/s', 'first line of its output'],
      [['verify.cli.js --database (SQLite) --rpc (anvil)', v.code ?? v.signal, fmt(v.seconds, 2), fmt(log.entries / v.seconds), lines[0]?.slice(0, 120) ?? '']],
    );
    console.log(`  command: ${v.command}`);
    if (v.code !== 0) for (const line of lines.slice(0, 20)) console.log(`  verifier: ${line}`);
  } else {
    console.log(`[audit] audit:verify: skipped, ${log.verifySkipped}`);
  }
  printTable(
    `[audit] gas of AuditAnchor.anchor(treeSize, root) by batch size (records per anchor; real heads of that log; anvil, cancun, optimizer 200 runs)`,
    ['batch size', 'anchors', 'sizes', 'gas/anchor min', 'median', 'max', 'gas/record (median)', 'expected/record', 'tx + receipt p50 ms'],
    [
      ['first anchor of the contract (size 1)', 1, '1', fmt(gas.first.gas), fmt(gas.first.gas), fmt(gas.first.gas), fmt(gas.first.gas), '—', fmt(gas.first.ms, 1)],
      ...gas.batches.map((b) => [`${b.batch.toLocaleString('en')} (steady state)`, b.n, `${b.sizes[0]}…${b.sizes[1]}`, fmt(b.min), fmt(b.median), fmt(b.max), fmt(b.perRecord, b.perRecord < 10 ? 2 : 0), `~${TARGETS.gasPerRecord[b.batch]}`, fmt(b.ms, 1)]),
    ],
  );
  console.log(`  the first anchor also writes the packed head slot from zero (SSTORE 0 → non-zero); the audit:verify chain's anchors every ${log.anchorEvery.toLocaleString('en')}: ${gas.every.join(', ')} gas`);
}

// ---------------------------------------------------------------------------------------------------------------
// 4. The audit append's overhead on a consented read
// ---------------------------------------------------------------------------------------------------------------

/** Entries in a gateway's audit log (its SQLite file, read-only). */
function auditCount(gateway) {
  const db = new Database(join(gateway.dataDir, 'gateway.audit.sqlite'), { readonly: true, fileMustExist: true });
  try {
    return db.prepare('select count(*) as n from audit_entry').get().n;
  } finally {
    db.close();
  }
}

/** Appending (A) vs discarding (B) gateway, as the consent benchmark alternates its pair: 2 s warm-up, rounds A B B A …, singles. */
async function appendOverhead(audited, discarded, settings) {
  const targets = [audited, discarded];
  for (const target of targets) await loadRound(target, 2, settings.connections);
  const counts = targets.map((t) => auditCount(t.gateway));
  const rounds = new Map(targets.map((t) => [t, []]));
  for (let i = 0; i < settings.auditRounds; i += 1) {
    for (const target of i % 2 === 0 ? targets : [...targets].reverse()) rounds.get(target).push(await loadRound(target, settings.duration / settings.auditRounds, settings.connections));
  }
  const appended = targets.map((t, i) => auditCount(t.gateway) - counts[i]);
  const singles = await interleavedSingles(targets, settings.readSequential);
  const results = targets.map((target, i) => {
    const runs = rounds.get(target);
    const served = runs.reduce((s, r) => s + r.total, 0);
    const single = summarize(singles[i]);
    return {
      name: target.name,
      rps: served / runs.reduce((s, r) => s + r.seconds, 0),
      served,
      appended: appended[i],
      cpuPerRequest: (1e6 * runs.reduce((s, r) => s + r.cpu, 0)) / served,
      rounds: runs.map((r) => r.rps),
      loadP50: runs.reduce((s, r) => s + r.p50, 0) / runs.length,
      loadP99: Math.max(...runs.map((r) => r.p99)),
      p50: single.p50,
      p99: single.p99,
      rss: Math.max(...runs.map((r) => r.peak)),
    };
  });
  const [a, b] = results;
  return { audited: a, discarded: b, overhead: 1 - a.rps / b.rps, cpuOverhead: a.cpuPerRequest / b.cpuPerRequest - 1 };
}

/**
 * AuditLog alone, in this process, under `connections` concurrent appenders (each appends the entry a consented read
 * appends and awaits it durable, then the next) for `seconds`: appends/s, CPU and event-loop time per append.
 */
export async function appendInProcess(lib, { connections, seconds }) {
  const dir = mkdtempSync(join(tmpdir(), 'fhir-gateway-audit-append-'));
  const { db, log } = await openLog(lib, dir);
  try {
    const clinician = { subject: 'bench-clinician', username: 'bench-clinician', roles: ['clinician'], clientId: 'clinician-app', issuer: ISSUER, tokenId: 'bench', expiresAt: new Date(Date.now() + 3_600_000) };
    const event = { principal: clinician, action: 'read', outcome: 'allowed', resourceType: 'Observation', patientId: 'bench-patient', consentId: `0x${'c'.repeat(64)}`, purpose: 'TREATMENT' };
    let commits = 0;
    log.onCommitted(() => (commits += 1));
    const run = async (ms, latencies) => {
      const deadline = performance.now() + ms;
      let count = 0;
      await Promise.all(
        Array.from({ length: connections }, async () => {
          while (performance.now() < deadline) {
            const t = process.hrtime.bigint();
            await log.append(event);
            latencies?.push(Number(process.hrtime.bigint() - t) / 1000);
            count += 1;
          }
        }),
      );
      return count;
    };
    await run(1000); // warm-up
    commits = 0;
    const latencies = [];
    const cpu = process.cpuUsage();
    const elu = performance.eventLoopUtilization();
    const started = performance.now();
    const count = await run(seconds * 1000, latencies);
    const wall = performance.now() - started;
    const used = process.cpuUsage(cpu);
    const loop = performance.eventLoopUtilization(elu);
    return {
      connections,
      seconds: wall / 1000,
      count,
      commits,
      rate: (1000 * count) / wall,
      cpuPerAppend: (used.user + used.system) / count,
      loopPerAppend: (1000 * loop.active) / count,
      latency: stats(latencies),
    };
  } finally {
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Boots the appending and the discarding gateway (in parallel); if either fails, stops the other. */
async function startPair() {
  const started = await Promise.allSettled([startGateway({}), startGateway({ BENCH_DISCARD_AUDIT: 'true' })]);
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) {
    await Promise.all(started.filter((s) => s.status === 'fulfilled').map((s) => s.value.stop()));
    throw failed.reason;
  }
  return started.map((s) => s.value);
}

/** Section 4: the HTTP A/B of the appending and the discarding gateway. */
export async function appendBenchmarks(settings) {
  const crypto = await loadCrypto();
  const [appending, discarding] = await startPair();
  console.log(`\n== audit append: gateway ready in ${fmt(appending.readyMs / 1000, 1)} s (pid ${appending.pid}), gateway with BENCH_DISCARD_AUDIT=true in ${fmt(discarding.readyMs / 1000, 1)} s (pid ${discarding.pid}) ==`);
  try {
    if (!discarding.stderrText().includes(DISCARD_WARNING)) throw new Error(`the gateway started with BENCH_DISCARD_AUDIT=true did not warn "${DISCARD_WARNING}": is the build older than the switch?`);
    if (appending.stderrText().includes(DISCARD_WARNING)) throw new Error('the appending gateway warned that it discards its audit log');
    const [audited, discarded] = await Promise.all([consentedRead('gateway, audit append (as shipped)', appending, crypto), consentedRead('gateway, audit discarded (bench switch)', discarding, crypto)]);
    return { http: await appendOverhead(audited, discarded, settings), bytes: audited.bytes };
  } finally {
    for (const [gateway, label] of [[discarding, 'discarding gateway'], [appending, 'appending gateway']]) {
      const stopped = await gateway.stop();
      console.log(`${label} stopped: exit ${stopped.code ?? stopped.signal} after ${fmt(stopped.stopMs)} ms; embedded anvil ${stopped.anvilLeft ? 'STILL RUNNING (leftover)' : 'stopped'}`);
    }
  }
}

function printAppend(r, settings) {
  const { http } = r;
  printTable(
    `[audit] clinician's GET /fhir/Observation/<id> under an active consent, with and without its audit append (claimed store, key release; ${r.bytes} bytes; ${settings.connections} connections, ${settings.auditRounds} × ${fmt(settings.duration / settings.auditRounds, 1)} s each, alternating A B B A …, after a 2 s warm-up; single: ${settings.readSequential} one at a time)`,
    ['target', 'req/s', 'rounds req/s', 'served', 'entries appended', 'CPU µs/req', 'load p50 ms', 'load p99 ms', 'single p50 µs', 'single p99 µs', 'peak RSS MiB'],
    [http.audited, http.discarded].map((x) => [x.name, fmt(x.rps), x.rounds.map((v) => fmt(v)).join(' '), x.served, x.appended, fmt(x.cpuPerRequest), fmt(x.loadP50, 1), fmt(x.loadP99), fmt(x.p50), fmt(x.p99), fmt(x.rss, 1)]),
  );
  console.log(
    `append overhead: 1 - with/without throughput = ${fmt(100 * http.overhead, 1)}% (ratio ${fmt(http.audited.rps / http.discarded.rps, 3)}; target ≤ 10%); gateway CPU per request ${http.cpuOverhead >= 0 ? '+' : ''}${fmt(100 * http.cpuOverhead, 1)}%; single-request p50 ${fmt(http.audited.p50 / http.discarded.p50, 3)}x, p99 ${fmt(http.audited.p99 / http.discarded.p99, 3)}x; ${fmt(http.audited.appended / http.audited.served, 3)} entries appended per request served (the discarding gateway: ${http.discarded.appended})`,
  );
}

function printAppendInProcess(runs, http) {
  printTable(
    `[audit] AuditLog alone in this process: concurrent appenders of a consented read's entry (append → durable → next; each ${fmt(runs.at(-1).seconds, 1)} s after a 1 s warm-up), fresh SQLite (synchronous=FULL)`,
    ['appenders', 'appends/s', 'appends', 'commits', 'entries/commit', 'CPU µs/append', 'event loop µs/append', 'append→durable p50 ms', 'p99 ms'],
    runs.map((p) => [p.connections, fmt(p.rate), p.count, p.commits, fmt(p.count / p.commits, 1), fmt(p.cpuPerAppend, 1), fmt(p.loopPerAppend, 1), fmt(p.latency.p50 / 1000, 2), fmt(p.latency.p99 / 1000, 2)]),
  );
  const p = runs.at(-1);
  if (!http) return;
  console.log(
    `  cross-check of the A/B: event-loop time per append (its synchronous SQLite commit and fsync included) × the read's throughput without the append = ${fmt(100 * p.loopPerAppend * 1e-6 * http.discarded.rps, 1)}% of a saturated gateway's loop; CPU per append / the appending gateway's CPU per request = ${fmt((100 * p.cpuPerAppend) / http.audited.cpuPerRequest, 1)}% (both at ${p.connections} appenders, where commits group ${fmt(p.count / p.commits, 0)} entries; a gateway's commits group only the appends made in one turn of its event loop)`,
  );
}

// ---------------------------------------------------------------------------------------------------------------
// All sections, summary rows, settings
// ---------------------------------------------------------------------------------------------------------------

/** Runs every audit benchmark (a failure of one does not stop the others); prints their tables, returns the figures. */
export async function runAuditBenchmarks(settings) {
  console.log(`\n== audit log (issue 6) ==`);
  const lib = await loadAudit();
  const result = {};
  const section = async (name, work, print) => {
    if (!settings.sections.includes(name)) return;
    try {
      result[name] = await work();
      print(result[name]);
    } catch (error) {
      console.error(`audit ${name} bench failed: ${error.stack ?? error.message}`);
      result[`${name}Failed`] = error.message.split('\n')[0];
    }
  };
  await section('proofs', () => inclusionProofs(lib, { leaves: settings.proofLeaves, samples: settings.proofSamples }), printProofs);
  await section('anchoring', () => logAndAnchors(lib, settings), printLog);
  await section('append', () => appendBenchmarks(settings), (r) => printAppend(r, settings));
  await section(
    'appendInProcess',
    async () => [await appendInProcess(lib, { connections: 1, seconds: 2 }), await appendInProcess(lib, { connections: settings.connections, seconds: Math.max(2, settings.duration / 2) })],
    (r) => printAppendInProcess(r, result.append?.http),
  );
  return result;
}

/** Rows for run.mjs's summary table: [benchmark, target, measured, ratio, met?]. Gas "met" means at most 10% above the expectation. */
export function auditSummaryRows(result) {
  const rows = [];
  if (!result) return rows;
  if (result.failed) rows.push(['[audit] benchmarks', '—', `FAILED: ${result.failed}`, '—', '—']);
  for (const name of ['proofs', 'anchoring', 'append', 'appendInProcess']) if (result[`${name}Failed`]) rows.push([`[audit] ${name} benchmarks`, '—', `FAILED: ${result[`${name}Failed`]}`, '—', '—']);
  const gas = result.anchoring?.gas;
  for (const b of gas?.batches ?? []) {
    const expected = TARGETS.gasPerRecord[b.batch];
    rows.push([`[audit] gas per record, batch ${b.batch.toLocaleString('en')} (median of ${b.n} anchors; ${fmt(b.median)} gas/anchor)`, `≈ ${expected}`, fmt(b.perRecord, b.perRecord < 10 ? 2 : 0), fmt(b.perRecord / expected, 2), b.perRecord <= 1.1 * expected ? 'yes' : 'NO']);
  }
  if (gas) rows.push(['[audit] gas of a contract\'s first anchor (head slot written from zero)', '—', fmt(gas.first.gas), '—', '—']);
  const http = result.append?.http;
  if (http) {
    const goal = TARGETS.appendOverhead;
    rows.push([`[audit] append overhead on a consented read, throughput (${fmt(http.audited.rps)} vs ${fmt(http.discarded.rps)} req/s)`, '≤ 10%', `${fmt(100 * http.overhead, 1)}%`, fmt(http.overhead / goal, 2), http.overhead <= goal ? 'yes' : 'NO']);
    rows.push(['[audit] append overhead, gateway CPU per request', '—', `${fmt(100 * http.cpuOverhead, 1)}%`, '—', '—']);
  }
  const p = result.appendInProcess?.at(-1);
  if (p) rows.push([`[audit] AuditLog alone, ${p.connections} concurrent appenders: appends/s; CPU / event-loop µs per append`, '—', `${fmt(p.rate)}/s; ${fmt(p.cpuPerAppend, 1)} / ${fmt(p.loopPerAppend, 1)} µs`, '—', '—']);
  const proofs = result.proofs;
  if (proofs) rows.push([`[audit] verify an inclusion proof, log of ${proofs.leaves.toLocaleString('en')}, p50 (p99 ${fmt(proofs.verify.p99, 1)} µs)`, `≤ ${TARGETS.verifyP50Us} µs`, `${fmt(proofs.verify.p50, 1)} µs`, fmt(proofs.verify.p50 / TARGETS.verifyP50Us, 2), proofs.verify.p50 <= TARGETS.verifyP50Us ? 'yes' : 'NO']);
  const log = result.anchoring?.log;
  if (log?.verify) {
    const v = log.verify;
    const passed = v.code === 0;
    rows.push([`[audit] audit:verify over ${log.entries.toLocaleString('en')} entries (${fmt(log.entries / v.seconds)} entries/s; ${passed ? 'PASS' : `exit ${v.code ?? v.signal}`})`, `< ${TARGETS.auditVerifySeconds} s`, `${fmt(v.seconds, 1)} s`, fmt(v.seconds / TARGETS.auditVerifySeconds, 2), passed && v.seconds < TARGETS.auditVerifySeconds ? 'yes' : 'NO']);
  } else if (log) {
    rows.push(['[audit] audit:verify', `< ${TARGETS.auditVerifySeconds} s`, `skipped: ${log.verifySkipped}`, '—', '—']);
  }
  return rows;
}

/** The audit benchmarks' settings from the environment (the shared ones as run.mjs reads them). */
export function auditSettings(shared) {
  const number = (name, fallback) => Number(process.env[name] ?? fallback);
  return {
    ...shared,
    proofLeaves: number('BENCH_AUDIT_PROOF_LEAVES', 1_000_000),
    proofSamples: number('BENCH_AUDIT_PROOF_SAMPLES', 10_000),
    entries: number('BENCH_AUDIT_ENTRIES', 100_000),
    anchorEvery: number('BENCH_AUDIT_ANCHOR_EVERY', 10_000),
    gasAnchors: number('BENCH_AUDIT_GAS_ANCHORS', 10),
    auditRounds: number('BENCH_AUDIT_ROUNDS', 5),
    verifyWait: number('BENCH_AUDIT_VERIFY_WAIT', 0),
    sections: (process.env.BENCH_AUDIT_SECTIONS ?? 'proofs,anchoring,append,appendInProcess').split(',').map((x) => x.trim()),
  };
}

/** True when a run of the audit benchmarks failed in any section. */
export function auditFailed(result) {
  return Object.keys(result ?? {}).some((k) => k === 'failed' || k.endsWith('Failed'));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const number = (name, fallback) => Number(process.env[name] ?? fallback);
  const started = performance.now();
  const settings = auditSettings({ duration: number('BENCH_DURATION', 10), connections: number('BENCH_CONNECTIONS', 32), readSequential: number('BENCH_READ_SEQUENTIAL', 2000) });
  process.on('SIGINT', () => void stopAll().finally(() => process.exit(130)));
  runAuditBenchmarks(settings)
    .then((result) => {
      printTable('== audit summary: targets (measured here, not asserted; ratio = measured / target) ==', ['benchmark', 'target', 'measured', 'ratio', 'met?'], auditSummaryRows(result));
      console.log(`(audit benchmarks: ${fmt((performance.now() - started) / 1000)} s)`);
      if (auditFailed(result)) process.exitCode = 1;
    })
    .catch(async (error) => {
      console.error('audit bench failed:', error.stack ?? error.message);
      await stopAll();
      process.exitCode = 1;
    });
}
