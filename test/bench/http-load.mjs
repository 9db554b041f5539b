// Load and latency measurement for `npm run bench`: autocannon for throughput under load, and one request at a
// time for latency without queueing.
import { Agent, request } from 'node:http';
import autocannon from 'autocannon';
import { resetPeakRss, rssMiB } from './gateway-process.mjs';

/** The p-th percentile (0..1) of ascending samples (nearest rank). */
export function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(sorted.length * p) - 1))];
}

/** p50, p90, p99 and count of samples (in their unit). */
export function summarize(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: percentile(sorted, 0.5), p90: percentile(sorted, 0.9), p99: percentile(sorted, 0.99), n: sorted.length };
}

/** Runs `once` (which resolves to its duration) `warmup` times untimed, then `count` times; latencies summarized. */
export async function sequential(once, count, warmup = 0) {
  for (let i = 0; i < warmup; i += 1) await once(i);
  const samples = [];
  for (let i = 0; i < count; i += 1) samples.push(await once(i));
  return summarize(samples);
}

/** One GET over `agent` that must answer 200; resolves to its latency in µs once the body has been read. */
export function timedGet(url, headers, agent) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const req = request(url, { agent, headers }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve(Number(process.hrtime.bigint() - started) / 1000) : reject(new Error(`${url}: status ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * Latency of one GET at a time over one keep-alive connection, in µs (autocannon's histogram has 1 ms
 * resolution, too coarse for a local server): the cost of a request without queueing.
 */
export async function sequentialGetLatency(url, headers, count, warmup = 200) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    return await sequential(() => timedGet(url, headers, agent), count, warmup);
  } finally {
    agent.destroy();
  }
}

/**
 * GET `url` under load: a 2 s autocannon warm-up (JIT, connection pools, key caches), then `duration` s with
 * `connections` connections, then `sequentialCount` requests one at a time. Peak RSS covers the measured part.
 */
export async function measureGet(name, url, headers, pid, { duration, connections, sequentialCount }) {
  await autocannon({ url, connections, duration: 2, headers });
  resetPeakRss(pid);
  const result = await autocannon({ url, connections, duration, headers });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${name}: ${result.non2xx} non-2xx answers and ${result.errors} errors`);
  const single = await sequentialGetLatency(url, headers, sequentialCount);
  return {
    name,
    rps: result.requests.average,
    total: result.requests.total,
    loadP50: result.latency.p50,
    loadP99: result.latency.p99,
    p50: single.p50,
    p99: single.p99,
    rss: rssMiB(pid, 'VmHWM'),
    rssNow: rssMiB(pid, 'VmRSS'),
  };
}
