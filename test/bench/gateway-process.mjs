// The server processes of `npm run bench`: the gateway as `npm start` runs it (after its build step) and the bare
// Fastify baseline, each a child process so that its resident memory is measured on its own.
import { fork, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/**
 * The built gateway: `gateway/dist/main.js`, as `npm start` runs it. BENCH_GATEWAY_MAIN may point at a copy of a
 * build (e.g. a snapshot of gateway/dist, so that a concurrent `npm run build:gateway` cannot delete it mid-run).
 */
export const gatewayMain = resolve(process.env.BENCH_GATEWAY_MAIN ?? join(root, 'gateway/dist/main.js'));
/** Every child this run started and has not yet seen exit; {@link stopAll} ends them. */
const children = new Set();
/** The temporary DATA_DIRs of the gateways not yet stopped: {@link stopAll} deletes them too. */
const dataDirs = new Set();
/** How long a SIGTERMed gateway may take to stop its chain and exit (its own deadline is 10 s). */
const STOP_TIMEOUT_MS = 20_000;

/** Resident set size of a live process in MiB: `VmHWM` (peak since start or since {@link resetPeakRss}) or `VmRSS` (now). */
export function rssMiB(pid, field) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN) / 1024;
}

/** CPU time a live process has used so far (user + system, all its threads), in seconds (clock-tick resolution). */
export function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15 (proc(5)).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** USER_HZ: the unit of /proc/<pid>/stat's times, 100 on every Linux architecture the bench runs on. */
const CLOCK_TICKS = 100;

/**
 * Resets a process's peak RSS (`VmHWM`) to its current RSS (Linux ≥ 4.0: `echo 5 > /proc/<pid>/clear_refs`), so
 * that the next `VmHWM` reading is the peak of one phase. False when the kernel refused: the peak is then since start.
 */
export function resetPeakRss(pid) {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** Peak RSS of one phase: resets the high-water mark, runs `work`, reads it. Returns `[result, peak MiB]`. */
export async function withPeakRss(pid, work) {
  resetPeakRss(pid);
  const result = await work();
  return [result, rssMiB(pid, 'VmHWM')];
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
function freePort() {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.unref();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => ok(port));
    });
  });
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function exited(child) {
  return new Promise((ok) => {
    if (child.exitCode !== null || child.signalCode !== null) ok({ code: child.exitCode, signal: child.signalCode });
    else child.once('exit', (code, signal) => ok({ code, signal }));
  });
}

/** SIGTERM, then wait for the exit (SIGKILL after {@link STOP_TIMEOUT_MS}). */
async function stop(child) {
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited(child);
    clearTimeout(timer);
  }
  children.delete(child);
  return { code: child.exitCode, signal: child.signalCode };
}

/** Stops every server this run started and waits until each has exited (the gateway stops its anvil first). */
export async function stopAll() {
  await Promise.all([...children].map(stop));
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  dataDirs.clear();
}

/** Waits until `url` answers 2xx; the gateway's stderr is already echoed, so errors refer to it. */
async function waitForReady(url, child, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the gateway exited (${child.exitCode ?? child.signalCode}) before it was ready (its stderr is above)`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} not ready within ${timeoutMs} ms (the gateway's stderr is above)`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Node's warning that oidc-provider prefers Node 22: known, and noise in the bench output. */
const KNOWN_STDERR = /^oidc-provider WARNING: Unsupported runtime/;

/**
 * Boots the compiled gateway in a fresh temporary DATA_DIR as `npm start` does: development mode, info logging
 * (two JSON lines per request, sent to /dev/null here), embedded identity and anvil, and `DEMO_DATA=false` so no
 * demo patients are seeded. `env` adds to or overrides that (e.g. DATABASE_URL). `BENCH_CPU_PROF=<dir>` makes
 * the child write a V8 CPU profile there when it exits.
 */
export async function startGateway(env = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'fhir-gateway-bench-'));
  dataDirs.add(dataDir);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const inherited = { ...process.env };
  delete inherited.DATABASE_URL; // the SQLite run must not pick up a DATABASE_URL of the caller's shell
  const profile = process.env.BENCH_CPU_PROF ? [`--cpu-prof`, `--cpu-prof-dir=${resolve(process.env.BENCH_CPU_PROF)}`] : [];
  const started = performance.now();
  const child = spawn(process.execPath, [...profile, gatewayMain], {
    env: { ...inherited, NODE_ENV: 'development', PORT: String(port), PUBLIC_URL: base, DATA_DIR: dataDir, LOG_LEVEL: 'info', DEMO_DATA: 'false', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
    // Its own process group: a terminal's Ctrl-C reaches only the bench, which then stops the gateway with one
    // SIGTERM (a second signal would make the gateway exit without finishing its shutdown).
    detached: true,
  });
  children.add(child);
  /** What the gateway wrote to stderr (the first 64 KiB), for checks such as a warning it must print. */
  let stderrText = '';
  child.stderr.setEncoding('utf8').on('data', (chunk) => {
    if (stderrText.length < 65_536) stderrText += chunk;
    for (const line of chunk.split('\n')) if (line.trim() && !KNOWN_STDERR.test(line)) process.stderr.write(`gateway stderr: ${line}\n`);
  });
  try {
    await waitForReady(`${base}/health/ready`, child, 90_000);
  } catch (error) {
    await stop(child);
    rmSync(dataDir, { recursive: true, force: true });
    dataDirs.delete(dataDir);
    throw error;
  }
  const readyMs = performance.now() - started;
  // The embedded chain's pid file (JSON: pid, ownerPid, port, …); none when CHAIN_RPC_URL names another chain.
  let anvilPid;
  let anvilPort;
  try {
    ({ pid: anvilPid, port: anvilPort } = JSON.parse(readFileSync(join(dataDir, 'chain', 'anvil.pid'), 'utf8')));
  } catch {
    anvilPid = undefined;
  }
  const accounts = JSON.parse(readFileSync(join(dataDir, 'demo-accounts.json'), 'utf8'));
  const tokenEndpoint = `${base}/auth/realms/fhir-gateway/protocol/openid-connect/token`;

  async function token(form) {
    const response = await fetch(tokenEndpoint, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form) });
    if (!response.ok) throw new Error(`token endpoint answered ${response.status}: ${await response.text()}`);
    return (await response.json()).access_token;
  }

  return {
    base,
    pid: child.pid,
    readyMs,
    dataDir,
    /** The embedded chain's RPC URL (from its pid file); undefined when CHAIN_RPC_URL names another chain. */
    anvilUrl: anvilPort === undefined ? undefined : `http://127.0.0.1:${anvilPort}`,
    /** `<DATA_DIR>/demo-accounts.json`: the demo users (passwords, patients' mnemonics) and clients. */
    accounts,
    stderrText: () => stderrText,
    /** A demo user's access token by username (password grant). */
    userToken(username) {
      const user = accounts.users.find((u) => u.username === username);
      if (!user) throw new Error(`expected a demo user ${username} in demo-accounts.json, found none`);
      return token({ grant_type: 'password', client_id: accounts.passwordGrantClientId ?? 'fhir-gateway-cli', username: user.username, password: user.password });
    },
    /** A clinician's access token (password grant, as the existing whoami benchmark uses). */
    clinicianToken() {
      const clinician = accounts.users.find((u) => u.roles.includes('clinician'));
      return token({ grant_type: 'password', client_id: accounts.passwordGrantClientId ?? 'fhir-gateway-cli', username: clinician.username, password: clinician.password });
    },
    /** The demo hospital's access token (client_credentials); tokens live 300 s, so take one per phase. */
    hospitalToken() {
      const hospital = accounts.clients.find((c) => c.clientId === 'demo-hospital');
      return token({ grant_type: 'client_credentials', client_id: hospital.clientId, client_secret: hospital.secret });
    },
    /** SIGTERM, waits for the exit, checks that the embedded anvil is gone too, deletes the DATA_DIR. */
    async stop() {
      const began = performance.now();
      const { code, signal } = await stop(child);
      const stopMs = performance.now() - began;
      // The gateway stops its own anvil; give the kernel a moment to reap it before calling it a leftover.
      for (let i = 0; anvilPid && i < 20 && alive(anvilPid); i += 1) await new Promise((r) => setTimeout(r, 100));
      const anvilLeft = anvilPid === undefined ? undefined : alive(anvilPid);
      rmSync(dataDir, { recursive: true, force: true });
      dataDirs.delete(dataDir);
      return { code, signal, stopMs, anvilLeft };
    },
  };
}

/**
 * Starts bare Fastify (baseline-server.mjs) serving `body` on every path; `serve(path, body, contentType)` sets
 * the bytes of one path (e.g. an Observation the gateway returned), so one process serves every comparison.
 */
export async function startBaseline(body, contentType) {
  const port = await freePort();
  const child = fork(join(root, 'test/bench/baseline-server.mjs'), {
    env: { ...process.env, PORT: String(port), BENCH_BODY: body, BENCH_CONTENT_TYPE: contentType },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  children.add(child);
  await new Promise((ok, fail) => {
    child.once('message', ok);
    child.once('exit', (code) => fail(new Error(`the baseline server exited (${code}) before it was ready`)));
  });
  return {
    base: `http://127.0.0.1:${port}`,
    pid: child.pid,
    serve(path, pathBody, pathContentType) {
      return new Promise((ok) => {
        const onMessage = (message) => {
          if (message?.served !== path) return;
          child.off('message', onMessage);
          ok();
        };
        child.on('message', onMessage);
        child.send({ path, body: pathBody, contentType: pathContentType });
      });
    },
    stop: () => stop(child),
  };
}
