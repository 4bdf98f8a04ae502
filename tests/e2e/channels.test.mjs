// Sales channels end to end, against the real Worker in workerd with its Queue consumer, on a
// controllable clock: the merchants' scenarios. Amazon "never" sends nothing; a marketplace
// locks the TN it was sent and refuses a new one (409); BackMarket's IMEI is held to its
// 60-minute deadline, the miss is alerted by e-mail and webhook, and the IMEI supplied late
// goes out with the confirmation; a Shopify store gets its fulfilment, the carrier's events and,
// for cash on delivery, `orderMarkAsPaid`, through the stand-in Shopify that checks every
// request against the published Admin API schema; its throttle is respected.
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { startSystem, startReceiver, startShopify, stopAll, ADMIN_TOKEN } from "../lib/harness.mjs";
import { Api, Standin, provision } from "../lib/api.mjs";
import { inTransitPreset } from "../lib/scenarios.mjs";

let system, api, standin, receiver, shopify, key;
const PUBLIC = "https://track.example.com";
const SHOP = "shopify:acme.myshopify.com";

before(async () => {
  shopify = await startShopify(9064);
  system = await startSystem({
    edgePort: 9061, standinPort: 9062, shopPort: 9063, publicBase: PUBLIC,
    vars: {
      ALLOW_LOCAL_WEBHOOK_ENDPOINTS: "true", WEBHOOK_RETRY_BASE_SECONDS: "1",
      ALLOW_CLOCK_OVERRIDE: "true", SHOPIFY_API_BASE: shopify.base,
    },
  });
  receiver = await startReceiver(9065);
  api = new Api(system.edgeBase);
  standin = new Standin(system.standinBase);
  key = await provision(api, { id: "acme", name: "Acme Outdoor" });
  assert.equal((await api.call("PATCH", "/v1/merchants/acme/settings", { key, body: { time_zone: "America/New_York" } })).status, 200);
  // One endpoint takes the channel notices (they go only where they are named), one takes
  // everything else, to show that one gets none of them.
  for (const [name, events] of [["channels", ["channel.confirmation", "channel.deadline_missed", "channel.conflict"]], ["plain", undefined]]) {
    const res = await api.call("POST", "/v1/merchants/acme/webhook-endpoints", { key, body: { url: `${receiver.base}/hooks/${name}`, ...(events ? { events } : {}) } });
    assert.equal(res.status, 201, res.text);
    await receiver.endpoint(name, res.json.secret);
  }
});
after(async () => {
  await api?.call("PUT", "/v1/admin/clock", { key: ADMIN_TOKEN, body: { now: null } });
  await stopAll();
});

const setClock = async (now) => assert.equal((await api.call("PUT", "/v1/admin/clock", { key: ADMIN_TOKEN, body: { now } })).status, 200);
const cron = () => fetch(`${system.edgeBase}/__scheduled?cron=17+*/6+*+*+*`);
const channel = (name, body) => api.call("PUT", `/v1/merchants/acme/channels/${encodeURIComponent(name)}`, { key, body });
const status = async (itn) => {
  const res = await api.call("GET", `/v1/merchants/acme/shipments/${itn}/channel`, { key });
  assert.equal(res.status, 200, res.text);
  return res.json;
};

/** Polls (with a deadline) until `probe()` returns something truthy. */
async function until(probe, what) {
  const deadline = Date.now() + 30000;
  let last;
  while (Date.now() < deadline) {
    last = await probe();
    if (last) return last;
    await new Promise((r) => setTimeout(r, 100)); // poll interval, not a synchronisation sleep
  }
  assert.fail(`${what}: ${JSON.stringify(last)}`);
}

const notices = async (itn, name = "channels") =>
  (await receiver.received(name)).accepted.filter((d) => d.body.data.itn === itn && d.type.startsWith("channel."));

/** Every message the simulated send_email binding stored: {to, subject, text}. */
function mailbox() {
  const plain = system.edge.output.replace(/\x1b\[[0-9;]*m/g, "");
  return [...plain.matchAll(/From: [^\n]*\nTo: ([^\n]*)\nSubject: ([^\n]*)\n\nText: (\S+)/g)]
    .map((m) => ({ to: m[1].trim(), subject: m[2].trim(), text: readFileSync(m[3], "utf8") }));
}

describe("sales channels", () => {
  test("policies are validated per channel, read back, and audited; tokens are never shown", async () => {
    for (const [name, body, pattern] of [
      ["amazon", { confirm: "sometimes" }, /sometimes/],
      ["backmarket", { confirm: "never" }, /BackMarket|backmarket/i],
      ["ebay", { lock_after_confirmation: false }, /lock/i],
      ["amazon", { access_token: "shpat_x" }, /Shopify store/],
      [SHOP, { access_token: "has spaces" }, /access token/],
      ["amazon", { confirm: "never", colour: "red" }, /colour/],
    ]) {
      const res = await channel(name, body);
      assert.equal(res.status, 400, `${name} ${JSON.stringify(body)}: ${res.text}`);
      assert.match(res.json.error.message, pattern);
    }
    const amazon = await channel("amazon", { confirm: "never" });
    assert.equal(amazon.status, 200, amazon.text);
    assert.deepEqual([amazon.json.confirm, amazon.json.lock_after_confirmation, amazon.json.lock_optional], ["never", true, false]);
    const shop = await channel(SHOP, { notify_customer: false, access_token: shopify.token });
    assert.equal(shop.status, 200, shop.text);
    assert.equal(shop.json.connected, true);
    assert.equal(shop.json.confirm, "on_assigned");
    const list = await api.call("GET", "/v1/merchants/acme/channels", { key });
    assert.deepEqual(list.json.channels.map((c) => c.channel).sort(), ["amazon", SHOP].sort());
    const defaults = await api.call("GET", "/v1/merchants/acme/channels/ebay", { key });
    assert.deepEqual([defaults.json.confirm, defaults.json.lock_after_confirmation], ["on_assigned", true]);
    const settings = await api.call("GET", "/v1/merchants/acme/settings", { key });
    const fields = settings.json.history.map((h) => h.field);
    assert.ok(fields.includes("channels.amazon") && fields.includes(`channels.${SHOP}.access_token`), fields.join());
    for (const text of [list.text, shop.text, settings.text]) assert.ok(!text.includes(shopify.token), "the token is never shown");
  });

  test("Amazon \"never\": nothing is confirmed, whatever the carrier does; eBay is confirmed on assignment", async () => {
    const never = (await api.createShipment("acme", key, { order_ref: "#9601", channel: "amazon" })).json.itn;
    const ebay = (await api.createShipment("acme", key, { order_ref: "#9602", channel: "ebay" })).json.itn;
    for (const [itn, tn] of [[never, "1Z999AA10123459601"], [ebay, "1Z999AA10123459602"]]) {
      await standin.preset(inTransitPreset(tn));
      assert.equal((await api.attach("acme", key, itn, { tracking_number: tn })).status, 200);
    }
    const confirmed = await until(async () => (await notices(ebay)).find((d) => d.type === "channel.confirmation"), "eBay's confirmation");
    assert.equal(confirmed.body.data.channel_notice.channel, "ebay");
    assert.equal(confirmed.body.data.channel_notice.tracking_number, "1Z999AA10123459602");
    assert.equal(confirmed.body.data.order_ref, "#9602");
    // The eBay confirmation was queued after Amazon's change: Amazon has had its chance.
    assert.deepEqual(await notices(never), [], "Amazon gets nothing");
    assert.equal((await status(never)).state, "never");
    const ebayStatus = await status(ebay);
    assert.equal(ebayStatus.state, "confirmed");
    assert.equal(ebayStatus.confirmed.tracking_number, "1Z999AA10123459602");
    assert.deepEqual(await notices(ebay, "plain"), [], "an endpoint without a filter gets no channel notices");
  });

  test("a locked channel refuses a new TN with a clear 409, and nothing is re-sent", async () => {
    const itn = (await api.createShipment("acme", key, { order_ref: "#9603", channel: "ebay" })).json.itn;
    assert.equal((await api.attach("acme", key, itn, { tracking_number: "1Z999AA10123459603" })).status, 200);
    await until(async () => (await notices(itn)).length === 1, "the confirmation");
    const refused = await api.attach("acme", key, itn, { tracking_number: "1Z999AA10123459610" });
    assert.equal(refused.status, 409, refused.text);
    assert.match(refused.json.error.message, /1Z999AA10123459603 was confirmed to ebay/);
    const shipment = await api.call("GET", `/v1/merchants/acme/shipments/${itn}`, { key });
    assert.equal(shipment.json.tracking_number, "1Z999AA10123459603", "the change was not stored");
    assert.equal((await api.call("GET", `/v1/track/acme/1Z999AA10123459610`)).status, 404, "the refused TN finds nothing");
    // The same TN again is no change at all.
    assert.equal((await api.attach("acme", key, itn, { tracking_number: "1Z999AA10123459603" })).status, 200);
    assert.equal((await notices(itn)).length, 1, "confirmed once");
  });

  test("BackMarket: the IMEI within 60 minutes goes with the confirmation", async () => {
    await setClock("2026-11-23T15:00:00Z"); // Monday 10:00 in New York
    const itn = (await api.createShipment("acme", key, { order_ref: "#9604", channel: "backmarket", smartphone: true })).json.itn;
    assert.equal((await api.attach("acme", key, itn, { tracking_number: "1Z999AA10123459604" })).status, 200);
    const held = await status(itn);
    assert.equal(held.state, "held");
    // 60 minutes after the label (the clock ran on for a few milliseconds after it was set).
    const label = Date.parse("2026-11-23T15:00:00Z");
    assert.equal(held.deadline.by, "at");
    assert.ok(Date.parse(held.deadline.at) - label >= 3600e3 && Date.parse(held.deadline.at) - label < 3605e3, held.deadline.at);
    assert.deepEqual(held.required_fields, ["imei"]);
    assert.equal((await api.call("PUT", `/v1/merchants/acme/shipments/${itn}/fields`, { key, body: { imei: "490154203237519" } })).status, 400, "a wrong check digit");
    await setClock("2026-11-23T15:59:00Z");
    const supplied = await api.call("PUT", `/v1/merchants/acme/shipments/${itn}/fields`, { key, body: { imei: "49-015420-323751-8" } });
    assert.equal(supplied.status, 200, supplied.text);
    assert.equal(supplied.json.state, "confirmed");
    const sent = await until(async () => (await notices(itn))[0], "the confirmation");
    assert.equal(sent.body.data.channel_notice.imei, "490154203237518");
    assert.equal(sent.body.data.channel_notice.missed_deadline, undefined);
    const again = await api.call("PUT", `/v1/merchants/acme/shipments/${itn}/fields`, { key, body: { imei: "490154203237518" } });
    assert.equal(again.status, 409, "the IMEI cannot change after the confirmation");
  });

  test("BackMarket: a missed IMEI deadline is alerted (webhook and verified e-mail), never skipped", async () => {
    const ops = await api.call("POST", "/v1/merchants/acme/alert-recipients", { key, body: { email: "ops@acme.example", alerts: ["deadline_missed"] } });
    assert.equal(ops.status, 201, ops.text);
    const confirm = await until(() => mailbox().find((m) => m.to.includes("ops@acme.example") && m.subject.startsWith("Confirm")), "the confirmation e-mail");
    const code = confirm.text.match(/\b(\d{6})\b/)[1];
    assert.equal((await api.call("POST", `/v1/merchants/acme/alert-recipients/${ops.json.id}/verify`, { key, body: { code } })).status, 200);
    const unverified = await api.call("POST", "/v1/merchants/acme/alert-recipients", { key, body: { email: "later@acme.example", alerts: ["deadline_missed"] } });
    assert.equal(unverified.status, 201);

    await setClock("2026-11-23T15:00:00Z");
    const itn = (await api.createShipment("acme", key, { order_ref: "#9605", channel: "backmarket", smartphone: true })).json.itn;
    assert.equal((await api.attach("acme", key, itn, { tracking_number: "1Z999AA10123459605" })).status, 200);
    await setClock("2026-11-23T16:01:00Z");
    assert.equal((await status(itn)).state, "deadline_missed", "visible at once");
    await cron();
    const missed = await until(async () => (await notices(itn)).find((d) => d.type === "channel.deadline_missed"), "the missed deadline");
    const deadline = missed.body.data.channel_notice.deadline;
    assert.match(deadline, /^2026-11-23T16:00:0/);
    const mail = await until(() => mailbox().find((m) => m.to.includes("ops@acme.example") && m.subject === "Action needed: order #9605"), "the alert e-mail");
    assert.match(mail.text, /IMEI/);
    await cron(); // a second look reports nothing new
    assert.equal((await notices(itn)).length, 1, "one miss, one notice, no confirmation without the IMEI");

    await setClock("2026-11-23T17:00:00Z");
    const late = await api.call("PUT", `/v1/merchants/acme/shipments/${itn}/fields`, { key, body: { imei: "490154203237518" } });
    assert.equal(late.status, 200, late.text);
    const sent = await until(async () => (await notices(itn)).find((d) => d.type === "channel.confirmation"), "the late confirmation");
    assert.equal(sent.body.data.channel_notice.missed_deadline, deadline, "it says which deadline it missed");
    assert.ok(!mailbox().some((m) => m.to.includes("later@acme.example") && !m.subject.startsWith("Confirm")), "an unverified address gets nothing but its confirmation");
    await setClock(null);
  });

  test("the daily digest lists every order shipped that day, once, at the close of business", async () => {
    const digest = await api.call("POST", "/v1/merchants/acme/alert-recipients", { key, body: { email: "digest@acme.example", alerts: ["shipped_digest"] } });
    assert.equal(digest.status, 201, digest.text);
    const confirm = await until(() => mailbox().find((m) => m.to.includes("digest@acme.example") && m.subject.startsWith("Confirm")), "the confirmation e-mail");
    const code = confirm.text.match(/\b(\d{6})\b/)[1];
    assert.equal((await api.call("POST", `/v1/merchants/acme/alert-recipients/${digest.json.id}/verify`, { key, body: { code } })).status, 200);

    await setClock("2026-11-30T15:00:00Z"); // Monday 10:00 in New York
    await cron(); // yesterday's digest: nothing had shipped, nothing is sent
    const shipped = [];
    for (const [order, tn] of [["#9611", "1Z999AA10123459611"], ["#9612", "1Z999AA10123459612"]]) {
      const itn = (await api.createShipment("acme", key, { order_ref: order })).json.itn;
      await standin.preset(inTransitPreset(tn));
      assert.equal((await api.attach("acme", key, itn, { tracking_number: tn })).status, 200);
      shipped.push({ order, tn, itn });
    }
    await cron(); // before the close: not yet
    await setClock("2026-11-30T22:31:00Z"); // 17:31, after the 17:30 close
    await cron();
    const mail = await until(() => mailbox().find((m) => m.to.includes("digest@acme.example") && m.subject.startsWith("Shipped today")), "the digest");
    assert.equal(mail.subject, "Shipped today: 2 orders (2026-11-30)");
    for (const { order, tn, itn } of shipped) {
      assert.ok(mail.text.includes(`Order ${order}`) && mail.text.includes(tn) && mail.text.includes(`${PUBLIC}/t/acme/${itn}`), mail.text);
    }
    await cron(); // once per close
    const digests = mailbox().filter((m) => m.to.includes("digest@acme.example") && !m.subject.startsWith("Confirm"));
    assert.equal(digests.length, 1, "one digest, and no e-mail per shipment for this recipient");
    await setClock(null);
  });

  test("Shopify: the fulfilment with the TN and the /t/ link, each carrier event once, and cash on delivery marked paid", async () => {
    await shopify.order({ id: 450789469, fulfillment_orders: [1046000786], financial_status: "PENDING" });
    const bad = await api.createShipment("acme", key, { order_ref: "#9606", channel: "amazon", shopify: { order_id: "450789469", fulfillment_order_ids: ["1046000786"] } });
    assert.equal(bad.status, 400, "a Shopify order on another channel");
    const created = await api.createShipment("acme", key, {
      order_ref: "#9606", channel: SHOP, cash_on_delivery: true,
      shopify: { order_id: "gid://shopify/Order/450789469", fulfillment_order_ids: ["1046000786"] },
    });
    assert.equal(created.status, 201, created.text);
    const itn = created.json.itn;
    const tn = "1Z999AA10123459606";
    await standin.preset(inTransitPreset(tn));
    assert.equal((await api.attach("acme", key, itn, { tracking_number: tn, slug: "ups" })).status, 200);
    const fulfilled = await until(async () => {
      const state = await shopify.state();
      const f = state.fulfillments.find((x) => x.tracking.some((t) => t.number === tn));
      return f && f.events.length >= 2 && f;
    }, "the fulfilment and its first events");
    assert.deepEqual(fulfilled.tracking, [{ number: tn, company: "UPS", url: `${PUBLIC}/t/acme/${itn}` }]);
    assert.deepEqual(fulfilled.events.map((e) => e.status), ["CARRIER_PICKED_UP", "IN_TRANSIT"]);
    assert.deepEqual((await shopify.state()).notifications, [], "notify_customer false: the customer was not told");

    const scans = [...inTransitPreset(tn).checkpoints,
      { checkpoint_time: new Date(Date.now() - 3600e3).toISOString(), message: "Out for delivery", tag: "OutForDelivery", subtag: "OutForDelivery_001", city: "Chicago" },
      { checkpoint_time: new Date().toISOString(), message: "Delivered", tag: "Delivered", subtag: "Delivered_001", city: "Chicago" }];
    const pushed = { tracking_number: tn, slug: "ups", tag: "Delivered", updated_at: new Date().toISOString(), checkpoints: scans, custom_fields: { waymark_itn: itn, waymark_merchant: "acme" } };
    for (const round of [1, 2]) assert.equal((await api.pushWebhook(pushed, `delivered-${itn}-${round}`)).status, 200);
    const paid = await until(async () => {
      const state = await shopify.state();
      const order = state.orders.find((o) => o.id === "gid://shopify/Order/450789469");
      const f = state.fulfillments.find((x) => x.id === fulfilled.id);
      return order.financial_status === "PAID" && f.events.length >= 4 && { order, f };
    }, "the order paid and every event posted");
    assert.deepEqual(paid.f.events.map((e) => e.status), ["CARRIER_PICKED_UP", "IN_TRANSIT", "OUT_FOR_DELIVERY", "DELIVERED"]);
    const calls = await shopify.calls();
    assert.deepEqual(Object.keys(calls.by_outcome), ["ok"], `every request valid against the schema: ${JSON.stringify(calls.by_outcome)}`);
    assert.equal(calls.calls.filter((c) => c.root_fields?.includes("orderMarkAsPaid")).length, 1, "marked paid once");
    const view = await status(itn);
    assert.equal(view.shopify.fulfillment_id, fulfilled.id);
    assert.equal(view.cash_on_delivery, true);
    const log = await api.call("GET", "/v1/merchants/acme/deliveries?limit=500", { key });
    const shopCalls = log.json.deliveries.filter((d) => d.itn === itn && d.endpoint_id === SHOP);
    assert.equal(shopCalls.length, 6, shopCalls.map((d) => d.type).join());
    assert.ok(shopCalls.every((d) => d.status === "delivered"));
    assert.ok(!log.text.includes(shopify.token));
  });

  test("Shopify's userErrors stop the call, visible in the delivery log, never retried blindly", async () => {
    const itn = (await api.createShipment("acme", key, {
      order_ref: "#9608", channel: SHOP, shopify: { order_id: "450789471", fulfillment_order_ids: ["1046009999"] },
    })).json.itn;
    const before = (await shopify.calls()).total;
    assert.equal((await api.attach("acme", key, itn, { tracking_number: "1Z999AA10123459608", slug: "ups" })).status, 200);
    const dead = await until(async () => {
      const log = (await api.call("GET", "/v1/merchants/acme/deliveries?limit=500", { key })).json.deliveries;
      return log.find((d) => d.itn === itn && d.type === "shopify.fulfillment_create" && d.status === "dead");
    }, "the refused fulfilment in the log");
    assert.match(dead.last_error, /Fulfillment order does not exist/);
    assert.equal(dead.attempts, 1);
    const calls = (await shopify.calls()).calls.slice(before);
    assert.deepEqual(calls.map((c) => c.outcome), ["user_errors"], "one call, no retries");
  });

  test("Shopify's cost-based throttle is waited out, not hammered", async () => {
    await shopify.order({ id: 450789470, fulfillment_orders: [1046000790], financial_status: "PENDING" });
    // Room for one mutation, refilled at 5 points a second (a mutation costs 10).
    await shopify.bucket({ maximum: 20, available: 10, restore_rate: 5 });
    const before = (await shopify.calls()).total;
    const itn = (await api.createShipment("acme", key, {
      order_ref: "#9607", channel: SHOP, shopify: { order_id: "450789470", fulfillment_order_ids: ["1046000790"] },
    })).json.itn;
    const tn = "1Z999AA10123459607";
    await standin.preset(inTransitPreset(tn));
    assert.equal((await api.attach("acme", key, itn, { tracking_number: tn })).status, 200);
    await until(async () => {
      const f = (await shopify.state()).fulfillments.find((x) => x.tracking.some((t) => t.number === tn));
      return f && f.events.length === 2;
    }, "all three calls, in time");
    const calls = (await shopify.calls()).calls.slice(before);
    const throttled = calls.filter((c) => c.outcome === "throttled").length;
    assert.ok(throttled <= 1, `at most one call throttled before the bucket was read: ${JSON.stringify(calls.map((c) => c.outcome))}`);
    await shopify.bucket({ maximum: 2000, available: 2000, restore_rate: 100 });
  });

  test("Find Orders shows each shipment's confirmation state, and a policy change moves it at once", async () => {
    // A merchant of its own: the other tests' policies stay as they are.
    const own = await provision(api, { id: "statewise", name: "Statewise" });
    const create = async (order_ref) => (await api.createShipment("statewise", own, { order_ref, channel: "amazon" })).json.itn;
    const waiting = await create("#9701");
    const confirmed = await create("#9702");
    const tn = "1Z999AA10123459702";
    await standin.preset(inTransitPreset(tn));
    assert.equal((await api.attach("statewise", own, confirmed, { tracking_number: tn })).status, 200);
    const states = async () => {
      const res = await api.call("GET", "/v1/merchants/statewise/shipments", { key: own });
      assert.equal(res.status, 200, res.text);
      return Object.fromEntries(res.json.shipments.map((s) => [s.itn, s.confirmation]));
    };
    assert.deepEqual(await states(), { [waiting]: "waiting", [confirmed]: "confirmed" });
    const filtered = await api.call("GET", "/v1/merchants/statewise/shipments?confirmation=waiting", { key: own });
    assert.deepEqual(filtered.json.shipments.map((s) => s.itn), [waiting]);
    // Amazon may also be "never": the waiting order now reads so; the confirmed one stays confirmed.
    const put = await api.call("PUT", "/v1/merchants/statewise/channels/amazon", { key: own, body: { confirm: "never" } });
    assert.equal(put.status, 200, put.text);
    assert.deepEqual(await states(), { [waiting]: "never", [confirmed]: "confirmed" });
    const removed = await api.call("DELETE", "/v1/merchants/statewise/channels/amazon", { key: own });
    assert.ok([200, 204].includes(removed.status), removed.text);
    assert.deepEqual(await states(), { [waiting]: "waiting", [confirmed]: "confirmed" }, "back to Amazon's default");
    const bad = await api.call("GET", "/v1/merchants/statewise/shipments?confirmation=sent", { key: own });
    assert.equal(bad.status, 400, bad.text);
  });
});
