// Starts the real system for the Schemathesis run (tests/schemathesis/run.sh): the stand-in
// AfterShip, the Worker in workerd (`wrangler dev`, fresh local KV) and the demo shop, through
// the same harness as the end-to-end tests. Provisions two merchants with real keys, prints
// them as KEY=value lines, then keeps running until it is sent SIGTERM or SIGINT (the harness
// then stops every process it started).
//
// Three merchants. Schemathesis replaces default checkpoints at random, so the shipments
// merchant keeps 20 checkpoints (the most a merchant can have) and every checkpoint index the
// schema allows (0 to 19) exists on each of its shipments, while the settings merchant is the
// one whose checkpoints Schemathesis rewrites. Key rotation only ever rotates the third
// merchant's key, so the other two keys keep working for the whole run.
import { startSystem, ADMIN_TOKEN } from "../lib/harness.mjs";
import { Api, provision, DEFAULT_CHECKPOINTS } from "../lib/api.mjs";

const SHIPMENTS_MERCHANT = "st-shipments-merchant";
const SETTINGS_MERCHANT = "st-settings-merchant";
const ROTATED_MERCHANT = "st-rotated-merchant";

const system = await startSystem({ edgePort: 8851, standinPort: 8852, shopPort: 8853 });
const api = new Api(system.edgeBase);
const twenty = Array.from({ length: 20 }, (_, i) =>
  i === 2 ? "Shipping label created" : `Warehouse step ${i + 1}`);
const shipmentsKey = await provision(api, { id: SHIPMENTS_MERCHANT, name: "Schemathesis Shipments", checkpoints: twenty });
const settingsKey = await provision(api, { id: SETTINGS_MERCHANT, name: "Schemathesis Settings", checkpoints: DEFAULT_CHECKPOINTS });
await provision(api, { id: ROTATED_MERCHANT, name: "Schemathesis Key Rotation" });

console.log([
  `WAYMARK_URL=${system.edgeBase}`,
  `WAYMARK_ADMIN_TOKEN=${process.env.ADMIN_TOKEN ?? ADMIN_TOKEN}`,
  `WAYMARK_SHIPMENTS_MERCHANT=${SHIPMENTS_MERCHANT}`,
  `WAYMARK_SHIPMENTS_KEY=${shipmentsKey}`,
  `WAYMARK_SETTINGS_MERCHANT=${SETTINGS_MERCHANT}`,
  `WAYMARK_SETTINGS_KEY=${settingsKey}`,
  `WAYMARK_ROTATED_MERCHANT=${ROTATED_MERCHANT}`,
  "READY",
].join("\n"));

// Keep the event loop alive; the harness's signal handlers stop the children on exit.
setInterval(() => {}, 1 << 30);
