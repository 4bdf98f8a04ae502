// The HTTP contract, driven from outside against the real Worker in workerd with the
// stand-in AfterShip: every route, its errors, tenant isolation, idempotency, lookups by ITN
// and TN, CORS, the webhook, the cron, and AfterShip faults on every route the edge uses.
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import { startSystem, stopAll, ADMIN_TOKEN } from "../lib/harness.mjs";
import { Api, Standin, provision, signWebhook, DEFAULT_CHECKPOINTS } from "../lib/api.mjs";
import { inTransitPreset } from "../lib/scenarios.mjs";

let system, api, standin, acmeKey, otherKey;
const SHOP = "https://shop.acme.example";

before(async () => {
  system = await startSystem({ edgePort: 8811, standinPort: 8812, shopPort: 8813, vars: { CARRIER_FRESH_SECONDS: "0" } });
  api = new Api(system.edgeBase);
  standin = new Standin(system.standinBase);
  acmeKey = await provision(api, { id: "acme", name: "Acme Outdoor", allowed_origins: [SHOP] });
  otherKey = await provision(api, { id: "globex", name: "Globex" });
});
after(stopAll);

const errorOf = (res) => res.json?.error;
function assertError(res, status, code) {
  assert.equal(res.status, status, res.text);
  assert.equal(errorOf(res)?.code, code, res.text);
  assert.equal(typeof errorOf(res)?.message, "string");
  assert.ok(!/panicked|stack|at .*\.rs/.test(res.text), "no internal text in errors");
}

async function newShipment(key = acmeKey, merchant = "acme", ref = "#1") {
  const res = await api.createShipment(merchant, key, { order_ref: ref });
  assert.equal(res.status, 201, res.text);
  return res.json.itn;
}

describe("admin", () => {
  test("creating a merchant needs the admin token and a valid body", async () => {
    assertError(await api.call("POST", "/v1/admin/merchants", { body: { id: "x1", name: "X" } }), 401, "unauthorized");
    assertError(await api.call("POST", "/v1/admin/merchants", { body: { id: "x1", name: "X" }, key: "wrong" }), 401, "unauthorized");
    assertError(await api.createMerchant({ id: "1bad", name: "X" }), 400, "invalid_input");
    assertError(await api.createMerchant({ id: "okid", name: "X", allowed_origins: ["not an origin"] }), 400, "invalid_input");
    assertError(await api.createMerchant({ id: "okid", name: "X", extra: 1 }), 400, "invalid_input");
    assertError(await api.call("POST", "/v1/admin/merchants", { body: "id=x", key: ADMIN_TOKEN, headers: { "content-type": "text/plain" } }), 415, "unsupported_media_type");
    const created = await api.createMerchant({ id: "initech", name: "Initech", aftership_page: "https://initech.aftership.com" });
    assert.equal(created.status, 201);
    assert.match(created.json.api_key, /^wm_live_/);
    assert.equal(created.json.merchant.id, "initech");
    assert.ok(!("key_hash" in created.json.merchant), "the key hash is never shown");
    assertError(await api.createMerchant({ id: "initech", name: "Again" }), 409, "conflict");
  });

  test("rotating a key makes the old one stop working", async () => {
    const first = (await api.createMerchant({ id: "rotor", name: "Rotor" })).json.api_key;
    assert.equal((await api.setCheckpoints("rotor", first, ["A"])).status, 200);
    const rotated = await api.rotateKey("rotor");
    assert.equal(rotated.status, 201);
    assertError(await api.call("GET", "/v1/merchants/rotor/checkpoints", { key: first }), 401, "unauthorized");
    assert.equal((await api.call("GET", "/v1/merchants/rotor/checkpoints", { key: rotated.json.api_key })).status, 200);
    assertError(await api.rotateKey("nobody"), 404, "not_found");
  });
});

describe("merchant API", () => {
  test("checkpoints are validated and stored", async () => {
    const put = (body) => api.call("PUT", "/v1/merchants/acme/checkpoints", { key: acmeKey, body });
    assertError(await put({ checkpoints: [] }), 400, "invalid_input");
    assertError(await put({ checkpoints: Array.from({ length: 21 }, (_, i) => ({ label: `c${i}` })) }), 400, "invalid_input");
    assertError(await put({ checkpoints: [{ label: "x".repeat(121) }] }), 400, "invalid_input");
    assertError(await put({ checkpoints: [{ label: "" }] }), 400, "invalid_input");
    assertError(await put("{not json"), 400, "invalid_input");
    assertError(await put({ checkpoints: [{ label: "x".repeat(100) }], pad: "y".repeat(20000) }), 413, "payload_too_large");
    const got = await api.call("GET", "/v1/merchants/acme/checkpoints", { key: acmeKey });
    assert.deepEqual(got.json.checkpoints.map((c) => c.label), DEFAULT_CHECKPOINTS, "bad input changed nothing");
  });

  test("tenant isolation holds both ways", async () => {
    assertError(await api.call("GET", "/v1/merchants/globex/checkpoints", { key: acmeKey }), 403, "forbidden");
    assertError(await api.call("GET", "/v1/merchants/acme/checkpoints", { key: otherKey }), 403, "forbidden");
    assertError(await api.call("GET", "/v1/merchants/acme/checkpoints"), 401, "unauthorized");
    const itn = await newShipment();
    assertError(await api.call("GET", `/v1/merchants/globex/shipments/${itn}`, { key: otherKey }), 404, "not_found");
    assertError(await api.attach("acme", otherKey, itn, { tracking_number: "1Z999" }), 403, "forbidden");
  });

  test("creating a shipment issues an ITN and snapshots the checkpoints; Idempotency-Key never issues a second", async () => {
    const first = await api.createShipment("acme", acmeKey, { order_ref: "#2001", fulfillment_ref: "F-1" }, { "idempotency-key": "order-2001" });
    assert.equal(first.status, 201);
    assert.deepEqual(first.json.checkpoints.map((c) => c.label), DEFAULT_CHECKPOINTS);
    const again = await api.createShipment("acme", acmeKey, { order_ref: "#2001", fulfillment_ref: "F-1" }, { "idempotency-key": "order-2001" });
    assert.equal(again.status, 200);
    assert.equal(again.json.itn, first.json.itn);
    const other = await api.createShipment("acme", acmeKey, { order_ref: "#2001" });
    assert.notEqual(other.json.itn, first.json.itn);
    assertError(await api.createShipment("acme", acmeKey, { order_ref: "" }), 400, "invalid_input");
    const view = await api.call("GET", `/v1/merchants/acme/shipments/${first.json.itn}`, { key: acmeKey });
    assert.equal(view.status, 200);
    assert.equal(view.json.order_ref, "#2001");
    assert.equal(view.json.history[0].type, "created");
    assertError(await api.call("GET", "/v1/merchants/acme/shipments/WM-0000-0000-0000-01", { key: acmeKey }), 400, "invalid_number");
  });

  test("checkpoint events mark progress; bad ones change nothing", async () => {
    const itn = await newShipment();
    assertError(await api.event("acme", acmeKey, itn, { checkpoint: 3 }), 400, "invalid_input");
    assertError(await api.event("acme", acmeKey, itn, { checkpoint: 0, at: "yesterday" }), 400, "invalid_input");
    assertError(await api.event("acme", acmeKey, itn, { checkpoint: 0, at: "2026-11-20T10:00:00" }), 400, "invalid_input");
    const ok = await api.event("acme", acmeKey, itn, { checkpoint: 0, at: "2026-11-20T10:00:00+01:00" });
    assert.equal(ok.status, 200);
    assert.equal(ok.json.history.length, 2, "only the good event was recorded");
    const view = await api.track("acme", itn);
    assert.deepEqual(view.json.timeline.map((e) => e.done), [true, false, false]);
    assert.equal(view.json.timeline[0].time, "2026-11-20T09:00:00Z");
  });

  test("unknown routes and wrong methods answer JSON errors", async () => {
    assertError(await api.call("GET", "/v1/nothing"), 404, "not_found");
    assertError(await api.call("DELETE", "/v1/merchants/acme/checkpoints", { key: acmeKey }), 405, "method_not_allowed");
  });
});

describe("lookups", () => {
  test("an ITN lookup shows the default checkpoints; after the TN, ITN and TN show the same merged shipment", async () => {
    const itn = await newShipment();
    const before = await api.track("acme", itn);
    assert.equal(before.status, 200);
    assert.equal(before.json.status.tag, "Pending");
    assert.deepEqual(before.json.timeline.map((e) => e.label), DEFAULT_CHECKPOINTS);
    assert.equal(before.json.links.aftership, null);
    for (const field of ["order_ref", "fulfillment_ref", "history"]) assert.ok(!(field in before.json));

    const tn = "1Z999AA10123456701";
    await standin.preset(inTransitPreset(tn));
    const attached = await api.attach("acme", acmeKey, itn, { tracking_number: tn.toLowerCase(), slug: "ups" });
    assert.equal(attached.status, 200, attached.text);
    const byItn = await api.track("acme", itn);
    const byTn = await api.track("acme", ` ${tn.slice(0, 6)} ${tn.slice(6)} `);
    assert.equal(byTn.status, 200);
    assert.equal(byItn.json.status.tag, "InTransit");
    assert.deepEqual(byTn.json.timeline, byItn.json.timeline);
    assert.equal(byItn.json.itn, itn);
    assert.equal(byItn.json.links.aftership, `https://track.aftership.com/${tn.toLowerCase()}`);
    const carrier = byItn.json.timeline.filter((e) => e.source === "carrier");
    assert.equal(carrier.length, 4);
    assert.ok(carrier.some((e) => /[+-]\d\d:\d\d$/.test(e.time)), "carrier offsets kept");
    assert.ok(carrier.some((e) => /T\d\d:\d\d:\d\d$/.test(e.time)), "carrier local time kept without offset");
    // Attaching the same TN again changes nothing.
    const again = await api.attach("acme", acmeKey, itn, { tracking_number: tn });
    assert.equal(again.json.history.filter((e) => e.type === "tracking_attached").length, 1);
  });

  test("a TN AfterShip has no scans for yet reads as label created, not an error", async () => {
    const itn = await newShipment();
    const res = await api.attach("acme", acmeKey, itn, { tracking_number: "9400111899562537800001", slug: "usps" });
    assert.equal(res.status, 200);
    const view = await api.track("acme", "9400111899562537800001");
    assert.equal(view.status, 200);
    assert.equal(view.json.status.awaiting_first_scan, true);
    assert.equal(view.json.status.label, "Label created, waiting for the carrier's first scan");
  });

  test("typos, unknown numbers and other merchants' shipments", async () => {
    const itn = await newShipment();
    const typo = itn.slice(0, -1) + (itn.endsWith("0") ? "1" : "0");
    assertError(await api.track("acme", typo), 400, "invalid_number");
    assertError(await api.track("acme", "WM-0000-0000-0000-00".slice(0, 8)), 404, "not_found");
    assertError(await api.track("acme", "NOSUCHTN123"), 404, "not_found");
    assertError(await api.track("globex", itn), 404, "not_found");
    assertError(await api.track("nobody", itn), 404, "not_found");
    assertError(await api.track("Not_A_Merchant", itn), 404, "not_found");
    assertError(await api.track("acme", "<script>"), 400, "invalid_number");
  });

  test("CORS follows the merchant's allowed origins, preflight included", async () => {
    const itn = await newShipment();
    const allowed = await api.track("acme", itn, { origin: SHOP });
    assert.equal(allowed.headers.get("access-control-allow-origin"), SHOP);
    assert.match(allowed.headers.get("cache-control"), /max-age=\d+/);
    const denied = await api.track("acme", itn, { origin: "https://evil.example" });
    assert.equal(denied.headers.get("access-control-allow-origin"), null);
    const preflight = await api.call("OPTIONS", `/v1/track/acme/${itn}`, { headers: { origin: SHOP, "access-control-request-method": "GET" } });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get("access-control-allow-origin"), SHOP);
    const open = await api.track("globex", await newShipment(otherKey, "globex"), { origin: "https://anyone.example" });
    assert.equal(open.headers.get("access-control-allow-origin"), "*");
  });

  test("the shareable page carries the shipment into the widget with preview tags", async () => {
    const itn = await newShipment();
    const res = await api.call("GET", `/t/acme/${itn}`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type"), /text\/html/);
    assert.ok(res.text.includes(`<title>Tracking ${itn} · Acme Outdoor</title>`));
    assert.ok(res.text.includes('property="og:title"'));
    assert.ok(res.text.includes(`number="${itn}"`));
    const unknown = await api.call("GET", `/t/nobody/${itn}`);
    assert.equal(unknown.status, 404);
    assert.match(unknown.headers.get("content-type"), /text\/html/, "a person gets a page, not JSON");
    const hostile = await api.call("GET", `/t/acme/%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E`);
    assert.ok(!hostile.text.includes("<script>alert"), "no markup injection");
  });

  test("widget assets are served cross-origin with the right types", async () => {
    const js = await api.call("GET", "/widget/embed.js", { headers: { origin: SHOP } });
    assert.equal(js.status, 200);
    assert.equal(js.headers.get("access-control-allow-origin"), "*");
    assert.match(js.headers.get("content-type"), /javascript/);
    const wasm = await fetch(`${system.edgeBase}/widget/pkg/waymark_widget_bg.wasm`);
    assert.equal(wasm.headers.get("content-type"), "application/wasm");
    assert.equal(wasm.headers.get("access-control-allow-origin"), "*");
  });
});

describe("webhook", () => {
  const sign = signWebhook;
  const post = (body, signature) => api.call("POST", "/v1/webhooks/aftership", {
    body, headers: { "content-type": "application/json", ...(signature ? { "aftership-hmac-sha256": signature } : {}) },
  });

  test("a signed update lands at once; wrong or missing signatures change nothing; replays have one effect", async () => {
    const itn = await newShipment();
    const tn = "1Z999AA10123456702";
    await standin.preset(inTransitPreset(tn));
    assert.equal((await api.attach("acme", acmeKey, itn, { tracking_number: tn })).status, 200);
    const delivered = {
      event: "tracking_update", event_id: `evt-${itn}`, ts: 1,
      msg: {
        tracking_number: tn, slug: "ups", tag: "Delivered", subtag: "Delivered_004",
        custom_fields: { waymark_itn: itn, waymark_merchant: "acme" },
        checkpoints: [...inTransitPreset(tn).checkpoints, { checkpoint_time: "2030-01-01T10:00:00+01:00", message: "Delivered, cash collected", tag: "Delivered", city: "Springfield" }],
      },
    };
    const body = JSON.stringify(delivered);
    assertError(await post(body), 401, "unauthorized");
    assertError(await post(body, sign(body, "wrong-secret")), 401, "unauthorized");
    assertError(await post(body, sign(body + " ")), 401, "unauthorized");
    assert.equal((await api.track("acme", itn)).json.status.tag, "InTransit", "nothing stored");
    const ok = await post(body, sign(body));
    assert.equal(ok.status, 200);
    assert.equal(ok.json.applied, 1);
    const view = await api.track("acme", tn);
    assert.equal(view.json.status.tag, "Delivered");
    assert.equal(view.json.status.meaning, "cash_on_delivery_collected");
    assert.equal(view.json.progress.stage, "delivered");
    const replay = await post(body, sign(body));
    assert.equal(replay.json.duplicate, true);
  });
});

describe("AfterShip faults never reach the shopper or the merchant as a 5xx", () => {
  for (const mode of ["429", "500", "502", "malformed", "401", "slow"]) {
    test(`attach and lookups while AfterShip answers ${mode}`, async () => {
      const itn = await newShipment();
      const tn = `FAULT${mode.toUpperCase()}0001`;
      await standin.fault(mode, { slow_ms: 4000 });
      const started = Date.now();
      const attached = await api.attach("acme", acmeKey, itn, { tracking_number: tn, slug: "ups" });
      assert.equal(attached.status, 202, attached.text);
      assert.equal(attached.json.registration.state, "pending");
      const view = await api.track("acme", itn);
      assert.equal(view.status, 200);
      // AfterShip could not be read: the view says so, and never claims the label is merely
      // waiting for the carrier's first scan (only AfterShip's answer establishes that).
      assert.equal(view.json.stale, true);
      assert.equal(view.json.status.awaiting_first_scan, false);
      assert.equal(view.json.progress.stage, "prepared");
      assert.ok(Date.now() - started < 10000, "answers well under 10 s");
      await standin.fault("none");
      // The cron retries the pending registration once AfterShip is back.
      const cron = await fetch(`${system.edgeBase}/__scheduled?cron=17+*/6+*+*+*`);
      assert.equal(cron.status, 200);
      const after = await api.call("GET", `/v1/merchants/acme/shipments/${itn}`, { key: acmeKey });
      assert.equal(after.json.registration.state, "registered");
    });
  }

  for (const mode of ["429", "500", "502", "malformed", "401", "slow"]) {
    test(`reading a tracking while AfterShip answers ${mode} serves the last known carrier data, marked stale`, async () => {
      const itn = await newShipment();
      const tn = `1Z999AA1STALE${mode.toUpperCase()}`;
      await standin.preset(inTransitPreset(tn));
      assert.equal((await api.attach("acme", acmeKey, itn, { tracking_number: tn })).status, 200);
      await standin.fault(mode, { only: "GET /tracking/{version}/trackings/{id}", slow_ms: 4000 });
      // The first lookup reads the tracking from AfterShip (bounded by the client's timeout);
      // background refreshes may also be in flight, so poll (bounded) until the failure shows.
      const started = Date.now();
      let view;
      do {
        view = await api.track("acme", itn);
        assert.equal(view.status, 200);
      } while (!view.json.stale && Date.now() - started < 15000);
      assert.equal(view.json.stale, true);
      assert.equal(view.json.status.tag, "InTransit", "last known data kept");
      assert.equal(view.json.timeline.filter((e) => e.source === "carrier").length, 4);
      assert.equal(view.headers.get("cache-control"), "public, max-age=5", "stale answers are cached only briefly");
      await standin.fault("none");
    });
  }

  test("'already exists' is resolved by looking our own tracking up, even when that lookup fails first", async () => {
    const tn = "1Z999AA10123456705";
    await standin.preset(inTransitPreset(tn));
    const itn = await newShipment();
    // AfterShip creates the tracking but its answer is lost (slower than the client waits).
    await standin.fault("slow", { only: "POST /tracking/{version}/trackings", slow_ms: 4000 });
    assert.equal((await api.attach("acme", acmeKey, itn, { tracking_number: tn })).status, 202);
    // Wait (bounded) until the stand-in has finished creating it.
    for (const deadline = Date.now() + 10000; Date.now() < deadline;) {
      const held = await (await fetch(`${system.standinBase}/__control/tracking`)).json();
      if (held.trackings.some((t) => t.tracking_number === tn)) break;
    }
    // The warehouse retries: AfterShip says 4003, and the look-up that follows fails once...
    await standin.fault("500", { only: "GET /tracking/{version}/trackings" });
    assert.equal((await api.attach("acme", acmeKey, itn, { tracking_number: tn })).status, 202);
    // ...then succeeds: the tracking names this merchant, so it is bound.
    await standin.fault("none");
    const registered = await api.attach("acme", acmeKey, itn, { tracking_number: tn });
    assert.equal(registered.status, 200, registered.text);
    assert.equal(registered.json.registration.state, "registered");
    assert.equal((await api.track("acme", tn)).json.status.tag, "InTransit");
  });

  test("'already exists' for another merchant's tracking never binds this merchant to it", async () => {
    const tn = "1Z999AA10123456704";
    await standin.preset(inTransitPreset(tn));
    const a = await newShipment();
    assert.equal((await api.attach("acme", acmeKey, a, { tracking_number: tn })).status, 200);
    // Another merchant attaches the same carrier number: AfterShip says 4003, and the
    // tracking it holds names acme in its custom fields.
    const g = await newShipment(otherKey, "globex");
    const attached = await api.attach("globex", otherKey, g, { tracking_number: tn });
    assert.equal(attached.status, 202, attached.text);
    assert.equal(attached.json.registration.state, "pending");
    const deferred = attached.json.history.filter((e) => e.type === "registration_deferred");
    assert.equal(deferred.at(-1).reason, "tracking_owned_by_another_merchant");
    const view = await api.track("globex", tn);
    assert.equal(view.status, 200);
    assert.equal(view.json.stale, true, "globex cannot read the carrier: it says so");
    assert.equal(view.json.timeline.filter((e) => e.source === "carrier").length, 0, "none of acme's tracking shows");
    // acme's shipment is untouched.
    assert.equal((await api.track("acme", tn)).json.status.tag, "InTransit");
  });
});

describe("rate limiting", () => {
  test("rapid lookups from one client are refused with 429 before storage is enumerated", async () => {
    // Concurrent bursts, so the whole probe falls inside one limiter window (120 per 10 s)
    // however slow the machine is.
    const statuses = [];
    for (let burst = 0; burst < 4 && !statuses.includes(429); burst++) {
      const batch = Array.from({ length: 60 }, (_, i) => api.track("acme", `ENUM${burst}${String(i).padStart(5, "0")}`));
      statuses.push(...(await Promise.all(batch)).map((r) => r.status));
    }
    assert.ok(statuses.includes(429), `no 429 in ${statuses.length} lookups`);
    const limited = await api.track("acme", "ENUM999999");
    assertError(limited, 429, "rate_limited");
  });
});
