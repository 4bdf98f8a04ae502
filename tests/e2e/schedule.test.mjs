// The scheduled refresh, per merchant, on a controllable clock, against the real Worker in
// workerd: each merchant's record refreshes on its own schedule (fixed local times in its
// IANA zone, or every N hours), whoever asks, and a merchant whose registrations keep failing
// never starves another's refresh.
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import { startSystem, stopAll, ADMIN_TOKEN } from "../lib/harness.mjs";
import { Api, Standin, provision } from "../lib/api.mjs";
import { inTransitPreset } from "../lib/scenarios.mjs";

let system, api, standin, key;
const READ = "GET /tracking/{version}/trackings/{id}";
const REGISTER = "POST /tracking/{version}/trackings";

before(async () => {
  system = await startSystem({ edgePort: 8911, standinPort: 8912, shopPort: 8913, vars: { ALLOW_CLOCK_OVERRIDE: "true" } });
  api = new Api(system.edgeBase);
  standin = new Standin(system.standinBase);
  key = await provision(api, { id: "acme", name: "Acme Outdoor" });
});
after(stopAll);

const setClock = (now) => api.call("PUT", "/v1/admin/clock", { key: ADMIN_TOKEN, body: { now } });
const cron = () => fetch(`${system.edgeBase}/__scheduled?cron=17+*/6+*+*+*`);
const calls = async (route) => (await standin.calls()).by_route[route] ?? 0;

describe("scheduled refresh per merchant", () => {
  test("fixed local times in the merchant's zone, however often the cron asks", async () => {
    const set = await api.call("PATCH", "/v1/merchants/acme/settings", { key, body: { time_zone: "America/New_York", refresh_schedule: { at: ["10:00", "18:00"] } } });
    assert.equal(set.status, 200, set.text);
    const itn = (await api.createShipment("acme", key, { order_ref: "#9101" })).json.itn;
    const tn = "1Z999AA10123459101";
    await standin.preset(inTransitPreset(tn));
    assert.equal((await api.attach("acme", key, itn, { tracking_number: tn })).status, 200);

    // Monday 23 Nov 2026, 09:00 in New York (EST, -05:00): nothing has run yet, so it is due.
    assert.equal((await setClock("2026-11-23T09:00:00-05:00")).status, 200);
    let before = await calls(READ);
    assert.equal((await cron()).status, 200);
    assert.equal(await calls(READ), before + 1, "the first run refreshes");
    // 09:30: the next run is at 10:00; asking again changes nothing.
    await setClock("2026-11-23T09:30:00-05:00");
    before = await calls(READ);
    await cron();
    await cron();
    assert.equal(await calls(READ), before, "not due before 10:00 local");
    // 10:05 local: due.
    await setClock("2026-11-23T10:05:00-05:00");
    await cron();
    assert.equal(await calls(READ), before + 1, "due at 10:00 local");
    await cron();
    assert.equal(await calls(READ), before + 1, "once per scheduled time");
  });

  test("one merchant's failing registrations never starve another's refresh", async () => {
    await setClock(null);
    // abacus (sorted before acme, where a single global work list would start): more TNs
    // than one run's call budget, all of which AfterShip refuses to register.
    const abacusKey = await provision(api, { id: "abacus", name: "Abacus" });
    await standin.fault("500", { only: REGISTER });
    for (let i = 0; i < 45; i++) {
      const itn = (await api.createShipment("abacus", abacusKey, { order_ref: `#F${i}` })).json.itn;
      assert.equal((await api.attach("abacus", abacusKey, itn, { tracking_number: `FAILING${String(i).padStart(4, "0")}` })).status, 202);
    }
    // acme: a registered shipment whose refresh is due at acme's next run.
    await setClock("2026-11-23T17:59:00-05:00");
    await cron();
    await setClock("2026-11-23T18:01:00-05:00");
    const before = await calls(READ);
    await cron();
    assert.ok(await calls(READ) > before, "acme was refreshed although abacus's registrations all fail");
    await standin.fault("none");
    await setClock(null);
  });

  test("the clock can only be moved where the deployment allows it, and only by the admin", async () => {
    assert.equal((await api.call("PUT", "/v1/admin/clock", { key: "wrong", body: { now: null } })).status, 401);
    assert.equal((await api.call("PUT", "/v1/admin/clock", { key: ADMIN_TOKEN, body: { now: "yesterday" } })).status, 400);
  });
});
