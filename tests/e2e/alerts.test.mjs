// E-mail alerts end to end, against the real Worker in workerd: the merchant adds staff
// addresses through the API, each confirms with the code e-mailed to it, and only confirmed
// addresses get alerts (a refused parcel, a shipped order). Mail goes through the `ALERTS`
// send_email binding, which `wrangler dev` simulates: the test reads each message where it
// stored it, as its log says.
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { startSystem, stopAll } from "../lib/harness.mjs";
import { Api, Standin, provision } from "../lib/api.mjs";
import { inTransitPreset } from "../lib/scenarios.mjs";

let system, api, standin, key;

before(async () => {
  system = await startSystem({ edgePort: 9051, standinPort: 9052, shopPort: 9053, vars: { WEBHOOK_RETRY_BASE_SECONDS: "1" } });
  api = new Api(system.edgeBase);
  standin = new Standin(system.standinBase);
  key = await provision(api, { id: "acme", name: "Acme Outdoor" });
});
after(stopAll);

/** Every message the simulated binding stored so far: {to, subject, text}. */
function mailbox() {
  const plain = system.edge.output.replace(/\x1b\[[0-9;]*m/g, "");
  const found = [];
  for (const m of plain.matchAll(/From: [^\n]*\nTo: ([^\n]*)\nSubject: ([^\n]*)\n\nText: (\S+)/g)) {
    found.push({ to: m[1].trim(), subject: m[2].trim(), text: readFileSync(m[3], "utf8") });
  }
  return found;
}

/** Waits (polling, with a deadline) for a message matching `wanted`. */
async function mail(wanted, what) {
  const deadline = Date.now() + 30000;
  while (Date.now() < deadline) {
    const hit = mailbox().find(wanted);
    if (hit) return hit;
    await new Promise((r) => setTimeout(r, 100)); // poll interval, not a synchronisation sleep
  }
  assert.fail(`no e-mail: ${what}; mailbox: ${JSON.stringify(mailbox().map((m) => [m.to, m.subject]))}`);
}

const recipients = (body) => api.call("POST", "/v1/merchants/acme/alert-recipients", { key, body });

describe("e-mail alerts", () => {
  test("a confirmed address gets the alerts it chose; an unconfirmed one gets nothing", async () => {
    const ops = await recipients({ email: "Ops@Acme.example", alerts: ["refused", "shipped"] });
    assert.equal(ops.status, 201, ops.text);
    assert.equal(ops.json.email, "Ops@acme.example", "the domain lower-cased, the local part kept");
    assert.equal(ops.json.verified, false);
    assert.equal(ops.json.verification_sent, true);
    const confirm = await mail((m) => m.to.toLowerCase().includes("ops@acme.example") && m.subject.startsWith("Confirm"), "the confirmation");
    const code = confirm.text.match(/\b(\d{6})\b/)[1];
    const wrong = String((Number(code) + 1) % 1000000).padStart(6, "0");
    const verifyPath = `/v1/merchants/acme/alert-recipients/${ops.json.id}/verify`;
    assert.equal((await api.call("POST", verifyPath, { key, body: { code: wrong } })).status, 403, "a wrong code proves nothing");
    const verified = await api.call("POST", verifyPath, { key, body: { code } });
    assert.equal(verified.status, 200, verified.text);
    assert.equal(verified.json.verified, true);

    const other = await recipients({ email: "unconfirmed@acme.example", alerts: ["refused", "shipped"] });
    assert.equal(other.status, 201);

    const itn = (await api.createShipment("acme", key, { order_ref: "#9501" })).json.itn;
    const tn = "1Z999AA10123459501";
    await standin.preset(inTransitPreset(tn));
    assert.equal((await api.attach("acme", key, itn, { tracking_number: tn })).status, 200);
    const shipped = await mail((m) => m.to.toLowerCase().includes("ops@acme.example") && m.subject === "Shipped: order #9501", "shipped");
    assert.match(shipped.text, new RegExp(tn));
    assert.ok(shipped.text.includes(`/t/acme/${itn}`), "the tracking page");

    const refused = { tracking_number: tn, slug: "ups", tag: "Exception", subtag: "Exception_003", updated_at: new Date().toISOString(),
      custom_fields: { waymark_itn: itn, waymark_merchant: "acme" },
      checkpoints: [...inTransitPreset(tn).checkpoints, { checkpoint_time: new Date().toISOString(), message: "Refused by the recipient", tag: "Exception", subtag: "Exception_003", city: "Chicago" }] };
    assert.equal((await api.pushWebhook(refused, `refused-${itn}`)).status, 200);
    const alert = await mail((m) => m.to.toLowerCase().includes("ops@acme.example") && m.subject === "Refused: order #9501", "refused");
    assert.match(alert.text, /refused the parcel/);

    const toUnconfirmed = mailbox().filter((m) => m.to.includes("unconfirmed@acme.example"));
    assert.deepEqual(toUnconfirmed.map((m) => m.subject), ["Confirm Waymark alerts for Acme Outdoor"], "only its confirmation");
    assert.equal(mailbox().filter((m) => m.subject === "Refused: order #9501").length, 1, "once");
    const list = await api.call("GET", "/v1/merchants/acme/alert-recipients", { key });
    assert.deepEqual(list.json.recipients.map((r) => [r.email, r.verified]), [["Ops@acme.example", true], ["unconfirmed@acme.example", false]]);
    assert.ok(!list.text.includes(code), "codes are never shown");
  });

  test("bad input is refused and changes nothing", async () => {
    for (const body of [
      { email: "not an address", alerts: ["refused"] },
      { email: "ops@acme.example\r\nBcc: x@evil.example", alerts: ["refused"] },
      { email: "ops2@acme.example", alerts: ["delivered"] },
      { email: "ops2@acme.example", alerts: [] },
      { email: "ops2@acme.example", alerts: ["refused"], extra: 1 },
    ]) {
      const res = await recipients(body);
      assert.equal(res.status, 400, `${JSON.stringify(body)}: ${res.text}`);
    }
    const list = await api.call("GET", "/v1/merchants/acme/alert-recipients", { key });
    assert.ok(!list.text.includes("ops2@"));
    assert.equal((await api.call("POST", "/v1/merchants/acme/alert-recipients/rcpt_0000000000000000/verify", { key, body: { code: "123456" } })).status, 404);
    assert.equal((await api.call("DELETE", "/v1/merchants/acme/alert-recipients/rcpt_0000000000000000", { key })).status, 404);
  });
});
