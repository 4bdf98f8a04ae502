// Outgoing webhooks end to end, against the real Worker in workerd with its Queue consumer:
// a merchant registers endpoints through the API, Waymark's events reach them signed per the
// Standard Webhooks specification, and a receiver written with the official library (PyPI
// `standardwebhooks`, tests/standin/receiver.py) verifies every one. Retries, the delivery
// log and replay are checked from the receiver's side.
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import { startSystem, startReceiver, stopAll } from "../lib/harness.mjs";
import { Api, Standin, provision } from "../lib/api.mjs";
import { inTransitPreset } from "../lib/scenarios.mjs";

let system, api, standin, receiver, key;

before(async () => {
  system = await startSystem({
    edgePort: 9021, standinPort: 9022, shopPort: 9023,
    vars: { ALLOW_LOCAL_WEBHOOK_ENDPOINTS: "true", WEBHOOK_RETRY_BASE_SECONDS: "1" },
  });
  receiver = await startReceiver(9024);
  api = new Api(system.edgeBase);
  standin = new Standin(system.standinBase);
  key = await provision(api, { id: "acme", name: "Acme Outdoor" });
});
after(stopAll);

const endpoints = (body) => api.call("POST", "/v1/merchants/acme/webhook-endpoints", { key, body });
const deliveryLog = async (query = "") => (await api.call("GET", `/v1/merchants/acme/deliveries${query}`, { key })).json.deliveries;

/** Registers an endpoint with the API and with the receiver (same secret). */
async function register(name, { events, failFirst = 0 } = {}) {
  const res = await endpoints({ url: `${receiver.base}/hooks/${name}`, ...(events ? { events } : {}) });
  assert.equal(res.status, 201, res.text);
  assert.match(res.json.secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
  await receiver.endpoint(name, res.json.secret, failFirst);
  return res.json;
}

/** Waits (polling, with a deadline) until the receiver's record satisfies `done`. */
async function until(name, done, what) {
  const deadline = Date.now() + 30000;
  let seen;
  while (Date.now() < deadline) {
    seen = await receiver.received(name);
    if (done(seen)) return seen;
    await new Promise((r) => setTimeout(r, 100)); // poll interval, not a synchronisation sleep
  }
  assert.fail(`${what}: ${JSON.stringify(seen)}`);
}

const forShipment = (seen, itn) => seen.accepted.filter((d) => d.body.data.itn === itn);

describe("webhook deliveries", () => {
  test("every event reaches the endpoint once, signed and verified by the official library", async () => {
    await register("all");
    const itn = (await api.createShipment("acme", key, { order_ref: "#9401", channel: "shopify:acme.myshopify.com" })).json.itn;
    const tn = "1Z999AA10123459401";
    await standin.preset(inTransitPreset(tn));
    assert.equal((await api.attach("acme", key, itn, { tracking_number: tn })).status, 200);
    // By polling (the registration's answer and the first read): label, pickup, first movement.
    let seen = await until("all", (s) => forShipment(s, itn).length >= 3, "the first three events");
    assert.deepEqual(forShipment(seen, itn).map((d) => d.type), ["tracking.assigned", "shipment.picked_up", "shipment.in_transit"]);
    const first = forShipment(seen, itn)[0];
    assert.equal(first.body.data.order_ref, "#9401");
    assert.equal(first.body.data.channel, "shopify:acme.myshopify.com");
    assert.equal(first.body.data.tracking_number, tn);
    assert.equal(first.body.data.tracking_url, `${system.edgeBase}/t/acme/${itn}`);
    assert.equal(first.body.data.event.kind, "tracking.assigned");

    // By AfterShip's webhook, each pushed twice under different event ids: delivered once.
    const base = { tracking_number: tn, slug: "ups", custom_fields: { waymark_itn: itn, waymark_merchant: "acme" } };
    const scans = [
      ...inTransitPreset(tn).checkpoints,
      { checkpoint_time: new Date(Date.now() - 3600e3).toISOString(), message: "Out for delivery", tag: "OutForDelivery", subtag: "OutForDelivery_001", city: "Chicago" },
    ];
    for (const round of [1, 2]) {
      const res = await api.pushWebhook({ ...base, tag: "OutForDelivery", updated_at: new Date(Date.now() - 3000).toISOString(), checkpoints: scans }, `ofd-${itn}-${round}`);
      assert.equal(res.status, 200, res.text);
    }
    const delivered = [...scans, { checkpoint_time: new Date().toISOString(), message: "Delivered, cash collected", tag: "Delivered", subtag: "Delivered_004", city: "Chicago" }];
    for (const round of [1, 2]) {
      const res = await api.pushWebhook({ ...base, tag: "Delivered", subtag: "Delivered_004", updated_at: new Date().toISOString(), checkpoints: delivered }, `dlv-${itn}-${round}`);
      assert.equal(res.status, 200, res.text);
    }
    seen = await until("all", (s) => forShipment(s, itn).some((d) => d.type === "shipment.cod_collected"), "delivery and COD");
    const types = forShipment(seen, itn).map((d) => d.type);
    for (const type of ["tracking.assigned", "shipment.picked_up", "shipment.in_transit", "shipment.out_for_delivery", "shipment.delivered", "shipment.cod_collected"]) {
      assert.equal(types.filter((t) => t === type).length, 1, `${type} exactly once: ${types}`);
    }
    const ids = forShipment(seen, itn).map((d) => d.id);
    assert.equal(new Set(ids).size, ids.length, "one webhook-id per event");
    assert.equal(seen.rejected, 0, "every signature verified");
  });

  test("a receiver answering 500 is retried until it accepts; the log shows each attempt", async () => {
    const endpoint = await register("flaky", { events: ["tracking.assigned"], failFirst: 2 });
    const itn = (await api.createShipment("acme", key, { order_ref: "#9402" })).json.itn;
    const tn = "1Z999AA10123459402";
    await standin.preset(inTransitPreset(tn));
    await api.attach("acme", key, itn, { tracking_number: tn });
    const seen = await until("flaky", (s) => s.accepted.length === 1, "accepted after two failures");
    assert.equal(seen.attempts, 3);
    assert.equal(seen.accepted[0].type, "tracking.assigned", "the filter holds");
    const log = await deliveryLog(`?endpoint=${endpoint.id}`);
    assert.equal(log.length, 1);
    assert.equal(log[0].status, "delivered");
    assert.equal(log[0].attempts, 3);
    assert.equal(log[0].last_status, 200);
    assert.equal(log[0].id, seen.accepted[0].id);
  });

  test("a replay delivers the same message once more, under the same webhook-id", async () => {
    const endpoint = await register("replayed", { events: ["tracking.assigned"] });
    const itn = (await api.createShipment("acme", key, { order_ref: "#9403" })).json.itn;
    const tn = "1Z999AA10123459403";
    await standin.preset(inTransitPreset(tn));
    await api.attach("acme", key, itn, { tracking_number: tn });
    const first = await until("replayed", (s) => s.accepted.length === 1, "the first delivery");
    const [delivery] = await deliveryLog(`?endpoint=${endpoint.id}`);
    const replay = await api.call("POST", `/v1/merchants/acme/deliveries/${delivery.id}/replay`, { key });
    assert.equal(replay.status, 202, replay.text);
    const again = await until("replayed", (s) => s.accepted.length === 2, "the replay");
    assert.equal(again.accepted[1].id, first.accepted[0].id, "the receiver can recognise the repeat");
    const [after] = await deliveryLog(`?endpoint=${endpoint.id}`);
    assert.equal(after.status, "delivered");
    assert.equal(after.attempts, 1, "one attempt for the replay");
    assert.equal((await api.call("POST", "/v1/merchants/acme/deliveries/msg_000000000000000000000000/replay", { key })).status, 404);
  });

  test("endpoints are validated, listed without secrets, and removed", async () => {
    const bad = [
      [{ url: "ftp://hooks.example.com/" }, 400],
      [{ url: "https://hooks.example.com/", events: ["shipment.teleported"] }, 400],
      [{ url: "https://hooks.example.com/", extra: 1 }, 400],
      [{ url: "https://user:pw@hooks.example.com/" }, 400],
      [{}, 400],
    ];
    for (const [body, status] of bad) {
      const res = await endpoints(body);
      assert.equal(res.status, status, `${JSON.stringify(body)}: ${res.text}`);
    }
    const created = await register("listed", { events: ["shipment.delivered", "shipment.refused"] });
    const list = await api.call("GET", "/v1/merchants/acme/webhook-endpoints", { key });
    assert.equal(list.status, 200);
    const shown = list.json.endpoints.find((e) => e.id === created.id);
    assert.deepEqual(shown.events, ["shipment.delivered", "shipment.refused"]);
    assert.ok(!list.text.includes("whsec_"), "secrets are never listed");
    assert.equal((await api.call("DELETE", `/v1/merchants/acme/webhook-endpoints/${created.id}`, { key })).status, 204);
    assert.equal((await api.call("DELETE", `/v1/merchants/acme/webhook-endpoints/${created.id}`, { key })).status, 404);
    const other = await provision(api, { id: "globex", name: "Globex" });
    assert.equal((await api.call("GET", "/v1/merchants/acme/webhook-endpoints", { key: other })).status, 403, "another merchant's key");
    assert.equal((await api.call("GET", "/v1/merchants/acme/deliveries?status=lost", { key })).status, 400);
  });

  test("the log of one shipment: exactly its deliveries, however the ITN is typed", async () => {
    const all = await deliveryLog("?limit=500");
    const itns = [...new Set(all.map((d) => d.itn))];
    assert.ok(itns.length >= 2, `deliveries about several shipments: ${itns}`);
    for (const itn of itns) {
      const expected = all.filter((d) => d.itn === itn).map((d) => d.id);
      const typed = itn.toLowerCase().replace(/-/g, " ");
      for (const form of [itn, typed]) {
        const own = await deliveryLog(`?limit=500&itn=${encodeURIComponent(form)}`);
        assert.deepEqual(own.map((d) => d.id), expected, `${form}`);
      }
    }
    const bad = await api.call("GET", "/v1/merchants/acme/deliveries?itn=WM-NOT-AN-ITN", { key });
    assert.equal(bad.status, 400, bad.text);
    assert.match(bad.json.error?.message ?? bad.text, /itn/);
  });
});
