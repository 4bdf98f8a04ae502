// Orders and channels against the real Worker in workerd: an order with several shipments,
// looked up by shoppers with its reference and a verifier; verifiers kept only as keyed
// hashes; a wrong verifier indistinguishable from an unknown order.
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import { startSystem, stopAll } from "../lib/harness.mjs";
import { Api, Standin, provision } from "../lib/api.mjs";
import { inTransitPreset } from "../lib/scenarios.mjs";

let system, api, standin, key;
const SHOP = "https://shop.acme.example";

before(async () => {
  system = await startSystem({ edgePort: 8881, standinPort: 8882, shopPort: 8883 });
  api = new Api(system.edgeBase);
  standin = new Standin(system.standinBase);
  key = await provision(api, { id: "acme", name: "Acme Outdoor", allowed_origins: [SHOP] });
});
after(stopAll);

const lookUp = (body, headers = {}) => api.call("POST", "/v1/track/acme/orders", { body, headers });

describe("orders", () => {
  test("an order's shipments are found with its reference and postal code or e-mail", async () => {
    const first = await api.createShipment("acme", key, { order_ref: "#7001", channel: "shopify:acme.myshopify.com", postal_code: "SW1A 1AA", email: "Jane.Doe@Example.com" });
    assert.equal(first.status, 201, first.text);
    assert.equal(first.json.channel, "shopify:acme.myshopify.com");
    const second = await api.createShipment("acme", key, { order_ref: "#7001", channel: "shopify:acme.myshopify.com" });
    assert.equal(second.status, 201);
    const tn = "1Z999AA10123457001";
    await standin.preset(inTransitPreset(tn));
    assert.equal((await api.attach("acme", key, second.json.itn, { tracking_number: tn })).status, 200);

    for (const verifier of [{ postal_code: "sw1a1aa" }, { postal_code: " SW1A-1AA " }, { email: " jane.doe@example.COM" }]) {
      const res = await lookUp({ order_ref: " #7001", ...verifier }, { origin: SHOP });
      assert.equal(res.status, 200, `${JSON.stringify(verifier)}: ${res.text}`);
      assert.equal(res.headers.get("access-control-allow-origin"), SHOP);
      assert.equal(res.json.order_ref, "#7001");
      assert.deepEqual(res.json.shipments.map((s) => s.itn), [first.json.itn, second.json.itn]);
      assert.equal(res.json.shipments[1].status.tag, "InTransit");
      assert.ok(!res.text.includes("SW1A") && !res.text.toLowerCase().includes("jane"), "no verifier in the answer");
    }
    // Nothing readable is stored: the merchant's view of the shipment has no verifier either.
    const view = await api.call("GET", `/v1/merchants/acme/shipments/${first.json.itn}`, { key });
    assert.ok(!/sw1a|jane/i.test(view.text), "verifiers are never stored or shown in plain text");
  });

  test("a wrong verifier gets exactly the answer an unknown order gets", async () => {
    await api.createShipment("acme", key, { order_ref: "#7002", postal_code: "10115" });
    const wrong = await lookUp({ order_ref: "#7002", postal_code: "10117" });
    const unknown = await lookUp({ order_ref: "#NOPE", postal_code: "10115" });
    const wrongKind = await lookUp({ order_ref: "#7002", email: "someone@example.com" });
    for (const res of [wrong, unknown, wrongKind]) {
      assert.equal(res.status, 404, res.text);
      assert.equal(res.json.error.code, "not_found");
      assert.equal(res.headers.get("cache-control"), "no-store");
    }
    assert.equal(wrong.text, unknown.text, "the same body");
    assert.equal(wrongKind.text, unknown.text);
  });

  test("bad input is refused and changes nothing", async () => {
    const cases = [
      [{ order_ref: "#7003" }, 400],
      [{ order_ref: "#7003", postal_code: "1", email: "a@b.co" }, 400],
      [{ order_ref: "", postal_code: "10115" }, 400],
      [{ order_ref: "#7003", postal_code: "<script>" }, 400],
      [{ order_ref: "#7003", postal_code: "10115", extra: 1 }, 400],
    ];
    for (const [body, status] of cases) {
      const res = await lookUp(body);
      assert.equal(res.status, status, `${JSON.stringify(body)}: ${res.text}`);
    }
    const badChannel = await api.createShipment("acme", key, { order_ref: "#7004", channel: "shop ify" });
    assert.equal(badChannel.status, 400);
    const badEmail = await api.createShipment("acme", key, { order_ref: "#7004", email: "not-an-email" });
    assert.equal(badEmail.status, 400);
    assert.equal((await lookUp({ order_ref: "#7004", email: "not-an-email@example.com" })).status, 404, "nothing was created");
  });

  test("preflight allows the storefront to post an order lookup", async () => {
    const res = await api.call("OPTIONS", "/v1/track/acme/orders", { headers: { origin: SHOP, "access-control-request-method": "POST", "access-control-request-headers": "content-type" } });
    assert.equal(res.status, 204);
    assert.equal(res.headers.get("access-control-allow-origin"), SHOP);
    assert.match(res.headers.get("access-control-allow-methods"), /POST/);
  });
});
