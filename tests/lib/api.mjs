// A small client for Waymark's HTTP API and the stand-in's control API, for tests and the demo.
import { createHmac } from "node:crypto";
import { ADMIN_TOKEN, WEBHOOK_SECRET } from "./harness.mjs";

/** AfterShip's webhook signature: base64 HMAC-SHA256 over the exact body bytes. */
export const signWebhook = (body, secret = WEBHOOK_SECRET) => createHmac("sha256", secret).update(body).digest("base64");

export class Api {
  constructor(base, { admin = process.env.ADMIN_TOKEN ?? ADMIN_TOKEN } = {}) {
    this.base = base;
    this.admin = admin;
  }

  async call(method, path, { body, key, headers = {} } = {}) {
    const res = await fetch(this.base + path, {
      method,
      headers: {
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
        ...(key ? { authorization: `Bearer ${key}` } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let json;
    try { json = JSON.parse(text); } catch { json = undefined; }
    return { status: res.status, json, text, headers: res.headers };
  }

  createMerchant(merchant) {
    return this.call("POST", "/v1/admin/merchants", { body: merchant, key: this.admin });
  }
  rotateKey(id) {
    return this.call("POST", `/v1/admin/merchants/${id}/keys`, { key: this.admin });
  }
  setCheckpoints(id, key, labels) {
    return this.call("PUT", `/v1/merchants/${id}/checkpoints`, { key, body: { checkpoints: labels.map((label) => ({ label })) } });
  }
  createShipment(id, key, body, headers) {
    return this.call("POST", `/v1/merchants/${id}/shipments`, { key, body, headers });
  }
  attach(id, key, itn, body) {
    return this.call("PUT", `/v1/merchants/${id}/shipments/${itn}/tracking`, { key, body });
  }
  event(id, key, itn, body) {
    return this.call("POST", `/v1/merchants/${id}/shipments/${itn}/events`, { key, body });
  }
  /** Posts a tracking as AfterShip's webhook would, signed. */
  pushWebhook(msg, eventId) {
    const body = JSON.stringify({ event: "tracking_update", event_id: eventId, msg });
    return this.call("POST", "/v1/webhooks/aftership", { body, headers: { "content-type": "application/json", "aftership-hmac-sha256": signWebhook(body) } });
  }
  track(id, number, headers) {
    return this.call("GET", `/v1/track/${id}/${encodeURIComponent(number)}`, { headers });
  }
}

export class Standin {
  constructor(base) { this.base = base; }
  async post(path, body) {
    const res = await fetch(this.base + path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body ?? {}) });
    return res.json();
  }
  fault(mode, extra = {}) { return this.post("/__control/fault", { mode, ...extra }); }
  preset(body) { return this.post("/__control/tracking", body); }
  reset() { return this.post("/__control/reset"); }
  async calls() { return (await fetch(this.base + "/__control/calls")).json(); }
}

export const DEFAULT_CHECKPOINTS = [
  "Merchandise located and reserved",
  "Merchandise prepped and packed for shipping",
  "Shipping label created",
];

/** Creates (or re-keys) a merchant with its default checkpoints; returns its key. */
export async function provision(api, { id, name, allowed_origins = [], aftership_page, checkpoints = DEFAULT_CHECKPOINTS }) {
  let res = await api.createMerchant({ id, name, allowed_origins, ...(aftership_page ? { aftership_page } : {}) });
  let key;
  if (res.status === 201) key = res.json.api_key;
  else if (res.status === 409) key = (await api.rotateKey(id)).json.api_key;
  else throw new Error(`create merchant ${id}: ${res.status} ${res.text}`);
  const set = await api.setCheckpoints(id, key, checkpoints);
  if (set.status !== 200) throw new Error(`checkpoints: ${set.status} ${set.text}`);
  return key;
}

/** Creates `count` shipments for a benchmark, 16 at a time, across four channels; returns their ITNs. */
export async function seedShipments(api, merchant, key, count) {
  const channels = ["amazon", "ebay", `shopify:${merchant}.myshopify.com`, "manual"];
  const itns = [];
  let next = 0;
  async function creator() {
    while (next < count) {
      const i = next++;
      const res = await api.createShipment(merchant, key, { order_ref: `#${100000 + i}`, channel: channels[i % 4] });
      if (res.status !== 201) throw new Error(`create ${i}: ${res.status} ${res.text}`);
      itns.push(res.json.itn);
    }
  }
  await Promise.all(Array.from({ length: 16 }, creator));
  return itns;
}
