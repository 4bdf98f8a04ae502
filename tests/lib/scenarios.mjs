// Demo and test shipments in various carrier states, driven through the real API.
// Carrier histories are preset in the stand-in AfterShip before the TN is attached, so the
// Worker registers the TN and reads the tracking exactly as it would from AfterShip.
import { readFileSync } from "node:fs";
import path from "node:path";
import { ROOT } from "./harness.mjs";

const hoursAgo = (h) => new Date(Date.now() - h * 3600e3);
/** A carrier time with an explicit offset, as carriers report them. */
function carrierTime(date, offsetHours) {
  const shifted = new Date(date.getTime() + offsetHours * 3600e3);
  const sign = offsetHours < 0 ? "-" : "+";
  const abs = Math.abs(offsetHours);
  return shifted.toISOString().slice(0, 19) + `${sign}${String(Math.floor(abs)).padStart(2, "0")}:${String((abs % 1) * 60).padStart(2, "0")}`;
}

export function inTransitPreset(tn) {
  return {
    tracking_number: tn, slug: "ups", tag: "InTransit", subtag: "InTransit_002",
    courier_estimated_delivery_date: { estimated_delivery_date: new Date(Date.now() + 2 * 86400e3).toISOString().slice(0, 10), estimated_delivery_date_min: null, estimated_delivery_date_max: null },
    checkpoints: [
      { checkpoint_time: carrierTime(hoursAgo(30), -5), message: "Shipper created a label, UPS has not received the package yet.", tag: "InfoReceived", subtag: "InfoReceived_001", city: null, country_iso3: "USA" },
      { checkpoint_time: carrierTime(hoursAgo(20), -5), message: "Picked up", tag: "InTransit", subtag: "InTransit_002", city: "Louisville", state: "KY", country_iso3: "USA", country_name: "United States" },
      { checkpoint_time: carrierTime(hoursAgo(6), -6), message: "Arrived at facility", tag: "InTransit", subtag: "InTransit_003", city: "Chicago", state: "IL", country_name: "United States" },
      // A scan reported in carrier local time, with no offset.
      { checkpoint_time: hoursAgo(2).toISOString().slice(0, 19), message: "Departed from facility", tag: "InTransit", subtag: "InTransit_007", city: "Chicago", state: "IL", country_name: "United States" },
    ],
  };
}

export const SCENARIOS = [
  { order_ref: "#1001", title: "only an ITN (warehouse still picking)" },
  { order_ref: "#1002", title: "TN attached, waiting for the carrier's first scan", tn: "9400111899562537866481", slug: "usps" },
  { order_ref: "#1003", title: "in transit (UPS, offsets and a local-time scan)", tn: "1Z999AA10123456784", preset: inTransitPreset },
  { order_ref: "#1004", title: "delivered (FedEx CN→JP, recorded AfterShip payload)", tn: "111111111111", preset: (tn) => ({ tracking_number: tn, fixture: "v4/javasdk__GetTrackingResult.json" }) },
  { order_ref: "#1005", title: "exception (recorded AfterShip payload)", tn: "222222222222", preset: (tn) => ({ tracking_number: tn, fixture: "v4/javasdk__MarkAsCompletedResult.json" }) },
];

/** The carrier's earliest scan in a preset (or the recorded payload it names), if any. */
function earliestScan(preset) {
  let checkpoints = preset?.checkpoints ?? [];
  if (preset?.fixture) {
    const data = JSON.parse(readFileSync(path.join(ROOT, "tests", "fixtures", "aftership", preset.fixture), "utf8")).data;
    checkpoints = (data.tracking ?? data).checkpoints ?? [];
  }
  const times = checkpoints.map((c) => Date.parse(c.checkpoint_time)).filter(Number.isFinite);
  return times.length ? new Date(Math.min(...times)) : null;
}

/** Creates the scenario shipments; returns [{title, itn, tn}]. The merchant's own steps are
 * dated before the carrier's first scan, as a warehouse's would be. */
export async function seedScenarios(api, standin, merchant, key) {
  const out = [];
  for (const s of SCENARIOS) {
    const created = await api.createShipment(merchant, key, { order_ref: s.order_ref }, { "idempotency-key": `demo-${s.order_ref}` });
    if (created.status !== 201 && created.status !== 200) throw new Error(`shipment ${s.order_ref}: ${created.status} ${created.text}`);
    const itn = created.json.itn;
    const preset = s.preset?.(s.tn);
    const firstScan = earliestScan(preset) ?? new Date();
    const before = (hours) => new Date(firstScan.getTime() - hours * 3600e3).toISOString();
    await api.event(merchant, key, itn, { checkpoint: 0, at: before(s.tn ? 4 : 1) });
    if (s.tn) {
      await api.event(merchant, key, itn, { checkpoint: 1, at: before(2) });
      if (preset && standin) await standin.preset(preset);
      const attached = await api.attach(merchant, key, itn, { tracking_number: s.tn, ...(s.slug ? { slug: s.slug } : {}) });
      if (attached.status >= 300) throw new Error(`attach ${s.tn}: ${attached.status} ${attached.text}`);
    }
    out.push({ title: s.title, itn, tn: s.tn });
  }
  return out;
}
