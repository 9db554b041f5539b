// `npm run bench`: an authenticated gateway endpoint against bare Fastify serving the same JSON, in one run.
// Prints requests/s, p50/p99 latency and peak RSS of each server process, and the gateway/baseline ratios.
// Settings: BENCH_DURATION (s, default 10), BENCH_CONNECTIONS (default 32).
import { fork, spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { freePort } from '../../gateway/dist/common/index.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const duration = Number(process.env.BENCH_DURATION ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 32);
const children = new Set();

async function waitFor(url, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} not ready within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Resident set size of a live process in MiB: `VmHWM` (peak since start) or `VmRSS` (now). */
function rssMiB(pid, field) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN) / 1024;
}

/** Stops every server this run started and waits until each has exited (the gateway stops its anvil first). */
async function stopAll() {
  await Promise.all(
    [...children].map(
      (child) =>
        new Promise((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', resolve);
          child.kill('SIGTERM');
        }),
    ),
  );
  children.clear();
}
process.on('SIGINT', () => {
  void stopAll().finally(() => process.exit(130));
});

/**
 * Latency of one request at a time over one keep-alive connection, in µs (autocannon's histogram has 1 ms
 * resolution, too coarse for a local server): the cost of a request without queueing.
 */
async function sequentialLatency(url, headers, count) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const once = () =>
    new Promise((resolve, reject) => {
      const started = process.hrtime.bigint();
      const req = request(url, { agent, headers }, (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? resolve(Number(process.hrtime.bigint() - started) / 1000) : reject(new Error(`status ${res.statusCode}`))));
      });
      req.on('error', reject);
      req.end();
    });
  for (let i = 0; i < 200; i += 1) await once(); // warm-up
  const samples = [];
  for (let i = 0; i < count; i += 1) samples.push(await once());
  agent.destroy();
  samples.sort((a, b) => a - b);
  return { p50: samples[Math.floor(count * 0.5)], p99: samples[Math.floor(count * 0.99)] };
}

async function measure(name, url, headers, pid) {
  await autocannon({ url, connections, duration: 2, headers }); // warm-up: JIT, connection pools, key caches
  const result = await autocannon({ url, connections, duration, headers });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${name}: ${result.non2xx} non-2xx answers and ${result.errors} errors`);
  const single = await sequentialLatency(url, headers, 5000);
  return { name, rps: result.requests.average, loadP50: result.latency.p50, loadP99: result.latency.p99, p50: single.p50, p99: single.p99, rss: rssMiB(pid, 'VmHWM'), rssNow: rssMiB(pid, 'VmRSS'), total: result.requests.total };
}

async function main() {
  const dataDir = mkdtempSync(join(tmpdir(), 'fhir-gateway-bench-'));
  try {
    const gatewayPort = await freePort();
    const base = `http://127.0.0.1:${gatewayPort}`;
    const gateway = spawn(process.execPath, [join(root, 'gateway/dist/main.js')], {
      env: { ...process.env, NODE_ENV: 'development', PORT: String(gatewayPort), PUBLIC_URL: base, DATA_DIR: dataDir, LOG_LEVEL: 'info' },
      // As `npm start` runs it: info level, two JSON log lines per request (written to /dev/null here).
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    children.add(gateway);
    await waitFor(`${base}/health/ready`, 60_000);

    const accounts = JSON.parse(readFileSync(join(dataDir, 'demo-accounts.json'), 'utf8'));
    const clinician = accounts.users.find((u) => u.roles.includes('clinician'));
    const tokenResponse = await fetch(`${base}/auth/realms/fhir-gateway/protocol/openid-connect/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'password', client_id: 'fhir-gateway-cli', username: clinician.username, password: clinician.password }),
    });
    if (!tokenResponse.ok) throw new Error(`token endpoint answered ${tokenResponse.status}`);
    const { access_token: token } = await tokenResponse.json();
    const path = '/api/whoami';
    const headers = { authorization: `Bearer ${token}` };
    const sample = await fetch(`${base}${path}`, { headers });
    if (!sample.ok) throw new Error(`${path} answered ${sample.status}`);
    const body = await sample.text();

    const baselinePort = await freePort();
    const baseline = fork(join(root, 'test/bench/baseline-server.mjs'), {
      env: { ...process.env, PORT: String(baselinePort), BENCH_BODY: body, BENCH_CONTENT_TYPE: sample.headers.get('content-type') ?? 'application/json' },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    children.add(baseline);
    await new Promise((ok) => baseline.once('message', ok));

    console.log(`bench: ${duration} s per target after a 2 s warm-up, ${connections} connections, GET ${path} (${body.length} bytes), node ${process.version}`);
    const results = [
      await measure('bare Fastify (baseline)', `http://127.0.0.1:${baselinePort}${path}`, {}, baseline.pid),
      await measure('gateway, authenticated', `${base}${path}`, headers, gateway.pid),
    ];
    const row = (cells) => cells.map((c, i) => String(c).padStart(i === 0 ? 0 : 14).padEnd(i === 0 ? 26 : 0)).join('');
    console.log(row(['target', 'req/s', 'load p50 ms', 'load p99 ms', 'single p50 µs', 'single p99 µs', 'peak RSS MiB', 'RSS now MiB']));
    for (const r of results) {
      console.log(row([r.name, r.rps.toFixed(0), r.loadP50.toFixed(0), r.loadP99.toFixed(0), r.p50.toFixed(0), r.p99.toFixed(0), r.rss.toFixed(1), r.rssNow.toFixed(1)]));
    }
    const [b, g] = results;
    console.log(
      `ratio gateway/baseline: throughput ${(g.rps / b.rps).toFixed(3)}, single-request p50 ${(g.p50 / b.p50).toFixed(2)}x, p99 ${(g.p99 / b.p99).toFixed(2)}x, peak RSS ${(g.rss / b.rss).toFixed(2)}x`,
    );
    console.log('(load: autocannon with the connections above, 1 ms resolution; single: one request at a time over one keep-alive connection;');
    console.log(" the gateway's peak RSS includes its first-start compile of the contracts with solc-js, which a warm start skips)");
  } finally {
    await stopAll();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch(async (error) => {
  console.error('bench failed:', error.message);
  await stopAll();
  process.exit(1);
});
