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
// The shop's calendar: carriers collect every business day 2:30–5:00 PM in New York, so
// shipments not scanned yet say when they should leave.
await api.call("PATCH", "/v1/merchants/acme/settings", { key, body: {
  time_zone: "America/New_York",
  pickup_windows: [{ days: ["mon", "tue", "wed", "thu", "fri"], from: "14:30", to: "17:00" }],
} });
const shipments = await seedScenarios(api, standin, "acme", key);

// A consolidator's number plus the local last-mile carrier's: one merged timeline.
if (standin) {
  const hoursAgo = (h) => new Date(Date.now() - h * 3600e3).toISOString();
  const itn = (await api.createShipment("acme", key, { order_ref: "#1006" }, { "idempotency-key": "demo-#1006" })).json.itn;
  const cjp = "CJPKL7300000100YQ";
  const post = "7023210039410060";
  await standin.preset({ tracking_number: cjp, slug: "cjpacket", tag: "InTransit", checkpoints: [
    { checkpoint_time: hoursAgo(70), message: "Parcel received at the sorting centre", tag: "InTransit", city: "Yiwu", country_iso3: "CHN" },
    { checkpoint_time: hoursAgo(50), message: "Departed from the origin country", tag: "InTransit", city: "Shenzhen", country_iso3: "CHN" },
  ] });
  await standin.preset({ tracking_number: post, slug: "canada-post", tag: "InTransit", checkpoints: [
    { checkpoint_time: hoursAgo(8), message: "Item processed", tag: "InTransit", city: "Mississauga", state: "ON", country_iso3: "CAN" },
  ] });
  await api.attach("acme", key, itn, { tracking_number: cjp, slug: "cjpacket" });
  await api.attach("acme", key, itn, { tracking_number: post, slug: "canada-post", role: "local" });
  shipments.push({ title: `two carriers: CJPacket, then Canada Post (${post}) for the last mile`, itn, tn: cjp });

  // An order in two shipments, for the order lookup (postal code K1A 0B1).
  for (const [i, tn] of [[1, null], [2, "1Z999AA10123450072"]]) {
    const created = await api.createShipment("acme", key, { order_ref: "#1007", postal_code: "K1A 0B1" }, { "idempotency-key": `demo-#1007-${i}` });
    if (tn) {
      const { inTransitPreset } = await import("./lib/scenarios.mjs");
      await standin.preset(inTransitPreset(tn));
      await api.attach("acme", key, created.json.itn, { tracking_number: tn });
    }
  }
  console.log("");
}

// The console: the demo merchant's owner, signed in through a one-time link (the admin mints
// it; staff get theirs by e-mail).
await api.call("POST", "/v1/merchants/acme/staff", { key, body: { email: "owner@acme.example", role: "owner" } });
const signIn = await api.call("POST", "/v1/admin/merchants/acme/sign-in-links", { key: api.admin, body: { email: "owner@acme.example" } });

const line = "─".repeat(72);
console.log(`\n${line}\n Waymark demo is running${real ? " (real AfterShip)" : " (offline, stand-in AfterShip)"}\n${line}`);
console.log(` Demo storefront (widget embedded from another origin):\n   ${system.shopBase}/index.html\n`);
for (const s of shipments) {
  console.log(` ${s.title}`);
  console.log(`   ITN ${s.itn}: ${system.edgeBase}/t/acme/${s.itn}`);
  if (s.tn) console.log(`   TN  ${s.tn}: ${system.edgeBase}/t/acme/${s.tn}`);
}
if (standin) console.log(` Order #1007 in two shipments (postal code K1A 0B1):\n   ${system.edgeBase}/t/acme/orders/%231007`);
console.log(`\n Merchant console, signed in as the owner (the link works once, for 15 minutes):\n   ${signIn.json?.link ?? "(could not mint a sign-in link)"}`);
console.log(`\n Merchant docs: ${system.edgeBase}/docs.html`);
console.log(` Merchant API key for "acme" (shown once): ${key}`);
console.log(` Admin token: ${process.env.ADMIN_TOKEN ?? "test-admin-token"}\n Press Ctrl-C to stop.\n${line}`);
await new Promise(() => {});
