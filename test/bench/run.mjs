// `npm run bench`: the gateway (a child process, as `npm start` runs it) against bare Fastify serving the same
// bytes, in one run. Sections:
//   1. GET /api/whoami, authenticated, vs the baseline (requests/s, latencies, peak RSS, ratios);
//   2. the FHIR storage benchmarks (fhir-bench.mjs) on SQLite, then again on PostgreSQL: transaction Bundle latency,
//      sustained ingestion, a custodial read vs the baseline, a patient-scoped code search;
//   3. the consent benchmarks (consent-bench.mjs, SQLite, a claimed store): a clinician's consented read with and
//      without enforcement (a second gateway with BENCH_BYPASS_ENFORCEMENT=true), and revocation latency;
//   4. the inference benchmarks (inference-bench.mjs): inference plus its exact explanation in process, and
//      `$diagnose` (Pooled Cohort Equations) end to end on a gateway (SQLite, claimed store, DIAGNOSIS consent) vs
//      bare Fastify answering the same bytes and the gateway's consented read;
//   5. the audit-log benchmarks (audit-bench.mjs, issue 6): inclusion proofs in a log of 1,000,000 entries; a real log of
//      100,000 entries (AuditLog on SQLite) anchored every 10,000 on anvil and checked by `audit:verify` end to end; gas
//      per audit record at batch sizes 1, 100 and 10,000; a clinician's consented read with and without its audit
//      append (a second gateway with BENCH_DISCARD_AUDIT=true), and AuditLog alone in process;
//   6. a summary against the issues' targets. Targets are measured and printed, never asserted.
// Settings (environment): BENCH_DURATION (s under load, default 10), BENCH_CONNECTIONS (default 32),
// BENCH_TX_POSTS (sequential Bundles, default 50), BENCH_BUNDLE_SIZE (default 100), BENCH_INGEST_CLIENTS (default 4),
// BENCH_INGEST_DURATION (s, default 10), BENCH_SEARCH_SAMPLES (default 100), BENCH_READ_SEQUENTIAL (default 2000),
// BENCH_ADAPTERS (default sqlite,postgres), TEST_POSTGRES_URL (admin URL that may create databases),
// BENCH_CPU_PROF (a directory: the gateway writes a V8 CPU profile there when it stops), BENCH_GATEWAY_MAIN (another
// build's main.js, e.g. a copy of gateway/dist that a concurrent rebuild cannot delete mid-run), BENCH_CONSENT (false
// skips section 3; its own settings are listed in consent-bench.mjs), BENCH_INFERENCE (false skips section 4; its own
// settings are listed in inference-bench.mjs), BENCH_AUDIT (false skips section 5; its own settings are listed in
// audit-bench.mjs).
import { auditFailed, auditSettings, auditSummaryRows, runAuditBenchmarks } from './audit-bench.mjs';
import { consentSettings, runConsentBenchmarks } from './consent-bench.mjs';
import { runFhirBenchmarks } from './fhir-bench.mjs';
import { startBaseline, startGateway, stopAll } from './gateway-process.mjs';
import { inferenceSettings, inferenceSummaryRows, runInferenceBenchmarks } from './inference-bench.mjs';
import { measureGet } from './http-load.mjs';
import { createBenchDatabase, redacted } from './postgres.mjs';
import { fmt, printTable } from './report.mjs';

const number = (name, fallback) => Number(process.env[name] ?? fallback);
const settings = {
  duration: number('BENCH_DURATION', 10),
  connections: number('BENCH_CONNECTIONS', 32),
  whoamiSequential: 5000,
  readSequential: number('BENCH_READ_SEQUENTIAL', 2000),
  txPosts: number('BENCH_TX_POSTS', 50),
  txWarmup: 3,
  bundleSize: number('BENCH_BUNDLE_SIZE', 100),
  ingestClients: number('BENCH_INGEST_CLIENTS', 4),
  ingestSeconds: number('BENCH_INGEST_DURATION', 10),
  searchSamples: number('BENCH_SEARCH_SAMPLES', 100),
};
const adapters = (process.env.BENCH_ADAPTERS ?? 'sqlite,postgres').split(',').map((a) => a.trim());
/** Cleanups to run however the run ends (e.g. dropping the PostgreSQL database). */
const cleanups = [];

process.on('SIGINT', () => {
  void stopAll()
    .then(() => Promise.allSettled(cleanups.map((c) => c())))
    .finally(() => process.exit(130));
});

/** Section 1, the original benchmark: GET /api/whoami with a clinician's token vs the baseline. */
async function whoami(gateway, baseline) {
  const path = '/api/whoami';
  const headers = { authorization: `Bearer ${await gateway.clinicianToken()}` };
  const sample = await fetch(`${gateway.base}${path}`, { headers });
  const body = await sample.text();
  if (!sample.ok) throw new Error(`${path} answered ${sample.status}`);
  await baseline.serve(path, body, sample.headers.get('content-type') ?? 'application/json');
  const load = { duration: settings.duration, connections: settings.connections, sequentialCount: settings.whoamiSequential };
  const results = [
    await measureGet('bare Fastify (baseline)', `${baseline.base}${path}`, {}, baseline.pid, load),
    await measureGet('gateway, authenticated', `${gateway.base}${path}`, headers, gateway.pid, load),
  ];
  printTable(
    `[whoami] GET ${path} (${body.length} bytes; ${settings.connections} connections, ${settings.duration} s after a 2 s warm-up; single: ${settings.whoamiSequential} one at a time)`,
    ['target', 'req/s', 'load p50 ms', 'load p99 ms', 'single p50 µs', 'single p99 µs', 'peak RSS MiB', 'RSS now MiB'],
    results.map((r) => [r.name, fmt(r.rps), fmt(r.loadP50), fmt(r.loadP99), fmt(r.p50), fmt(r.p99), fmt(r.rss, 1), fmt(r.rssNow, 1)]),
  );
  const [b, g] = results;
  console.log(`ratio gateway/baseline: throughput ${fmt(g.rps / b.rps, 3)}, single-request p50 ${fmt(g.p50 / b.p50, 2)}x, p99 ${fmt(g.p99 / b.p99, 2)}x, peak RSS ${fmt(g.rss / b.rss, 2)}x`);
  return { bare: b, gateway: g, ratio: g.rps / b.rps };
}

/** Boots a gateway, runs `work` on it and stops it (SIGTERM, wait for exit, check its anvil is gone). */
async function withGateway(label, env, work) {
  const gateway = await startGateway(env);
  console.log(`\n== ${label}: gateway ready in ${fmt(gateway.readyMs / 1000, 1)} s (pid ${gateway.pid}, DEMO_DATA=false, LOG_LEVEL=info, fresh DATA_DIR) ==`);
  try {
    return await work(gateway);
  } finally {
    const stopped = await gateway.stop();
    console.log(`gateway stopped: exit ${stopped.code ?? stopped.signal} after ${fmt(stopped.stopMs)} ms; embedded anvil ${{ true: 'STILL RUNNING (leftover)', false: 'stopped', undefined: 'none (external chain)' }[stopped.anvilLeft]}`);
  }
}

/** Sections 2: one adapter's FHIR benchmarks, or why they did not run. */
async function fhirOn(adapter, baseline, first) {
  if (adapter === 'sqlite') {
    return withGateway('SQLite (default)', {}, async (gateway) => ({ whoami: first ? await whoami(gateway, baseline) : undefined, fhir: await runFhirBenchmarks('sqlite', gateway, baseline, settings) }));
  }
  if (adapter !== 'postgres') throw new Error(`BENCH_ADAPTERS: expected sqlite and/or postgres, got ${adapter}`);
  const database = await createBenchDatabase();
  if (database.unreachable) {
    console.log(`\n== PostgreSQL: skipped, the server at ${redacted(process.env.TEST_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/postgres')} is unreachable (${database.unreachable}) ==`);
    return { skipped: database.unreachable };
  }
  cleanups.push(database.drop);
  try {
    return await withGateway(`PostgreSQL (DATABASE_URL=${redacted(database.url)})`, { DATABASE_URL: database.url }, async (gateway) => ({
      whoami: first ? await whoami(gateway, baseline) : undefined,
      fhir: await runFhirBenchmarks('postgres', gateway, baseline, settings),
    }));
  } finally {
    await database.drop();
    cleanups.splice(cleanups.indexOf(database.drop), 1);
  }
}

function printSummary(runs, baselineRss, consent, inference, audit) {
  const rows = [];
  const target = (name, goal, measured, unit, atMost) => {
    const ratio = measured / goal;
    rows.push([name, `${atMost ? '≤' : '≥'} ${goal}${unit}`, `${fmt(measured, measured < 1 ? 3 : measured < 10 ? 2 : 0)}${unit}`, fmt(ratio, 2), (atMost ? ratio <= 1 : ratio >= 1) ? 'yes' : 'NO']);
  };
  const whoamiRun = runs.find((r) => r.whoami);
  if (whoamiRun) rows.push(['whoami throughput / bare Fastify', '—', fmt(whoamiRun.whoami.ratio, 3), '—', '—']);
  const memory = [];
  for (const run of runs) {
    if (run.skipped || run.failed) {
      rows.push([`[${run.adapter}] FHIR benchmarks`, '—', run.skipped ? `skipped: ${run.skipped}` : `FAILED: ${run.failed}`, '—', '—']);
      continue;
    }
    const { label, tx, ingest, read, search } = run.fhir;
    target(`[${label}] transaction of ${settings.bundleSize}, p50`, 150, tx.latency.p50, ' ms', true);
    target(`[${label}] sustained ingestion`, 1500, ingest.rate, ' res/s', false);
    target(`[${label}] read throughput / bare Fastify`, 0.4, read.ratio, '', false);
    target(`[${label}] code search (${search.matched} matched), p50`, 20, search.latency.p50, ' ms', true);
    memory.push([`gateway on ${label}`, fmt(run.whoami?.gateway.rss, 1), fmt(tx.rss, 1), fmt(ingest.rss, 1), fmt(read.read.rss, 1), fmt(search.rss, 1)]);
  }
  if (consent?.failed) rows.push(['[consent] benchmarks', '—', `FAILED: ${consent.failed}`, '—', '—']);
  if (consent?.overhead) {
    const { overhead, revocation } = consent;
    const percent = (name, value) => rows.push([name, '≤ 10%', `${fmt(100 * value, 1)}%`, fmt(value / 0.1, 2), value <= 0.1 ? 'yes' : 'NO']);
    percent('[consent] enforcement overhead, throughput', overhead.overhead);
    percent('[consent] enforcement overhead, gateway CPU per request', overhead.cpuOverhead);
    rows.push(['[consent] GraphQL revocation → 404, p95 (max)', '—', `${fmt(revocation.graphql.latency.p95)} ms (${fmt(revocation.graphql.latency.max)} ms)`, '—', '—']);
    target(`[consent] chain revocation → 404, max (p95 ${fmt(revocation.chain.latency.p95)} ms)`, revocation.bound, revocation.chain.latency.max, ' ms', true);
  }
  rows.push(...inferenceSummaryRows(inference));
  rows.push(...auditSummaryRows(audit));
  printTable('== summary: targets (measured here, not asserted; ratio = measured / target) ==', ['benchmark', 'target', 'measured', 'ratio', 'met?'], rows);
  printTable('peak RSS per phase, MiB (VmHWM reset at each phase start)', ['process', 'whoami', 'transactions', 'ingestion', 'read', 'search'], [...memory, ['bare Fastify (baseline)', fmt(baselineRss.whoami, 1), '—', '—', fmt(baselineRss.read, 1), '—']]);
}

async function main() {
  const started = performance.now();
  console.log(
    `bench: node ${process.version}; load: autocannon, ${settings.connections} connections, ${settings.duration} s after a 2 s warm-up (1 ms resolution); single: one request at a time over one keep-alive connection`,
  );
  const baseline = await startBaseline('{}', 'application/json');
  const runs = [];
  let failed = false;
  try {
    for (const [i, adapter] of adapters.entries()) {
      try {
        runs.push({ adapter, ...(await fhirOn(adapter, baseline, i === 0)) });
      } catch (error) {
        failed = true;
        console.error(`bench on ${adapter} failed: ${error.stack ?? error.message}`);
        runs.push({ adapter, failed: error.message.split('\n')[0] });
      }
    }
    let consent;
    if (process.env.BENCH_CONSENT !== 'false') {
      try {
        consent = await runConsentBenchmarks(consentSettings(settings));
      } catch (error) {
        failed = true;
        console.error(`consent bench failed: ${error.stack ?? error.message}`);
        consent = { failed: error.message.split('\n')[0] };
      }
    }
    let inference;
    if (process.env.BENCH_INFERENCE !== 'false') {
      try {
        inference = await runInferenceBenchmarks(inferenceSettings(settings), { baseline });
        if (inference.inProcessFailed || inference.diagnoseFailed) failed = true;
      } catch (error) {
        failed = true;
        console.error(`inference bench failed: ${error.stack ?? error.message}`);
        inference = { inProcessFailed: error.message.split('\n')[0] };
      }
    }
    let audit;
    if (process.env.BENCH_AUDIT !== 'false') {
      try {
        audit = await runAuditBenchmarks(auditSettings(settings));
        if (auditFailed(audit)) failed = true;
      } catch (error) {
        failed = true;
        console.error(`audit bench failed: ${error.stack ?? error.message}`);
        audit = { failed: error.message.split('\n')[0] };
      }
    }
    const readBaselines = runs.filter((r) => r.fhir).map((r) => r.fhir.read.bare.rss);
    printSummary(runs, { whoami: runs.find((r) => r.whoami)?.whoami.bare.rss, read: readBaselines.length ? Math.max(...readBaselines) : undefined }, consent, inference, audit);
    console.log(`(whole run: ${fmt((performance.now() - started) / 1000)} s; figures are indicative when other work shares the CPU)`);
  } finally {
    await stopAll();
  }
  if (failed) process.exitCode = 1;
}

main().catch(async (error) => {
  console.error('bench failed:', error.stack ?? error.message);
  await stopAll();
  await Promise.allSettled(cleanups.map((c) => c()));
  process.exit(1);
});
