// Called by scripts/bench-edge.sh. Bounded in count and time; loopback only.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { startSystem, stopAll, ROOT } from "../lib/harness.mjs";
import { Api, Standin, provision } from "../lib/api.mjs";
import { inTransitPreset } from "../lib/scenarios.mjs";

const system = await startSystem({ edgePort: 8861, standinPort: 8862, shopPort: 8863, config: path.join(ROOT, ".wrangler.bench.toml") });
const api = new Api(system.edgeBase);
const standin = new Standin(system.standinBase);
const key = await provision(api, { id: "acme", name: "Acme Outdoor" });
const itn = (await api.createShipment("acme", key, { order_ref: "#1" })).json.itn;
const tn = "1Z999AA10123456784";
await standin.preset(inTransitPreset(tn));
await api.attach("acme", key, itn, { tracking_number: tn });

const before = (await standin.calls()).total;
let ok = 0;
for (let i = 0; i < 1000; i++) if ((await api.track("acme", tn)).status === 200) ok++;
const calls = (await standin.calls()).total - before;
console.log(`1,000 lookups of one TN inside the freshness window: ${ok} answered 200, AfterShip calls: ${calls} (goal: at most 1)`);

// Baseline in the same run: the Worker's cheapest route (no KV, no rate limiter), so the
// lookup's figures read as a ratio of what workerd itself costs on this machine.
function load(label, url, connections) {
  const run = spawnSync("wrk", ["-t2", `-c${connections}`, "-d10s", "--timeout", "5s", "--latency", url], { encoding: "utf8" });
  const out = run.stdout;
  const rps = Number(out.match(/Requests\/sec:\s+([\d.]+)/)?.[1]);
  const p50 = out.match(/\s50%\s+([\d.]+\w+)/)?.[1];
  const p99 = out.match(/\s99%\s+([\d.]+\w+)/)?.[1];
  const non2xx = out.match(/Non-2xx or 3xx responses: (\d+)/)?.[1] ?? "0";
  const socketErrors = out.match(/Socket errors: (.*)/)?.[1] ?? "none";
  console.log(`${label}, wrk -t2 -c${connections} -d10s: ${rps.toFixed(0)} req/s, p50 ${p50}, p99 ${p99}, non-2xx ${non2xx}, socket errors ${socketErrors}`);
  return rps;
}
for (const connections of [4, 16]) {
  const base = load("baseline GET /healthz", `${system.edgeBase}/healthz`, connections);
  const itnRps = load("warm lookups by ITN", `${system.edgeBase}/v1/track/acme/${itn}`, connections);
  const tnRps = load("warm lookups by TN", `${system.edgeBase}/v1/track/acme/${tn}`, connections);
  console.log(`throughput ratio vs baseline at c${connections}: ITN ${(itnRps / base).toFixed(2)}, TN ${(tnRps / base).toFixed(2)}`);
}
await stopAll();
process.exit(0);
