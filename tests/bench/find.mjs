// Find Orders with 10,000 shipments for one merchant, against the real Worker in workerd on
// loopback: first page, a filtered page and the full CSV export, each as a ratio against the
// plain GET of one shipment measured in the same run. Bounded: a fixed number of requests.
import { startSystem, stopAll } from "../lib/harness.mjs";
import { Api, provision, seedShipments } from "../lib/api.mjs";

const SHIPMENTS = Number(process.env.BENCH_SHIPMENTS ?? 10000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 30);
const system = await startSystem({ edgePort: 8931, standinPort: 8932, shopPort: 8933 });
const api = new Api(system.edgeBase);
const key = await provision(api, { id: "bench", name: "Bench" });

const started = Date.now();
const itns = await seedShipments(api, "bench", key, SHIPMENTS);
const seeded = (Date.now() - started) / 1000;

async function time(path, headers = {}) {
  const t0 = performance.now();
  const res = await fetch(system.edgeBase + path, { headers: { authorization: `Bearer ${key}`, ...headers } });
  const body = await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
  return { ms: performance.now() - t0, bytes: body.byteLength };
}
async function measure(name, path, rounds) {
  const samples = [];
  let bytes = 0;
  for (let i = 0; i < rounds; i++) {
    const r = await time(typeof path === "function" ? path(i) : path);
    samples.push(r.ms);
    bytes = r.bytes;
  }
  samples.sort((a, b) => a - b);
  return { name, p50: samples[Math.floor(samples.length / 2)], p95: samples[Math.floor(samples.length * 0.95) - 1] ?? samples.at(-1), bytes };
}

const results = [];
results.push(await measure("baseline: GET one shipment", (i) => `/v1/merchants/bench/shipments/${itns[i % itns.length]}`, ROUNDS));
results.push(await measure("first page (50, newest first)", "/v1/merchants/bench/shipments", ROUNDS));
results.push(await measure("filtered page (channel, stage, sort)", "/v1/merchants/bench/shipments?channel=amazon&stage=ordered&sort=-updated&limit=50", ROUNDS));
results.push(await measure("search by order reference", (i) => `/v1/merchants/bench/shipments?q=${encodeURIComponent(`#${100000 + ((i * 331) % SHIPMENTS)}`)}`, ROUNDS));
results.push(await measure(`full CSV export (${SHIPMENTS} rows)`, "/v1/merchants/bench/shipments.csv", 3));

const base = results[0].p50;
console.log(`\nFind Orders benchmark: ${SHIPMENTS} shipments for one merchant (seeded in ${seeded.toFixed(0)} s), ${ROUNDS} rounds`);
console.log(`${"".padEnd(40)} ${"p50 ms".padStart(9)} ${"p95 ms".padStart(9)} ${"× baseline".padStart(11)} ${"bytes".padStart(9)}`);
for (const r of results) {
  console.log(`${r.name.padEnd(40)} ${r.p50.toFixed(1).padStart(9)} ${r.p95.toFixed(1).padStart(9)} ${(r.p50 / base).toFixed(2).padStart(11)} ${String(r.bytes).padStart(9)}`);
}
await stopAll();
process.exit(0);
