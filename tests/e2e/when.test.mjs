// "When will it leave, when will it arrive?" end to end, on a controllable clock, against the
// real Worker in workerd: the merchant's pickup windows, business days and zone (set through
// the settings API) decide the shopper's timing line; after the first scan the carrier's (or
// AfterShip's) estimate shows, saying whose; a label the carrier never collected is late.
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import { startSystem, stopAll, ADMIN_TOKEN } from "../lib/harness.mjs";
import { Api, Standin, provision } from "../lib/api.mjs";

let system, api, standin, key;

before(async () => {
  system = await startSystem({ edgePort: 8961, standinPort: 8962, shopPort: 8963, vars: { ALLOW_CLOCK_OVERRIDE: "true" } });
  api = new Api(system.edgeBase);
  standin = new Standin(system.standinBase);
  key = await provision(api, { id: "acme", name: "Acme Outdoor" });
  const set = await api.call("PATCH", "/v1/merchants/acme/settings", { key, body: {
    time_zone: "America/New_York",
    pickup_windows: [{ days: ["mon", "tue", "wed", "thu", "fri"], from: "14:30", to: "17:00" }],
  } });
  assert.equal(set.status, 200, set.text);
});
after(async () => {
  await api.call("PUT", "/v1/admin/clock", { key: ADMIN_TOKEN, body: { now: null } });
  await stopAll();
});

const setClock = async (now) => assert.equal((await api.call("PUT", "/v1/admin/clock", { key: ADMIN_TOKEN, body: { now } })).status, 200);
let order = 9300;
const newShipment = async () => (await api.createShipment("acme", key, { order_ref: `#${++order}` })).json.itn;

describe("when", () => {
  test("before the first scan: today's pickup window, or the next business day's", async () => {
    const cases = [
      ["2026-11-23T10:00:00-05:00", "today", "2026-11-23"],
      ["2026-11-23T17:30:00-05:00", "tomorrow", "2026-11-24"],
      ["2026-11-27T18:00:00-05:00", { on: "mon" }, "2026-11-30"],
    ];
    for (const [now, day, date] of cases) {
      await setClock(now);
      const res = await api.track("acme", await newShipment());
      assert.equal(res.status, 200, res.text);
      const when = res.json.when;
      assert.equal(when.kind, "leaves", `${now}: ${JSON.stringify(when)}`);
      assert.deepEqual(when.relative_day, day, now);
      assert.equal(when.local_date, date);
      assert.equal(when.local_from, "14:30");
      assert.equal(when.local_to, "17:00");
      assert.equal(when.zone_abbreviation, "EST");
      assert.equal(when.time_zone, "America/New_York");
      assert.equal(when.from, `${date}T19:30:00Z`);
    }
  });

  test("after the first scan: the estimate and whose it is; a label never collected is late", async () => {
    await setClock("2026-11-23T10:00:00-05:00");
    const moving = await newShipment();
    const tn = "1Z999AA10123459301";
    await standin.preset({
      tracking_number: tn, slug: "ups", tag: "InTransit",
      courier_estimated_delivery_date: { estimated_delivery_date: "2026-11-26", estimated_delivery_date_min: null, estimated_delivery_date_max: null },
      checkpoints: [{ checkpoint_time: "2026-11-23T09:00:00-05:00", message: "Picked up", tag: "InTransit", city: "Louisville" }],
    });
    assert.equal((await api.attach("acme", key, moving, { tracking_number: tn })).status, 200);
    const arriving = await api.track("acme", moving);
    const { kind, date, source } = arriving.json.when;
    assert.deepEqual([kind, date.slice(0, 10), source], ["arrives", "2026-11-26", "carrier"]);

    const waiting = await newShipment();
    const label = "1Z999AA10123459302";
    await standin.preset({ tracking_number: label, slug: "ups", tag: "Pending", checkpoints: [] });
    assert.equal((await api.attach("acme", key, waiting, { tracking_number: label })).status, 200);
    assert.equal((await api.track("acme", waiting)).json.when.kind, "leaves", "it can still make today's pickup");
    // Wednesday evening and still no scan: late, said once, not promised again.
    await setClock("2026-11-25T18:00:00-05:00");
    const late = await api.track("acme", label);
    assert.equal(late.json.when.kind, "stalled", JSON.stringify(late.json.when));
    assert.equal(late.json.when.moving, false);
  });
});
