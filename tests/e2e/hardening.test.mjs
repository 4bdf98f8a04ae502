// Defects found from outside, each class tested at its root against the real Worker in
// workerd: input that could not be read back, hosts taken from requests, headers missing on
// errors, carrier states arriving out of order, the TN index outliving a correction.
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { startSystem, stopAll } from "../lib/harness.mjs";
import { Api, Standin, provision } from "../lib/api.mjs";
import { inTransitPreset } from "../lib/scenarios.mjs";
import { launch } from "../lib/browser.mjs";

let system, api, standin, key;

before(async () => {
  // No PUBLIC_BASE_URL: links must be relative, never taken from the request.
  system = await startSystem({ edgePort: 8841, standinPort: 8842, shopPort: 8843, publicBase: null });
  api = new Api(system.edgeBase);
  standin = new Standin(system.standinBase);
  key = await provision(api, { id: "acme", name: "Acme Outdoor", allowed_origins: [system.shopBase] });
});
after(stopAll);

async function newShipment(ref = "#1") {
  const res = await api.createShipment("acme", key, { order_ref: ref });
  assert.equal(res.status, 201, res.text);
  return res.json.itn;
}

/** A raw GET with a chosen Host header (fetch does not let a client set one). */
function getWithHost(path, host, headers = {}, base = system.edgeBase) {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, path, headers: { host, ...headers } }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("accepted input can always be read back", () => {
  test("an instant outside the accepted range is refused and the shipment stays readable", async () => {
    const itn = await newShipment();
    for (const at of ["0000-01-01T00:30:00+01:00", "1999-12-31T23:59:59Z", "2100-01-01T00:00:00Z", "9999-12-31T23:59:59-12:00"]) {
      const res = await api.event("acme", key, itn, { checkpoint: 0, at });
      assert.equal(res.status, 400, `${at}: ${res.text}`);
      assert.equal(res.json.error.code, "invalid_input");
    }
    const ok = await api.event("acme", key, itn, { checkpoint: 0, at: "2026-11-20T10:00:00+01:00" });
    assert.equal(ok.status, 200);
    assert.equal((await api.call("GET", `/v1/merchants/acme/shipments/${itn}`, { key })).status, 200);
    const view = await api.track("acme", itn);
    assert.equal(view.status, 200);
    assert.equal(view.json.timeline[0].time, "2026-11-20T09:00:00Z");
  });

  test("tracking numbers that could never be looked up are refused", async () => {
    const itn = await newShipment();
    const other = await newShipment("#2");
    for (const tracking_number of ["AB/87AF2B/CD", "../..", "..", "A.B.C123", "ABC_123", "NODIGITS", other]) {
      const res = await api.attach("acme", key, itn, { tracking_number });
      assert.equal(res.status, 400, `${tracking_number}: ${res.text}`);
      assert.equal(res.json.error.code, "invalid_input");
    }
    const view = await api.call("GET", `/v1/merchants/acme/shipments/${itn}`, { key });
    assert.equal(view.json.tracking_number, null, "nothing was attached");
  });

  test("names with bidirectional controls and URLs with CR, LF or NUL are refused", async () => {
    const cases = [
      { id: "bidi-shop", name: "Shop \u202Eevil" },
      { id: "zw-shop", name: "Shop\u200B" },
      { id: "crlf-origin", name: "Shop", allowed_origins: ["https://shop.example\r\n"] },
      { id: "nul-origin", name: "Shop", allowed_origins: ["https://shop.exa\u0000mple"] },
      { id: "lf-page", name: "Shop", aftership_page: "https://shop.aftership.com\n" },
    ];
    for (const body of cases) {
      const res = await api.createMerchant(body);
      assert.equal(res.status, 400, `${JSON.stringify(body)}: ${res.text}`);
      assert.equal((await api.track(body.id, "1Z999AA10123456784")).status, 404, "nothing was created");
    }
    const rtl = await api.createMerchant({ id: "rtl-shop", name: "متجر" });
    assert.equal(rtl.status, 201, "right-to-left names are fine");
  });
});

describe("the host is never taken from the request", () => {
  test("a forged Host header reaches neither the page nor any answer, cached or not", async () => {
    const itn = await newShipment();
    const page = await getWithHost(`/t/acme/${itn}`, "evil.example");
    assert.equal(page.status, 200);
    assert.ok(!page.body.includes("evil.example"), "the page names no request host");
    assert.match(page.body, /<script type="module" src="\/widget\/embed\.js"><\/script>/);
    const forged = await getWithHost(`/v1/track/acme/${itn}`, "evil.example");
    assert.equal(forged.status, 200);
    assert.ok(!forged.body.includes("evil.example"));
    // The next shopper, through the same isolate, gets an answer with no trace of it either.
    const next = await api.track("acme", itn);
    assert.ok(!next.text.includes("evil.example"));
    assert.equal(next.json.links.itn, `/t/acme/${itn}`, "links are relative to the edge unless PUBLIC_BASE_URL is set");
  });

  test("templates are filled in one pass: a merchant's name is never expanded", async () => {
    const created = await api.createMerchant({ id: "braces", name: "Shop {{number}} {{title}}" });
    assert.equal(created.status, 201, created.text);
    const bracesKey = created.json.api_key;
    assert.equal((await api.setCheckpoints("braces", bracesKey, ["Packed"])).status, 200);
    const itn = (await api.createShipment("braces", bracesKey, { order_ref: "#9" })).json.itn;
    const page = await api.call("GET", `/t/braces/${itn}`);
    assert.ok(page.text.includes("<h1>Shop {{number}} {{title}}</h1>"), page.text);
    assert.ok(page.text.includes(`<title>Tracking ${itn} · Shop {{number}} {{title}}</title>`));
  });

  test("the page's language follows Accept-Language, and its URL stays the same for everyone", async () => {
    const itn = await newShipment();
    const german = await api.call("GET", `/t/acme/${itn}`, { headers: { "accept-language": "de-DE,de;q=0.9,en;q=0.8" } });
    assert.match(german.text, /<html lang="de" dir="ltr">/);
    assert.equal(german.headers.get("content-language"), "de");
    assert.match(german.headers.get("vary"), /accept-language/i);
    const arabic = await api.call("GET", `/t/acme/${itn}`, { headers: { "accept-language": "ar-EG" } });
    assert.match(arabic.text, /<html lang="ar" dir="rtl">/);
    const hebrew = await api.call("GET", `/t/acme/${itn}`, { headers: { "accept-language": "he-IL,he;q=0.9,en;q=0.5" } });
    assert.match(hebrew.text, /<html lang="he" dir="rtl">/);
    const unknown = await api.call("GET", `/t/acme/${itn}`, { headers: { "accept-language": "ko" } });
    assert.match(unknown.text, /<html lang="en" dir="ltr">/);
    const bad = await api.call("GET", "/t/acme/AB%2F87AF2B%2FCD");
    assert.equal(bad.status, 404, "a number that cannot exist is a bad link");
  });

  test("a page preloads only the bundle its widget loads: numbers the number bundle, orders order mode", async () => {
    const itn = await newShipment();
    const number = await api.call("GET", `/t/acme/${itn}`);
    assert.ok(number.text.includes(`<link rel="modulepreload" href="/widget/pkg/waymark_widget.js">`));
    assert.ok(!number.text.includes("waymark_widget_order"));
    const order = await api.call("GET", "/t/acme/orders/%231001");
    assert.equal(order.status, 200);
    assert.ok(order.text.includes(`<link rel="modulepreload" href="/widget/pkg/waymark_widget_order.js">`));
    assert.ok(order.text.includes(`href="/widget/pkg/waymark_widget_order_bg.wasm"`));
    assert.ok(!order.text.includes(`waymark_widget.js"`) && !order.text.includes(`waymark_widget_bg.wasm"`));
  });
});

describe("every /v1/track answer carries the same headers", () => {
  const origin = () => system.shopBase;
  const check = (res, allowOrigin) => {
    assert.equal(res.headers.get("access-control-allow-origin"), allowOrigin, res.text);
    assert.match(res.headers.get("vary") ?? "", /origin/i);
    if (res.status !== 200) assert.equal(res.headers.get("cache-control"), "no-store");
  };

  test("errors raised before and after the merchant is read", async () => {
    const itn = await newShipment();
    check(await api.track("acme", itn, { origin: origin() }), origin());
    check(await api.track("acme", itn.slice(0, -1) + (itn.endsWith("0") ? "1" : "0"), { origin: origin() }), origin());
    check(await api.track("acme", "1Z999AA1NOSUCH", { origin: origin() }), origin());
    check(await api.track("Not_A_Merchant", itn, { origin: origin() }), "*");
    check(await api.track("nobody", itn, { origin: origin() }), "*");
    const preflight = await api.call("OPTIONS", "/v1/track/nobody/x", { headers: { origin: origin() } });
    check(preflight, "*");
  });
});

describe("carrier data integrity", () => {
  const push = (msg, id) => api.pushWebhook(msg, id);

  test("an older carrier state arriving after a newer one never replaces it", async () => {
    const itn = await newShipment();
    const tn = "1Z999AA10123456790";
    await standin.preset(inTransitPreset(tn));
    assert.equal((await api.attach("acme", key, itn, { tracking_number: tn })).status, 200);
    const base = { tracking_number: tn, slug: "ups", custom_fields: { waymark_itn: itn, waymark_merchant: "acme" } };
    const transit = inTransitPreset(tn).checkpoints;
    const delivered = { ...base, tag: "Delivered", updated_at: "2031-01-02T10:00:00+00:00",
      checkpoints: [...transit, { checkpoint_time: "2031-01-02T09:00:00+01:00", message: "Delivered", tag: "Delivered", city: "Springfield" }] };
    const older = { ...base, tag: "InTransit", updated_at: "2031-01-01T10:00:00+00:00", checkpoints: transit };
    assert.equal((await push(delivered, `new-${itn}`)).json.applied, 1);
    assert.equal((await push(older, `old-${itn}`)).json.applied, 1);
    const view = await api.track("acme", itn);
    assert.equal(view.json.status.tag, "Delivered");
    assert.equal(view.json.progress.stage, "delivered");
  });

  test("a corrected TN no longer finds the shipment", async () => {
    const itn = await newShipment();
    const first = "1Z999AA10123456791";
    const second = "1Z999AA10123456792";
    assert.equal((await api.attach("acme", key, itn, { tracking_number: first })).status, 200);
    assert.equal((await api.track("acme", first)).status, 200);
    assert.equal((await api.attach("acme", key, itn, { tracking_number: second })).status, 200);
    assert.equal((await api.track("acme", first)).status, 404);
    assert.equal((await api.track("acme", second)).json.itn, itn);
  });
});

describe("links on a storefront without PUBLIC_BASE_URL", () => {
  test("the widget resolves the edge's relative links against the edge, not the storefront", async () => {
    const itn = await newShipment("#links");
    const browser = await launch();
    try {
      const page = await browser.newPage();
      await page.goto(`${system.shopBase}/index.html`);
      const widget = page.locator("waymark-tracker").first();
      await widget.getByRole("textbox").fill(itn);
      await widget.getByRole("textbox").press("Enter");
      const link = widget.locator(".wm-number-value").first();
      await link.waitFor();
      assert.equal(await link.getAttribute("href"), `${system.edgeBase}/t/acme/${itn}`);
    } finally {
      await browser.close();
    }
  });
});

describe("rate limiting, from the storefront's origin", () => {
  // Last in this file: the limiter is keyed by client and this test exhausts it.
  test("the widget on the storefront can read the real limiter's 429 and says so", async () => {
    const browser = await launch();
    try {
      const page = await browser.newPage();
      await page.goto(`${system.shopBase}/index.html`);
      const statuses = await page.evaluate(async (edge) => {
        const out = [];
        for (let burst = 0; burst < 4 && !out.includes(429); burst++) {
          const batch = Array.from({ length: 60 }, (_, i) =>
            fetch(`${edge}/v1/track/acme/1Z9ENUM${burst}${String(i).padStart(5, "0")}`).then((r) => r.status, () => "network error"));
          out.push(...(await Promise.all(batch)));
        }
        return out;
      }, system.edgeBase);
      assert.ok(statuses.includes(429), `a 429 readable from the storefront: ${[...new Set(statuses)]}`);
      assert.ok(!statuses.includes("network error"), "no answer was hidden from the storefront by CORS");
      const widget = page.locator("waymark-tracker").first();
      await widget.getByRole("textbox").fill("1Z999AA10123456799");
      await widget.getByRole("textbox").press("Enter");
      await widget.locator(".wm-error").waitFor();
      assert.match(await widget.locator(".wm-error").textContent(), /Too many lookups/);
    } finally {
      await browser.close();
    }
  });
});

describe("a configured public origin", () => {
  test("absolute links use PUBLIC_BASE_URL whatever Host the request names", async () => {
    const other = await startSystem({ edgePort: 8844, standinPort: 8845, shopPort: 8846, publicBase: "https://track.acme.example" });
    try {
      const otherApi = new Api(other.edgeBase);
      const otherKey = await provision(otherApi, { id: "acme", name: "Acme Outdoor" });
      const itn = (await otherApi.createShipment("acme", otherKey, { order_ref: "#1" })).json.itn;
      const res = JSON.parse((await getWithHost(`/v1/track/acme/${itn}`, "evil.example", {}, other.edgeBase)).body);
      assert.equal(res.links.itn, `https://track.acme.example/t/acme/${itn}`);
      const page = await getWithHost(`/t/acme/${itn}`, "evil.example", {}, other.edgeBase);
      assert.ok(page.body.includes(`href="https://track.acme.example/t/acme/${itn}"`), page.body);
      assert.ok(!page.body.includes("evil.example"));
    } finally {
      // Only this system: the file's own keeps running for the tests after it.
      process.kill(-other.edge.pid, "SIGTERM");
      process.kill(-other.standin.pid, "SIGTERM");
    }
  });
});
