// Concurrency against the real Worker in workerd: many writers on one merchant and one
// shipment at once, retries, replays and out-of-order carrier updates. Nothing may be lost or
// doubled. (These failed against the KV read-modify-write path they were written for.)
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import { startSystem, stopAll } from "../lib/harness.mjs";
import { Api, Standin, provision } from "../lib/api.mjs";
import { inTransitPreset } from "../lib/scenarios.mjs";

let system, api, standin, key;

before(async () => {
  system = await startSystem({ edgePort: 8861, standinPort: 8862, shopPort: 8863 });
  api = new Api(system.edgeBase);
  standin = new Standin(system.standinBase);
  key = await provision(api, { id: "acme", name: "Acme Outdoor", checkpoints: Array.from({ length: 20 }, (_, i) => `Step ${i + 1}`) });
});
after(stopAll);

const merchantView = (itn) => api.call("GET", `/v1/merchants/acme/shipments/${itn}`, { key });
const push = (msg, eventId) => api.pushWebhook(msg, eventId);

describe("no lost or doubled writes", () => {
  test("50 concurrent creates with one Idempotency-Key produce one ITN", async () => {
    const attempts = await Promise.all(Array.from({ length: 50 }, () =>
      api.createShipment("acme", key, { order_ref: "#5001" }, { "idempotency-key": "order-5001" })));
    for (const res of attempts) assert.ok([200, 201].includes(res.status), res.text);
    const itns = new Set(attempts.map((r) => r.json.itn));
    assert.equal(itns.size, 1, `one ITN, not ${itns.size}`);
    assert.equal(attempts.filter((r) => r.status === 201).length, 1, "exactly one creation");
  });

  test("50 concurrent events and webhook updates on one shipment are all recorded", async () => {
    const itn = (await api.createShipment("acme", key, { order_ref: "#5002" })).json.itn;
    const tn = "1Z999AA10123455002";
    await standin.preset(inTransitPreset(tn));
    assert.equal((await api.attach("acme", key, itn, { tracking_number: tn })).status, 200);
    const base = { tracking_number: tn, slug: "ups", custom_fields: { waymark_itn: itn, waymark_merchant: "acme" } };
    const writes = [];
    for (let i = 0; i < 50; i++) {
      if (i % 2 === 0) {
        // Each event marks a different checkpoint at a distinct time.
        writes.push(api.event("acme", key, itn, { checkpoint: (i / 2) % 20, at: new Date(Date.UTC(2026, 10, 1, 0, i)).toISOString() }));
      } else {
        // Each push is newer than the registered tracking and than the push before it.
        const at = new Date(Date.UTC(2031, 0, 1, 0, i)).toISOString();
        writes.push(push({ ...base, tag: "InTransit", updated_at: at,
          checkpoints: [{ checkpoint_time: at, message: `Scan ${i}`, tag: "InTransit", city: "Louisville" }] }, `evt-${itn}-${i}`));
      }
    }
    const results = await Promise.all(writes);
    for (const res of results) assert.equal(res.status, 200, res.text);
    const view = await merchantView(itn);
    const reached = view.json.history.filter((e) => e.type === "checkpoint_reached");
    assert.equal(reached.length, 25, "every merchant event is in the history");
    assert.equal(view.json.history.filter((e) => e.type === "tracking_attached").length, 1);
    // The newest pushed carrier state is the one kept.
    const shopper = await api.track("acme", itn);
    const scans = shopper.json.timeline.filter((e) => e.source === "carrier").map((e) => e.label);
    assert.ok(scans.includes("Scan 49"), `the newest update wins: ${scans}`);
  });

  test("registration racing merchant events loses nothing", async () => {
    const itn = (await api.createShipment("acme", key, { order_ref: "#5003" })).json.itn;
    const tn = "1Z999AA10123455003";
    await standin.preset(inTransitPreset(tn));
    // AfterShip answers slowly, so events land while the registration is in flight.
    await standin.fault("slow", { only: "POST /tracking/{version}/trackings", slow_ms: 1500 });
    const attach = api.attach("acme", key, itn, { tracking_number: tn });
    const events = Array.from({ length: 10 }, (_, i) => api.event("acme", key, itn, { checkpoint: i }));
    const [attached, ...marked] = await Promise.all([attach, ...events]);
    await standin.fault("none");
    assert.equal(attached.status, 200, attached.text);
    for (const res of marked) assert.equal(res.status, 200, res.text);
    const view = await merchantView(itn);
    assert.equal(view.json.history.filter((e) => e.type === "checkpoint_reached").length, 10, "no event lost to the registration");
    assert.equal(view.json.registration.state, "registered", "and the registration is kept too");
  });

  test("a carrier update older than the stored one never replaces it, whichever arrives first", async () => {
    const itn = (await api.createShipment("acme", key, { order_ref: "#5004" })).json.itn;
    const tn = "1Z999AA10123455004";
    await standin.preset(inTransitPreset(tn));
    assert.equal((await api.attach("acme", key, itn, { tracking_number: tn })).status, 200);
    const base = { tracking_number: tn, slug: "ups", custom_fields: { waymark_itn: itn, waymark_merchant: "acme" } };
    const transit = inTransitPreset(tn).checkpoints;
    const delivered = { ...base, tag: "Delivered", updated_at: "2031-01-02T10:00:00+00:00",
      checkpoints: [...transit, { checkpoint_time: "2031-01-02T09:00:00+01:00", message: "Delivered", tag: "Delivered", city: "Springfield" }] };
    const older = Array.from({ length: 20 }, (_, i) => ({ ...base, tag: "InTransit", updated_at: `2031-01-01T10:${String(i).padStart(2, "0")}:00+00:00`, checkpoints: transit }));
    const results = await Promise.all([push(delivered, `d-${itn}`), ...older.map((m, i) => push(m, `o-${itn}-${i}`))]);
    for (const res of results) assert.equal(res.status, 200, res.text);
    const view = await api.track("acme", itn);
    assert.equal(view.json.status.tag, "Delivered");
  });
});
