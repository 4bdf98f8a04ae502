// Merchant settings against the real Worker in workerd: a validated PATCH, bad input changes
// nothing, every change is in the history (who, when, what), and what shoppers see follows.
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import { startSystem, stopAll } from "../lib/harness.mjs";
import { Api, provision } from "../lib/api.mjs";

let system, api, key, otherKey;

before(async () => {
  system = await startSystem({ edgePort: 8901, standinPort: 8902, shopPort: 8903 });
  api = new Api(system.edgeBase);
  key = await provision(api, { id: "acme", name: "Acme Outdoor" });
  otherKey = await provision(api, { id: "globex", name: "Globex" });
});
after(stopAll);

const patch = (body, k = key, merchant = "acme") => api.call("PATCH", `/v1/merchants/${merchant}/settings`, { key: k, body });
const read = (k = key, merchant = "acme") => api.call("GET", `/v1/merchants/${merchant}/settings`, { key: k });

describe("merchant settings", () => {
  test("a patch changes only what it names, and each change is in the history", async () => {
    const before = await read();
    assert.equal(before.status, 200, before.text);
    assert.equal(before.json.settings.name, "Acme Outdoor");
    assert.equal(before.json.settings.time_zone, "UTC");
    const res = await patch({
      name: "Acme Outdoor Co.",
      allowed_origins: ["https://shop.acme.example"],
      aftership_page: "https://acme.aftership.com",
      time_zone: "America/New_York",
      pickup_windows: [{ days: ["mon", "tue", "wed", "thu", "fri"], from: "14:30", to: "17:00" }],
      refresh_schedule: { at: ["10:00", "18:00", "23:00"] },
      tracking_number_display: "local",
    });
    assert.equal(res.status, 200, res.text);
    const s = res.json.settings;
    assert.equal(s.time_zone, "America/New_York");
    assert.deepEqual(s.refresh_schedule, { at: ["10:00", "18:00", "23:00"] });
    assert.deepEqual(s.business_days, ["mon", "tue", "wed", "thu", "fri"], "unnamed fields keep their values");
    const fields = res.json.history.map((h) => h.field);
    for (const field of ["name", "allowed_origins", "aftership_page", "time_zone", "pickup_windows", "refresh_schedule", "tracking_number_display"]) {
      assert.ok(fields.includes(field), `${field} in the history`);
    }
    const tz = res.json.history.find((h) => h.field === "time_zone");
    assert.equal(tz.from, "UTC");
    assert.equal(tz.to, "America/New_York");
    assert.equal(tz.actor, "api-key");
    assert.ok(Date.parse(tz.at) > Date.now() - 60000);
    // What shoppers see follows: the name in lookups, the origins in CORS.
    const itn = (await api.createShipment("acme", key, { order_ref: "#9001" })).json.itn;
    const view = await api.track("acme", itn, { origin: "https://shop.acme.example" });
    assert.equal(view.json.merchant.name, "Acme Outdoor Co.");
    assert.equal(view.headers.get("access-control-allow-origin"), "https://shop.acme.example");
    assert.equal(view.json.links.aftership, null, "no TN yet");
  });

  test("bad input is refused with a clear 400 and changes nothing", async () => {
    const before = await read();
    for (const body of [
      { time_zone: "Mars/Olympus_Mons" },
      { name: "" },
      { name: "Shop\u202E" },
      { business_days: ["someday"] },
      { pickup_windows: [{ days: ["sun"], from: "14:30", to: "17:00" }] },
      { refresh_schedule: { every_hours: 0 } },
      { allowed_origins: ["https://shop.example\r\n"] },
      { colour: "red" },
    ]) {
      const res = await patch(body);
      assert.equal(res.status, 400, `${JSON.stringify(body)}: ${res.text}`);
      assert.equal(res.json.error.code, "invalid_input");
      assert.ok(res.json.error.message.length > 10);
    }
    const after = await read();
    assert.deepEqual(after.json, before.json, "nothing changed");
  });

  test("settings are the merchant's own", async () => {
    assert.equal((await read(otherKey)).status, 403);
    assert.equal((await patch({ name: "Taken" }, otherKey)).status, 403);
    assert.equal((await read(otherKey, "globex")).json.settings.name, "Globex");
  });
});
