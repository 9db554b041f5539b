// The FHIR storage benchmarks of `npm run bench`, run once per database adapter against a started gateway:
// transaction latency and sustained ingestion, an authenticated custodial read against bare Fastify, and a
// patient-scoped code search over 5,000 records. Each prints its table; the results feed the summary.
import { measureGet, sequential, summarize } from './http-load.mjs';
import { withPeakRss } from './gateway-process.mjs';
import { countCode, observationBundle, patientResource, SEARCH_CODE, seededRandom } from './fhir-data.mjs';
import { fmt, printTable } from './report.mjs';

const FHIR_JSON = 'application/fhir+json';

/** POSTs a JSON text; resolves to the status, the parsed answer and the milliseconds until its last byte. */
async function post(url, token, text) {
  const started = performance.now();
  const response = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': FHIR_JSON, accept: FHIR_JSON }, body: text });
  const answer = await response.text();
  const ms = performance.now() - started;
  return { status: response.status, body: JSON.parse(answer), ms };
}

/** The id of every Observation a transaction created; throws unless the Bundle and each of its entries succeeded. */
function createdIds(result, size) {
  const entries = result.body.entry ?? [];
  if (result.status !== 200 || entries.length !== size || entries.some((e) => !e.response?.status?.startsWith('201'))) {
    throw new Error(`transaction answered ${result.status}: ${JSON.stringify(result.body).slice(0, 400)}`);
  }
  return entries.map((e) => e.response.location.split('/')[1]);
}

async function createPatient(base, token, label) {
  const result = await post(`${base}/fhir/Patient`, token, JSON.stringify(patientResource(label)));
  if (result.status !== 201) throw new Error(`creating a Patient answered ${result.status}: ${JSON.stringify(result.body).slice(0, 400)}`);
  return result.body.id;
}

/** Transaction latency: `posts` sequential 100-Observation Bundles for one patient (the search benchmark's data). */
async function transactionLatency(gateway, settings) {
  const token = await gateway.hospitalToken();
  const random = seededRandom(2024);
  const warmupPatient = await createPatient(gateway.base, token, 'warm-up');
  for (let i = 0; i < settings.txWarmup; i += 1) {
    createdIds(await post(`${gateway.base}/fhir`, token, JSON.stringify(observationBundle(warmupPatient, { size: settings.bundleSize, random }))), settings.bundleSize);
  }
  const patient = await createPatient(gateway.base, token, 'search');
  let expected = 0;
  let observationId;
  const [latency, rss] = await withPeakRss(gateway.pid, () =>
    sequential(async (index) => {
      const bundle = observationBundle(patient, { index, of: settings.txPosts, size: settings.bundleSize, random });
      expected += countCode(bundle, SEARCH_CODE);
      const result = await post(`${gateway.base}/fhir`, token, JSON.stringify(bundle));
      const ids = createdIds(result, settings.bundleSize);
      observationId ??= ids[0];
      return result.ms;
    }, settings.txPosts),
  );
  return { patient, observationId, expected, latency, rss, resources: settings.txPosts * settings.bundleSize, warmupResources: settings.txWarmup * settings.bundleSize };
}

/** Sustained ingestion: `clients` concurrent clients, each posting Bundles for its own patient for `seconds`. */
async function sustainedIngestion(gateway, settings) {
  const token = await gateway.hospitalToken();
  const random = seededRandom(7);
  const clients = [];
  for (let c = 0; c < settings.ingestClients; c += 1) {
    const patient = await createPatient(gateway.base, token, `ingest-${c}`);
    // A few prepared Bundles per client, cycled: the client's own CPU stays out of the gateway's way.
    clients.push(Array.from({ length: 4 }, (_, index) => JSON.stringify(observationBundle(patient, { index, of: 4, size: settings.bundleSize, random }))));
  }
  const latencies = [];
  let bundles = 0;
  const [elapsed, rss] = await withPeakRss(gateway.pid, async () => {
    const started = performance.now();
    const deadline = started + settings.ingestSeconds * 1000;
    await Promise.all(
      clients.map(async (prepared) => {
        for (let i = 0; performance.now() < deadline; i += 1) {
          const result = await post(`${gateway.base}/fhir`, token, prepared[i % prepared.length]);
          createdIds(result, settings.bundleSize);
          latencies.push(result.ms);
          bundles += 1;
        }
      }),
    );
    return (performance.now() - started) / 1000;
  });
  const resources = bundles * settings.bundleSize;
  return { clients: settings.ingestClients, bundles, resources, elapsed, rate: resources / elapsed, latency: summarize(latencies), rss };
}

/** An authenticated custodial read (decrypted) under load, against bare Fastify serving the same bytes. */
async function readUnderLoad(gateway, baseline, observationId, settings) {
  const token = await gateway.hospitalToken();
  const path = `/fhir/Observation/${observationId}`;
  const headers = { authorization: `Bearer ${token}`, accept: FHIR_JSON };
  const sample = await fetch(`${gateway.base}${path}`, { headers });
  const body = await sample.text();
  if (!sample.ok) throw new Error(`GET ${path} answered ${sample.status}: ${body.slice(0, 400)}`);
  await baseline.serve(path, body, sample.headers.get('content-type'));
  const load = { duration: settings.duration, connections: settings.connections, sequentialCount: settings.readSequential };
  const bare = await measureGet('bare Fastify (baseline)', `${baseline.base}${path}`, {}, baseline.pid, load);
  const read = await measureGet('gateway, custodial read', `${gateway.base}${path}`, headers, gateway.pid, load);
  return { path, bytes: Buffer.byteLength(body), bare, read, ratio: read.rps / bare.rps };
}

/** `GET Observation?patient=…&code=…&_count=50` one at a time over the search patient's records. */
async function codeSearch(gateway, patient, expected, settings) {
  const token = await gateway.hospitalToken();
  const url = `${gateway.base}/fhir/Observation?patient=Patient/${patient}&code=${encodeURIComponent(`http://loinc.org|${SEARCH_CODE}`)}&_count=50`;
  const headers = { authorization: `Bearer ${token}`, accept: FHIR_JSON };
  let matched;
  let page;
  const once = async () => {
    const started = performance.now();
    const response = await fetch(url, { headers });
    const text = await response.text();
    const ms = performance.now() - started;
    if (!response.ok) throw new Error(`search answered ${response.status}: ${text.slice(0, 400)}`);
    const bundle = JSON.parse(text);
    matched = bundle.total;
    page = bundle.entry?.length ?? 0;
    return ms;
  };
  const [latency, rss] = await withPeakRss(gateway.pid, () => sequential(once, settings.searchSamples, 5));
  return { latency, rss, matched, page, expected };
}

/** Runs every FHIR benchmark on one started gateway, prints a table per benchmark and returns the figures. */
export async function runFhirBenchmarks(label, gateway, baseline, settings) {
  const tx = await transactionLatency(gateway, settings);
  const ingest = await sustainedIngestion(gateway, settings);
  printTable(
    `[${label}] transaction Bundles of ${settings.bundleSize} Observations (POST /fhir)`,
    ['phase', 'bundles', 'p50 ms', 'p90 ms', 'p99 ms', 'resources/s', 'peak RSS MiB'],
    [
      [`sequential, 1 client (after ${settings.txWarmup} warm-up)`, tx.latency.n, fmt(tx.latency.p50), fmt(tx.latency.p90), fmt(tx.latency.p99), fmt((1000 * settings.bundleSize) / tx.latency.p50), fmt(tx.rss, 1)],
      [`sustained, ${ingest.clients} clients, ${fmt(ingest.elapsed, 1)} s`, ingest.bundles, fmt(ingest.latency.p50), fmt(ingest.latency.p90), fmt(ingest.latency.p99), fmt(ingest.rate), fmt(ingest.rss, 1)],
    ],
  );

  const read = await readUnderLoad(gateway, baseline, tx.observationId, settings);
  printTable(
    `[${label}] GET /fhir/Observation/<id> (${read.bytes} bytes; ${settings.connections} connections, ${settings.duration} s; single: ${settings.readSequential} one at a time)`,
    ['target', 'req/s', 'load p50 ms', 'load p99 ms', 'single p50 µs', 'single p99 µs', 'peak RSS MiB'],
    [read.bare, read.read].map((r) => [r.name, fmt(r.rps), fmt(r.loadP50), fmt(r.loadP99), fmt(r.p50), fmt(r.p99), fmt(r.rss, 1)]),
  );
  console.log(`ratio gateway/baseline: throughput ${fmt(read.ratio, 3)}, single-request p50 ${fmt(read.read.p50 / read.bare.p50, 2)}x`);

  const search = await codeSearch(gateway, tx.patient, tx.expected, settings);
  printTable(
    `[${label}] GET /fhir/Observation?patient=…&code=http://loinc.org|${SEARCH_CODE}&_count=50 (patient with ${tx.resources} of the store's ${tx.resources + tx.warmupResources + ingest.resources} Observations; ${settings.searchSamples} sequential after 5 warm-up)`,
    ['matched (total)', 'expected', 'page', 'p50 ms', 'p90 ms', 'p99 ms', 'peak RSS MiB'],
    [[search.matched, search.expected, search.page, fmt(search.latency.p50, 1), fmt(search.latency.p90, 1), fmt(search.latency.p99, 1), fmt(search.rss, 1)]],
  );
  if (search.matched !== search.expected) console.log(`note: the search reported ${search.matched} matches, ${search.expected} records carry the code`);
  return { label, tx, ingest, read, search };
}
