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

const url = `${system.edgeBase}/v1/track/acme/${itn}`;
const run = spawnSync("wrk", ["-t2", "-c16", "-d10s", "--timeout", "5s", "--latency", url], { encoding: "utf8" });
const out = run.stdout;
const rps = out.match(/Requests\/sec:\s+([\d.]+)/)?.[1];
const p50 = out.match(/\s50%\s+([\d.]+\w+)/)?.[1];
const p99 = out.match(/\s99%\s+([\d.]+\w+)/)?.[1];
const non2xx = out.match(/Non-2xx or 3xx responses: (\d+)/)?.[1] ?? "0";
const socketErrors = out.match(/Socket errors: (.*)/)?.[1] ?? "none";
console.log(`warm lookups by ITN, wrk -t2 -c16 -d10s: ${rps} req/s, p50 ${p50}, p99 ${p99}, non-2xx ${non2xx}, socket errors ${socketErrors}`);
await stopAll();
process.exit(0);
