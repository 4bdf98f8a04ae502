// `bash scripts/demo.sh` runs this: the whole system on loopback with demo data, until Ctrl-C.
import path from "node:path";
import { mkdirSync } from "node:fs";
import { startSystem, ROOT } from "./lib/harness.mjs";
import { Api, Standin, provision } from "./lib/api.mjs";
import { seedScenarios } from "./lib/scenarios.mjs";

const real = Boolean(process.env.AFTERSHIP_API_KEY);
const persist = path.join(ROOT, ".wrangler", "demo-state");
mkdirSync(persist, { recursive: true });
const system = await startSystem({ edgePort: 8787, standinPort: 8790, shopPort: 8788, persist, realAfterShip: real });
const api = new Api(system.edgeBase);
const standin = real ? null : new Standin(system.standinBase);
const key = await provision(api, {
  id: "acme",
  name: "Acme Outdoor",
  allowed_origins: [system.shopBase, "http://localhost:8788"],
});
const shipments = await seedScenarios(api, standin, "acme", key);

const line = "─".repeat(72);
console.log(`\n${line}\n Waymark demo is running${real ? " (real AfterShip)" : " (offline, stand-in AfterShip)"}\n${line}`);
console.log(` Demo storefront (widget embedded from another origin):\n   ${system.shopBase}/index.html\n`);
for (const s of shipments) {
  console.log(` ${s.title}`);
  console.log(`   ITN ${s.itn}: ${system.edgeBase}/t/acme/${s.itn}`);
  if (s.tn) console.log(`   TN  ${s.tn}: ${system.edgeBase}/t/acme/${s.tn}`);
}
console.log(`\n Merchant docs: ${system.edgeBase}/docs.html`);
console.log(` Merchant API key for "acme" (shown once): ${key}`);
console.log(` Admin token: ${process.env.ADMIN_TOKEN ?? "test-admin-token"}\n Press Ctrl-C to stop.\n${line}`);
await new Promise(() => {});
