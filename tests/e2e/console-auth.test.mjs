// The console's sign-in and sessions, against the real Worker in workerd, from the outside as
// an attacker would try them: one-time links e-mailed through the send_email binding (read
// where wrangler dev stores them), single use and short-lived, no session fixation, CSRF on
// every change, owners change and staff only view, and one merchant's session never reaches
// another merchant's data.
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { startSystem, stopAll, ADMIN_TOKEN } from "../lib/harness.mjs";
import { Api, provision } from "../lib/api.mjs";

let system, api, acme, globex;

before(async () => {
  system = await startSystem({ edgePort: 9081, standinPort: 9082, shopPort: 9083, vars: { ALLOW_CLOCK_OVERRIDE: "true" } });
  api = new Api(system.edgeBase);
  acme = await provision(api, { id: "acme", name: "Acme Outdoor" });
  globex = await provision(api, { id: "globex", name: "Globex" });
  for (const [merchant, key, email, role] of [
    ["acme", acme, "ops@acme.example", "owner"],
    ["acme", acme, "viewer@acme.example", "staff"],
    ["acme", acme, "limits@acme.example", "staff"],
    ["globex", globex, "ops@globex.example", "owner"],
  ]) {
    const res = await api.call("POST", `/v1/merchants/${merchant}/staff`, { key, body: { email, role } });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.json.role, role);
  }
});
after(async () => {
  await api?.call("PUT", "/v1/admin/clock", { key: ADMIN_TOKEN, body: { now: null } });
  await stopAll();
});

function mailbox() {
  const plain = system.edge.output.replace(/\x1b\[[0-9;]*m/g, "");
  return [...plain.matchAll(/From: [^\n]*\nTo: ([^\n]*)\nSubject: ([^\n]*)\n\nText: (\S+)/g)]
    .map((m) => ({ to: m[1].trim(), subject: m[2].trim(), text: readFileSync(m[3], "utf8") }));
}

async function until(probe, what) {
  const deadline = Date.now() + 30000;
  while (Date.now() < deadline) {
    const hit = probe();
    if (hit) return hit;
    await new Promise((r) => setTimeout(r, 100)); // poll interval, not a synchronisation sleep
  }
  assert.fail(what);
}

const askLink = (merchant, email) => fetch(`${system.edgeBase}/console/api/sign-in`, {
  method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ merchant, email }),
});

/** Asks for a link for `email` and returns it from the e-mail (the newest one for that address). */
async function linkFor(merchant, email) {
  const before = mailbox().filter((m) => m.to === email).length;
  const res = await askLink(merchant, email);
  assert.equal(res.status, 202);
  const mail = await until(() => mailbox().filter((m) => m.to === email)[before], `a sign-in e-mail to ${email}`);
  assert.match(mail.subject, /^Sign in to Waymark/);
  return mail.text.match(/(http\S+\/console\/sign-in\?m=[a-z0-9-]+&t=[A-Za-z0-9_-]+)/)[1];
}

/** Opens a link as a browser would (no redirect followed); returns the response. */
const open = (link, cookie) => fetch(link, { redirect: "manual", headers: cookie ? { cookie } : {} });

/** A link minted by the admin (the e-mail path is tested above; this keeps the per-address
 * rate limit out of the other tests). */
async function mintedLink(merchant, email) {
  const res = await api.call("POST", `/v1/admin/merchants/${merchant}/sign-in-links`, { key: ADMIN_TOKEN, body: { email } });
  assert.equal(res.status, 201, res.text);
  return res.json.link;
}

/** Signs `email` in; returns {cookie, csrf, session}. */
async function signIn(merchant, email) {
  const res = await open(await mintedLink(merchant, email));
  assert.equal(res.status, 303);
  assert.equal(res.headers.get("location"), "/console/");
  const set = res.headers.get("set-cookie");
  const cookie = set.split(";")[0];
  const session = await (await fetch(`${system.edgeBase}/console/api/session`, { headers: { cookie } })).json();
  return { cookie, csrf: session.csrf_token, session, set };
}

const as = (who, method, path, body, { csrf = true } = {}) => api.call(method, path, {
  body, headers: { cookie: who.cookie, ...(csrf ? { "x-csrf-token": who.csrf } : {}) },
});

describe("console sign-in", () => {
  test("a link from the e-mail signs in once; the cookie is HttpOnly and SameSite=Lax; the session says who", async () => {
    const link = await linkFor("acme", "ops@acme.example");
    const first = await open(link);
    assert.equal(first.status, 303);
    const set = first.headers.get("set-cookie");
    assert.match(set, /^wm_session=acme\.[A-Za-z0-9_-]{43}; Path=\/; Max-Age=43200; HttpOnly; SameSite=Lax$/, "no Secure on plain-http local development");
    assert.equal(first.headers.get("cache-control"), "no-store");
    const cookie = set.split(";")[0];
    const session = await fetch(`${system.edgeBase}/console/api/session`, { headers: { cookie } });
    assert.equal(session.status, 200);
    const view = await session.json();
    assert.deepEqual([view.merchant, view.merchant_name, view.email, view.role], ["acme", "Acme Outdoor", "ops@acme.example", "owner"]);
    assert.match(view.csrf_token, /^[A-Za-z0-9_-]{43}$/);
    const again = await open(link);
    assert.equal(again.status, 303);
    assert.equal(again.headers.get("location"), "/console/?signin=expired", "a link works once");
    assert.match(again.headers.get("set-cookie"), /Max-Age=0/);
  });

  test("the answer is the same for unknown addresses and merchants, and nothing is sent", async () => {
    const before = mailbox().length;
    const bodies = [];
    for (const [merchant, email] of [["acme", "nobody@acme.example"], ["no-such-merchant", "ops@acme.example"], ["acme", "ops@acme.example"]]) {
      const res = await askLink(merchant, email);
      assert.equal(res.status, 202);
      bodies.push(await res.text());
    }
    assert.equal(new Set(bodies).size, 1, "one answer for all");
    await until(() => mailbox().length === before + 1, "the known address's e-mail");
    assert.ok(!mailbox().slice(before).some((m) => m.to === "nobody@acme.example"));
    assert.equal((await askLink("acme", "not an address")).status, 400);
  });

  test("link requests are rate limited per address", async () => {
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await askLink("acme", "limits@acme.example")).status);
    assert.deepEqual(statuses, [202, 202, 202, 202, 202, 429]);
  });

  test("a link expires after 15 minutes", async () => {
    const link = await linkFor("acme", "viewer@acme.example");
    await api.call("PUT", "/v1/admin/clock", { key: ADMIN_TOKEN, body: { now: new Date(Date.now() + 16 * 60e3).toISOString() } });
    const res = await open(link);
    await api.call("PUT", "/v1/admin/clock", { key: ADMIN_TOKEN, body: { now: null } });
    assert.equal(res.headers.get("location"), "/console/?signin=expired");
  });

  test("session fixation: a cookie planted before sign-in is never the session", async () => {
    const planted = `wm_session=acme.${"A".repeat(43)}`;
    const res = await open(await mintedLink("acme", "ops@acme.example"), planted);
    const cookie = res.headers.get("set-cookie").split(";")[0];
    assert.notEqual(cookie, planted);
    assert.equal((await fetch(`${system.edgeBase}/console/api/session`, { headers: { cookie: planted } })).status, 401);
    assert.equal((await fetch(`${system.edgeBase}/console/api/session`, { headers: { cookie } })).status, 200);
  });

  test("changes need the CSRF token; owners change settings, staff only view; the history says who", async () => {
    const owner = await signIn("acme", "ops@acme.example");
    const viewer = await signIn("acme", "viewer@acme.example");
    assert.equal(viewer.session.role, "staff");
    const patch = { name: "Acme Outdoor Co." };
    const noToken = await as(owner, "PATCH", "/v1/merchants/acme/settings", patch, { csrf: false });
    assert.equal(noToken.status, 403, noToken.text);
    assert.match(noToken.json.error.message, /X-CSRF-Token/);
    const wrongToken = await api.call("PATCH", "/v1/merchants/acme/settings", { body: patch, headers: { cookie: owner.cookie, "x-csrf-token": viewer.csrf } });
    assert.equal(wrongToken.status, 403, "another session's token is no token");
    const ok = await as(owner, "PATCH", "/v1/merchants/acme/settings", patch);
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.json.history[0].actor, "ops@acme.example");
    assert.equal((await as(viewer, "GET", "/v1/merchants/acme/settings")).status, 200, "staff can view");
    const refused = await as(viewer, "PATCH", "/v1/merchants/acme/settings", { name: "Hacked" });
    assert.equal(refused.status, 403);
    assert.match(refused.json.error.message, /staff may only view/);
    assert.equal((await as(viewer, "PUT", "/v1/merchants/acme/checkpoints", { checkpoints: [{ label: "x" }] })).status, 403);
    assert.equal((await as(viewer, "POST", "/v1/merchants/acme/staff", { email: "me@acme.example", role: "owner" })).status, 403, "staff cannot promote themselves");
    const settings = await api.call("GET", "/v1/merchants/acme/settings", { key: acme });
    assert.equal(settings.json.settings.name, "Acme Outdoor Co.");
  });

  test("one merchant's session never reads another merchant's data, whatever ids the requests carry", async () => {
    const owner = await signIn("acme", "ops@acme.example");
    const theirs = (await api.createShipment("globex", globex, { order_ref: "#G-1" })).json.itn;
    for (const path of ["/v1/merchants/globex/shipments", `/v1/merchants/globex/shipments/${theirs}`, "/v1/merchants/globex/settings", "/v1/merchants/globex/staff", "/v1/merchants/globex/deliveries"]) {
      const res = await as(owner, "GET", path);
      assert.equal(res.status, 403, path);
      assert.ok(!res.text.includes("#G-1"));
    }
    assert.equal((await as(owner, "GET", `/v1/merchants/acme/shipments/${theirs}`)).status, 404, "the other merchant's ITN under one's own id");
    // A cookie naming globex with acme's secret is not a globex session.
    const forged = owner.cookie.replace("wm_session=acme.", "wm_session=globex.");
    assert.equal((await api.call("GET", "/v1/merchants/globex/shipments", { headers: { cookie: forged } })).status, 401);
  });

  test("sign-out (with the CSRF token) ends the session on the server; removing a staff member ends theirs", async () => {
    const owner = await signIn("acme", "ops@acme.example");
    assert.equal((await fetch(`${system.edgeBase}/console/api/sign-out`, { method: "POST", headers: { cookie: owner.cookie } })).status, 403);
    const out = await fetch(`${system.edgeBase}/console/api/sign-out`, { method: "POST", headers: { cookie: owner.cookie, "x-csrf-token": owner.csrf } });
    assert.equal(out.status, 204);
    assert.match(out.headers.get("set-cookie"), /Max-Age=0/);
    assert.equal((await fetch(`${system.edgeBase}/console/api/session`, { headers: { cookie: owner.cookie } })).status, 401);
    assert.equal((await as(owner, "GET", "/v1/merchants/acme/shipments")).status, 401, "the old cookie is dead");

    const viewer = await signIn("acme", "viewer@acme.example");
    const staff = (await api.call("GET", "/v1/merchants/acme/staff", { key: acme })).json.staff;
    const id = staff.find((s) => s.email === "viewer@acme.example").id;
    assert.equal((await api.call("DELETE", `/v1/merchants/acme/staff/${id}`, { key: acme })).status, 204);
    assert.equal((await as(viewer, "GET", "/v1/merchants/acme/shipments")).status, 401);
  });

  test("the admin can mint a link without e-mail (the demo's way in)", async () => {
    const res = await api.call("POST", "/v1/admin/merchants/globex/sign-in-links", { key: ADMIN_TOKEN, body: { email: "ops@globex.example" } });
    assert.equal(res.status, 201, res.text);
    const signedIn = await open(res.json.link);
    assert.equal(signedIn.headers.get("location"), "/console/");
    assert.equal((await api.call("POST", "/v1/admin/merchants/globex/sign-in-links", { key: ADMIN_TOKEN, body: { email: "nobody@globex.example" } })).status, 409);
    assert.equal((await api.call("POST", "/v1/admin/merchants/globex/sign-in-links", { key: globex, body: { email: "ops@globex.example" } })).status, 401);
  });
});
