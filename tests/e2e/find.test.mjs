// Find Orders, the merchant's query API, against the real Worker in workerd: search by ITN,
// TN (any case, spaces ignored) or order reference; filters; sorting; cursor paging that stays
// stable while shipments arrive; a streamed CSV export a spreadsheet opens safely; tenant
// isolation both ways.
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import { startSystem, stopAll } from "../lib/harness.mjs";
import { Api, Standin, provision } from "../lib/api.mjs";
import { inTransitPreset } from "../lib/scenarios.mjs";

let system, api, standin, key, otherKey;
const created = [];

before(async () => {
  system = await startSystem({ edgePort: 8891, standinPort: 8892, shopPort: 8893 });
  api = new Api(system.edgeBase);
  standin = new Standin(system.standinBase);
  key = await provision(api, { id: "acme", name: "Acme Outdoor" });
  otherKey = await provision(api, { id: "globex", name: "Globex" });
  for (let i = 0; i < 12; i++) {
    const channel = ["amazon", "ebay", "shopify:acme.myshopify.com"][i % 3];
    const res = await api.createShipment("acme", key, { order_ref: `#80${String(i).padStart(2, "0")}`, channel });
    assert.equal(res.status, 201, res.text);
    created.push(res.json.itn);
  }
  // One in transit with a TN, one with a hostile order reference.
  await standin.preset(inTransitPreset("1Z999AA10123458000"));
  assert.equal((await api.attach("acme", key, created[0], { tracking_number: "1Z999AA10123458000" })).status, 200);
  assert.equal((await api.createShipment("acme", key, { order_ref: "=HYPERLINK(\"http://x\",\"y\")" })).status, 201);
  assert.equal((await api.createShipment("globex", otherKey, { order_ref: "#8000" })).status, 201);
});
after(stopAll);

const find = (query, k = key, merchant = "acme") => api.call("GET", `/v1/merchants/${merchant}/shipments${query ? `?${query}` : ""}`, { key: k });

describe("Find Orders", () => {
  test("search by ITN, by TN in any case with spaces, or by order reference", async () => {
    const byItn = await find(`q=${encodeURIComponent(created[3])}`);
    assert.equal(byItn.status, 200, byItn.text);
    assert.deepEqual(byItn.json.shipments.map((s) => s.itn), [created[3]]);
    const byTn = await find(`q=${encodeURIComponent(" 1z999aa1 0123458000 ")}`);
    assert.deepEqual(byTn.json.shipments.map((s) => s.itn), [created[0]]);
    assert.equal(byTn.json.shipments[0].stage, "shipped");
    assert.deepEqual(byTn.json.shipments[0].tracking_numbers, ["1Z999AA10123458000"]);
    const byOrder = await find(`q=${encodeURIComponent("#8005")}`);
    assert.deepEqual(byOrder.json.shipments.map((s) => s.order_ref), ["#8005"]);
  });

  test("filters, sorting and errors", async () => {
    const amazon = await find("channel=amazon");
    assert.equal(amazon.json.shipments.length, 4);
    assert.ok(amazon.json.shipments.every((s) => s.channel === "amazon"));
    const shipped = await find("stage=shipped,delivered");
    assert.deepEqual(shipped.json.shipments.map((s) => s.itn), [created[0]]);
    const oldest = await find("sort=created&limit=3");
    assert.deepEqual(oldest.json.shipments.map((s) => s.itn), created.slice(0, 3));
    for (const bad of ["stage=flying", "limit=0", "sort=colour", "nonsense=1", "cursor=abc"]) {
      const res = await find(bad);
      assert.equal(res.status, 400, `${bad}: ${res.text}`);
      assert.equal(res.json.error.code, "invalid_input");
    }
  });

  test("cursor paging stays stable while new shipments arrive", async () => {
    const seen = [];
    let page = await find("limit=5");
    seen.push(...page.json.shipments.map((s) => s.itn));
    // New shipments arrive between pages: they sort before the cursor (newest first).
    await api.createShipment("acme", key, { order_ref: "#8100" });
    while (page.json.next_cursor) {
      page = await find(`limit=5&cursor=${page.json.next_cursor}`);
      assert.equal(page.status, 200, page.text);
      seen.push(...page.json.shipments.map((s) => s.itn));
      await api.createShipment("acme", key, { order_ref: `#81${seen.length}` });
    }
    assert.equal(new Set(seen).size, seen.length, "no shipment twice");
    for (const itn of created) assert.ok(seen.includes(itn), `${itn} not skipped`);
  });

  test("the CSV export is streamed, RFC 4180 quoted and safe to open", async () => {
    const res = await api.call("GET", "/v1/merchants/acme/shipments.csv?columns=itn,order_ref,channel,stage&sort=created", { key });
    assert.equal(res.status, 200, res.text);
    assert.match(res.headers.get("content-type"), /^text\/csv/);
    assert.match(res.headers.get("content-disposition"), /attachment/);
    const lines = res.text.replace(/^\uFEFF/, "").split("\r\n").filter(Boolean);
    assert.equal(lines[0], "Waymark tracking number,Order,Sales channel,Stage");
    assert.ok(lines.length >= 14, `${lines.length} lines`);
    assert.ok(lines.some((l) => l.includes("shopify:acme.myshopify.com")));
    const hostile = lines.find((l) => l.includes("HYPERLINK"));
    assert.ok(hostile.includes(`"'=HYPERLINK(""http://x"",""y"")"`), `neutralised and quoted: ${hostile}`);
    assert.ok(!lines.some((l) => l.includes("#8000") && !created.some((i) => l.includes(i))), "no other merchant's rows");
  });

  test("tenant isolation holds both ways", async () => {
    assert.equal((await find("", otherKey)).status, 403);
    assert.equal((await find("", key, "globex")).status, 403);
    const theirs = await find("", otherKey, "globex");
    assert.equal(theirs.json.shipments.length, 1);
    assert.ok(!created.includes(theirs.json.shipments[0].itn));
    const mine = await find(`q=${encodeURIComponent(theirs.json.shipments[0].itn)}`);
    assert.deepEqual(mine.json.shipments, [], "another merchant's ITN finds nothing");
    assert.equal((await api.call("GET", "/v1/merchants/acme/shipments.csv", { key: otherKey })).status, 403);
  });
});
