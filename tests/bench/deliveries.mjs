// Outgoing webhooks through the whole pipeline on loopback (real Worker in workerd with its
// Queue consumer, a receiver verifying with the official Standard Webhooks library): events per
// second from the merchant's writes to accepted deliveries, and the delivery latency of
// `tracking.assigned` (event time to the receiver's acceptance), p50/p99. Baselines measured in
// the same run: the same writes with no endpoint registered (writes/s), and a plain loopback
// round trip to the receiver (ms). BENCH_SHIPMENTS overrides the size.
import { startSystem, startReceiver, stopAll } from "../lib/harness.mjs";
import { Api, Standin, provision } from "../lib/api.mjs";
import { inTransitPreset } from "../lib/scenarios.mjs";

const SHIPMENTS = Number(process.env.BENCH_SHIPMENTS ?? 200);
const system = await startSystem({ edgePort: 9041, standinPort: 9042, shopPort: 9043,
  vars: { ALLOW_LOCAL_WEBHOOK_ENDPOINTS: "true", WEBHOOK_RETRY_BASE_SECONDS: "1" } });
const receiver = await startReceiver(9044);
const api = new Api(system.edgeBase);
const standin = new Standin(system.standinBase);
const key = await provision(api, { id: "bench", name: "Bench" });
const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];

/** Creates `n` shipments and attaches an in-transit TN to each (3 events each), 8 at a time. */
async function writes(n, offset) {
  let next = 0;
  const t0 = performance.now();
  async function worker() {
    while (next < n) {
      const i = offset + next++;
      const tn = `1Z999BB1${String(i).padStart(10, "0")}`;
      await standin.preset(inTransitPreset(tn));
      const itn = (await api.createShipment("bench", key, { order_ref: `#${i}` })).json.itn;
      const res = await api.attach("bench", key, itn, { tracking_number: tn });
      if (res.status !== 200) throw new Error(`attach ${i}: ${res.status}`);
    }
  }
  await Promise.all(Array.from({ length: 8 }, worker));
  return (performance.now() - t0) / 1000;
}

// Baseline 1: the same writes, no endpoint registered.
const bareSeconds = await writes(SHIPMENTS, 0);
// Baseline 2: a loopback round trip to the receiver.
const trips = [];
for (let i = 0; i < 50; i++) {
  const t0 = performance.now();
  await receiver.received("probe");
  trips.push(performance.now() - t0);
}
trips.sort((a, b) => a - b);

const ep = await api.call("POST", "/v1/merchants/bench/webhook-endpoints", { key, body: { url: `${receiver.base}/hooks/bench` } });
await receiver.endpoint("bench", ep.json.secret);
const t0 = Date.now();
const writeSeconds = await writes(SHIPMENTS, SHIPMENTS);
const expected = SHIPMENTS * 3;
let seen;
const deadline = Date.now() + 300000;
do {
  seen = await receiver.received("bench");
  if (seen.accepted.length >= expected) break;
  await new Promise((r) => setTimeout(r, 200)); // poll interval, not a synchronisation sleep
} while (Date.now() < deadline);
const drained = (Math.max(...seen.accepted.map((d) => d.received_at)) - t0) / 1000;
const latencies = seen.accepted
  .filter((d) => d.type === "tracking.assigned")
  .map((d) => d.received_at - Date.parse(d.body.data.event.at))
  .sort((a, b) => a - b);
const ids = new Set(seen.accepted.map((d) => d.id));

console.log(`\nWebhook pipeline benchmark: ${SHIPMENTS} shipments, ${expected} events expected`);
console.log(`accepted deliveries            ${seen.accepted.length} (${ids.size} distinct webhook-ids, ${seen.rejected} rejected signatures)`);
console.log(`baseline writes/s (no endpoint) ${(SHIPMENTS / bareSeconds).toFixed(1)}`);
console.log(`writes/s with deliveries        ${(SHIPMENTS / writeSeconds).toFixed(1)}  (${(bareSeconds / writeSeconds).toFixed(2)}× baseline)`);
console.log(`events/s end to end             ${(seen.accepted.length / drained).toFixed(1)}  (all accepted ${drained.toFixed(1)} s after the first write)`);
console.log(`baseline loopback round trip    p50 ${pct(trips, 0.5).toFixed(1)} ms`);
console.log(`delivery latency (assigned)     p50 ${pct(latencies, 0.5)} ms  p99 ${pct(latencies, 0.99)} ms  (${(pct(latencies, 0.5) / pct(trips, 0.5)).toFixed(0)}× the round trip)`);
console.log(`\nAfterShip reads per active shipment per day, by refresh schedule (plus one registration per TN):`);
for (const [name, perDay] of [["every 2 hours", 12], ["every 6 hours (default)", 4], ["every 12 hours", 2], ["at 10:00, 18:00, 23:00", 3]]) {
  console.log(`  ${name.padEnd(28)} ${perDay}  (+ lookups after ${600 / 60} min of freshness, at most one read per 10 min per shipment)`);
}
await stopAll();
