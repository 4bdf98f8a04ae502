// Several tracking numbers per shipment, against the real Worker in workerd and the stand-in
// AfterShip: a consolidator's number (CJPacket's `CJP…`, the default role) and the local
// last-mile carrier's (Canada Post's, role `local`), or the last-mile number AfterShip itself
// reports. Each number finds the shipment, both carriers' scans make one timeline, the stage
// is the furthest either shows, and the merchant chooses which number shoppers see first.
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import { startSystem, stopAll } from "../lib/harness.mjs";
import { Api, Standin, provision } from "../lib/api.mjs";

let system, api, standin, key;

before(async () => {
  system = await startSystem({ edgePort: 8951, standinPort: 8952, shopPort: 8953 });
  api = new Api(system.edgeBase);
  standin = new Standin(system.standinBase);
  key = await provision(api, { id: "acme", name: "Acme Outdoor" });
});
after(stopAll);

const hoursAgo = (h) => new Date(Date.now() - h * 3600e3);
/** A carrier time in the carrier's own offset, as carriers report them. */
function at(date, offsetHours) {
  const shifted = new Date(date.getTime() + offsetHours * 3600e3);
  const sign = offsetHours < 0 ? "-" : "+";
  return shifted.toISOString().slice(0, 19) + `${sign}${String(Math.abs(offsetHours)).padStart(2, "0")}:00`;
}

const cjpInTransit = (tn, extra = {}) => ({
  tracking_number: tn, slug: "cjpacket", tag: "InTransit", subtag: "InTransit_001",
  checkpoints: [
    { checkpoint_time: at(hoursAgo(60), 8), message: "Parcel received at the sorting centre", tag: "InTransit", subtag: "InTransit_001", city: "Yiwu", country_iso3: "CHN" },
    { checkpoint_time: at(hoursAgo(40), 8), message: "Departed from the origin country", tag: "InTransit", subtag: "InTransit_001", city: "Shenzhen", country_iso3: "CHN" },
  ],
  ...extra,
});
const notFoundYet = (tn) => ({ tracking_number: tn, slug: "canada-post", tag: "Pending", checkpoints: [] });
const merchantView = (itn) => api.call("GET", `/v1/merchants/acme/shipments/${itn}`, { key });
const patchSettings = (body) => api.call("PATCH", "/v1/merchants/acme/settings", { key, body });
const carrierLabels = (view) => view.timeline.filter((e) => e.source === "carrier").map((e) => e.label);

describe("several tracking numbers per shipment", () => {
  test("a consolidator in transit with the local number not found yet is shipped, and each number finds it", async () => {
    const itn = (await api.createShipment("acme", key, { order_ref: "#9101" })).json.itn;
    const cjp = "CJPKL7309101001YQ";
    const post = "7023210039419101";
    await standin.preset(cjpInTransit(cjp));
    await standin.preset(notFoundYet(post));
    assert.equal((await api.attach("acme", key, itn, { tracking_number: cjp, slug: "cjpacket" })).status, 200);
    const attached = await api.attach("acme", key, itn, { tracking_number: post, slug: "canada-post", role: "local" });
    assert.equal(attached.status, 200, attached.text);
    assert.deepEqual(attached.json.tracking_numbers.map((t) => [t.tracking_number, t.role, t.registration.state]),
      [[cjp, "default", "registered"], [post, "local", "registered"]]);
    assert.equal(attached.json.tracking_number, cjp, "the single-TN field keeps the default number");

    for (const number of [itn, cjp, post, post.slice(0, 8) + " " + post.slice(8), cjp.toLowerCase()]) {
      const res = await api.track("acme", number);
      assert.equal(res.status, 200, `${number}: ${res.text}`);
      assert.equal(res.json.itn, itn, number);
      assert.equal(res.json.progress.stage, "shipped", "the furthest carrier decides");
      assert.equal(res.json.status.awaiting_first_scan, false, "not waiting for a first scan");
      assert.equal(res.json.status.tag, "InTransit");
      assert.equal(res.json.tracking_number, cjp);
      assert.deepEqual(res.json.tracking_numbers.map((t) => [t.number, t.role]), [[cjp, "default"], [post, "local"]]);
    }
  });

  test("both carriers' scans merge in true time order, duplicates once; the stage follows the furthest", async () => {
    const itn = (await api.createShipment("acme", key, { order_ref: "#9102" })).json.itn;
    const cjp = "CJPKL7309102001YQ";
    const post = "7023210039419102";
    const handOver = hoursAgo(20);
    await standin.preset(cjpInTransit(cjp, {
      checkpoints: [
        ...cjpInTransit(cjp).checkpoints,
        { checkpoint_time: at(handOver, 8), message: "Arrived at the destination hub", tag: "InTransit", city: "Vancouver", country_iso3: "CAN" },
      ],
    }));
    await standin.preset({
      tracking_number: post, slug: "canada-post", tag: "OutForDelivery", subtag: "OutForDelivery_001",
      checkpoints: [
        // Reported in another offset and listed out of order: the true instant decides.
        { checkpoint_time: at(hoursAgo(2), -8), message: "Out for delivery", tag: "OutForDelivery", city: "Vancouver", country_iso3: "CAN" },
        { checkpoint_time: at(handOver, -8), message: "Arrived at the destination hub", tag: "InTransit", city: "Vancouver", country_iso3: "CAN" },
        { checkpoint_time: at(hoursAgo(10), -8), message: "Arrived at the post office", tag: "InTransit", city: "Vancouver", country_iso3: "CAN" },
      ],
    });
    await api.attach("acme", key, itn, { tracking_number: cjp, slug: "cjpacket" });
    await api.attach("acme", key, itn, { tracking_number: post, slug: "canada-post", role: "local" });
    const res = await api.track("acme", post);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(carrierLabels(res.json), [
      "Parcel received at the sorting centre",
      "Departed from the origin country",
      "Arrived at the destination hub",
      "Arrived at the post office",
      "Out for delivery",
    ]);
    assert.equal(res.json.progress.stage, "out_for_delivery");
    assert.equal(res.json.status.tag, "OutForDelivery");
  });

  test("a webhook for the local number updates that carrier only, and a replay changes nothing", async () => {
    const itn = (await api.createShipment("acme", key, { order_ref: "#9103" })).json.itn;
    const cjp = "CJPKL7309103001YQ";
    const post = "7023210039419103";
    await standin.preset(cjpInTransit(cjp));
    await standin.preset(notFoundYet(post));
    await api.attach("acme", key, itn, { tracking_number: cjp, slug: "cjpacket" });
    await api.attach("acme", key, itn, { tracking_number: post, slug: "canada-post", role: "local" });
    const delivered = {
      tracking_number: post, slug: "canada-post", tag: "Delivered", updated_at: new Date().toISOString(),
      custom_fields: { waymark_itn: itn, waymark_merchant: "acme" },
      checkpoints: [{ checkpoint_time: at(hoursAgo(1), -5), message: "Delivered to the front door", tag: "Delivered", city: "Toronto" }],
    };
    for (const attempt of [1, 2]) {
      const pushed = await api.pushWebhook(delivered, `evt-local-${itn}`);
      assert.equal(pushed.status, 200, pushed.text);
      if (attempt === 2) assert.equal(pushed.json.duplicate, true, "the replay is recognised");
    }
    const res = await api.track("acme", itn);
    assert.equal(res.json.progress.stage, "delivered");
    const labels = carrierLabels(res.json);
    assert.equal(labels.filter((l) => l === "Delivered to the front door").length, 1);
    assert.ok(labels.includes("Departed from the origin country"), "the consolidator's scans stay");
  });

  test("the merchant's setting chooses which number shoppers see first", async () => {
    const itn = (await api.createShipment("acme", key, { order_ref: "#9104" })).json.itn;
    const cjp = "CJPKL7309104001YQ";
    const post = "7023210039419104";
    await standin.preset(cjpInTransit(cjp));
    await standin.preset(notFoundYet(post));
    await api.attach("acme", key, itn, { tracking_number: cjp, slug: "cjpacket" });
    await api.attach("acme", key, itn, { tracking_number: post, slug: "canada-post", role: "local" });
    try {
      assert.equal((await patchSettings({ tracking_number_display: "local" })).status, 200);
      // A lookup by a number not memoised before the change shows the new order at once.
      const res = await api.track("acme", post);
      assert.equal(res.json.tracking_number, post);
      assert.equal(res.json.carrier.slug, "canada-post");
      assert.deepEqual(res.json.tracking_numbers.map((t) => t.number), [post, cjp]);
      assert.ok(res.json.links.aftership.endsWith(`/${post}`));
      assert.ok(res.json.links.tracking_number.endsWith(`/t/acme/${post}`));
    } finally {
      assert.equal((await patchSettings({ tracking_number_display: "default" })).status, 200);
    }
  });

  test("a TN without a role replaces the default number, as before; the local one stays", async () => {
    const itn = (await api.createShipment("acme", key, { order_ref: "#9105" })).json.itn;
    const first = "CJPKL7309105001YQ";
    const corrected = "CJPKL7309105002YQ";
    const post = "7023210039419105";
    for (const tn of [first, corrected]) await standin.preset(cjpInTransit(tn));
    await standin.preset(notFoundYet(post));
    await api.attach("acme", key, itn, { tracking_number: first, slug: "cjpacket" });
    await api.attach("acme", key, itn, { tracking_number: post, role: "local" });
    const replaced = await api.attach("acme", key, itn, { tracking_number: corrected });
    assert.equal(replaced.status, 200, replaced.text);
    assert.deepEqual(replaced.json.tracking_numbers.map((t) => [t.tracking_number, t.role]), [[corrected, "default"], [post, "local"]]);
    assert.equal((await api.track("acme", first)).status, 404, "the corrected number no longer finds it");
    for (const tn of [corrected, post]) assert.equal((await api.track("acme", tn)).json.itn, itn);
    // Retrying the same attach changes nothing.
    const again = await api.attach("acme", key, itn, { tracking_number: post, role: "local" });
    assert.equal(again.status, 200);
    assert.equal(again.json.history.filter((e) => e.type === "tracking_attached").length, 3);
  });

  test("bad roles and one number in two roles are refused and change nothing", async () => {
    const itn = (await api.createShipment("acme", key, { order_ref: "#9106" })).json.itn;
    const cjp = "CJPKL7309106001YQ";
    await standin.preset(cjpInTransit(cjp));
    await api.attach("acme", key, itn, { tracking_number: cjp });
    for (const role of ["Local", "last_mile", "", 1, null]) {
      const res = await api.attach("acme", key, itn, { tracking_number: "7023210039419106", role });
      assert.equal(res.status, role === null ? 200 : 400, `${JSON.stringify(role)}: ${res.text}`);
      if (role === null) break; // null is "no role": the default number, replaced
    }
    const other = (await api.createShipment("acme", key, { order_ref: "#9107" })).json.itn;
    await standin.preset(cjpInTransit("CJPKL7309107001YQ"));
    await api.attach("acme", key, other, { tracking_number: "CJPKL7309107001YQ" });
    const twice = await api.attach("acme", key, other, { tracking_number: "CJPKL7309107001YQ", role: "local" });
    assert.equal(twice.status, 409, twice.text);
    assert.match(twice.json.error.message, /default tracking number/);
    const taken = await api.attach("acme", key, other, { tracking_number: "7023210039419106", role: "local" });
    assert.equal(taken.status, 409, "a number on another shipment is refused in any role");
    const view = await merchantView(other);
    assert.deepEqual(view.json.tracking_numbers.map((t) => t.role), ["default"], "nothing changed");
  });

  test("a last-mile number AfterShip reports finds the shipment and is shown as the local number", async () => {
    const itn = (await api.createShipment("acme", key, { order_ref: "#9108" })).json.itn;
    const cjp = "CJPKL7309108001YQ";
    const lastMile = "LM7023210039419108";
    await standin.preset(cjpInTransit(cjp, { last_mile: { tracking_number: lastMile, slug: "canada-post", source: "courier" } }));
    assert.equal((await api.attach("acme", key, itn, { tracking_number: cjp })).status, 200);
    const byItn = await api.track("acme", itn);
    assert.deepEqual(byItn.json.tracking_numbers.map((t) => [t.number, t.role, Boolean(t.reported)]),
      [[cjp, "default", false], [lastMile, "local", true]]);
    const byLastMile = await api.track("acme", lastMile);
    assert.equal(byLastMile.status, 200, byLastMile.text);
    assert.equal(byLastMile.json.itn, itn);
    // Find Orders finds it by either number too.
    const found = await api.call("GET", `/v1/merchants/acme/shipments?q=${lastMile}`, { key });
    assert.equal(found.status, 200, found.text);
    assert.deepEqual(found.json.shipments.map((s) => s.itn), [itn]);
    assert.deepEqual(found.json.shipments[0].tracking_numbers, [cjp, lastMile]);
  });
});
