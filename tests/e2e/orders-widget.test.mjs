// The widget's timing line, a shipment's several numbers and whole orders, in headless Chromium
// against the real Worker (workerd) on a controllable clock: the merchant's pickup window in the
// merchant's terms with the shopper's own clock beside it, the carrier's estimate and whose it
// is, a late parcel said kindly, both numbers of a two-number shipment, and an order looked up
// with its postal code or e-mail: tabs navigable by keyboard, a list on phones, every failure,
// the shareable order page, right to left, and axe-core on every new state.
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { ROOT, startSystem, stopAll, ADMIN_TOKEN } from "../lib/harness.mjs";
import { Api, Standin, provision } from "../lib/api.mjs";
import { chromium } from "playwright-core";
import { launch, screenshot } from "../lib/browser.mjs";

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const catalogue = (lang) => JSON.parse(readFileSync(path.join(ROOT, "www", "widget", "i18n", `${lang}.json`), "utf8"));
const en = catalogue("en");
/** Text as read: Intl's narrow and thin spaces as plain ones, bidi isolates left out. */
const plain = (text) => text.replace(/[\u2066-\u2069]/g, "").replace(/\s+/g, " ").trim();

const MONDAY = "2026-11-23T10:00:00-05:00";
const ORDER = "#1001";
const POSTAL_CODE = "K1A 0B1";
let system, api, standin, key, browser;
const shipments = {};
let order = 8800;

/** Moves the edge's clock; the shoppers' browsers are set to the same time (see storefront). */
let clock = MONDAY;
const setClock = async (now) => {
  assert.equal((await api.call("PUT", "/v1/admin/clock", { key: ADMIN_TOKEN, body: { now } })).status, 200);
  clock = now;
};
const newShipment = async (body = {}) => {
  const res = await api.createShipment("acme", key, { order_ref: `#${++order}`, ...body });
  assert.equal(res.status, 201, res.text);
  return res.json.itn;
};
const inTransit = (tn, slug = "ups") => ({
  tracking_number: tn, slug, tag: "InTransit",
  courier_estimated_delivery_date: { estimated_delivery_date: "2026-11-26", estimated_delivery_date_min: null, estimated_delivery_date_max: null },
  checkpoints: [{ checkpoint_time: "2026-11-23T09:00:00-05:00", message: "Picked up", tag: "InTransit", city: "Louisville", state: "KY", country_iso3: "USA" }],
});

before(async () => {
  system = await startSystem({ edgePort: 9031, standinPort: 9032, shopPort: 9033, vars: { ALLOW_CLOCK_OVERRIDE: "true" } });
  api = new Api(system.edgeBase);
  standin = new Standin(system.standinBase);
  key = await provision(api, { id: "acme", name: "Acme Outdoor", allowed_origins: [system.shopBase] });
  const set = await api.call("PATCH", "/v1/merchants/acme/settings", { key, body: {
    time_zone: "America/New_York",
    pickup_windows: [{ days: ["mon", "tue", "wed", "thu", "fri"], from: "14:30", to: "17:00" }],
  } });
  assert.equal(set.status, 200, set.text);
  await setClock(MONDAY);

  shipments.leaves = await newShipment();
  await api.event("acme", key, shipments.leaves, { checkpoint: 0 });

  shipments.arrives = await newShipment();
  await standin.preset(inTransit("1Z999AA10123458801"));
  assert.equal((await api.attach("acme", key, shipments.arrives, { tracking_number: "1Z999AA10123458801" })).status, 200);

  shipments.twoNumbers = await newShipment();
  shipments.cjp = "CJPKL7308801001YQ";
  shipments.post = "7023210039418801";
  await standin.preset(inTransit(shipments.cjp, "cjpacket"));
  await standin.preset({ tracking_number: shipments.post, slug: "canada-post", tag: "Pending", checkpoints: [] });
  assert.equal((await api.attach("acme", key, shipments.twoNumbers, { tracking_number: shipments.cjp, slug: "cjpacket" })).status, 200);
  const local = await api.attach("acme", key, shipments.twoNumbers, { tracking_number: shipments.post, slug: "canada-post", role: "local" });
  assert.equal(local.status, 200, local.text);

  // An order of two shipments: one still in the warehouse, one on its way.
  const first = await api.createShipment("acme", key, { order_ref: ORDER, postal_code: POSTAL_CODE, email: "jane@example.com" });
  assert.equal(first.status, 201, first.text);
  await api.event("acme", key, first.json.itn, { checkpoint: 0 });
  const second = await api.createShipment("acme", key, { order_ref: ORDER });
  assert.equal(second.status, 201, second.text);
  await standin.preset(inTransit("1Z999AA10123458802"));
  assert.equal((await api.attach("acme", key, second.json.itn, { tracking_number: "1Z999AA10123458802" })).status, 200);
  shipments.order = [first.json.itn, second.json.itn];
  browser = await launch();
});
after(async () => {
  for (const { other } of zones.values()) await other.close();
  await browser?.close();
  await api?.call("PUT", "/v1/admin/clock", { key: ADMIN_TOKEN, body: { now: null } });
  await stopAll();
});

/** A browser context in another time zone than the shared one's (New York): a shopper
 *  elsewhere. Debian's Chromium, as everywhere in the tests. */
const zones = new Map();
async function zoned(timeZone) {
  if (!zones.has(timeZone)) {
    const other = await chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", headless: true,
      args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update"] });
    zones.set(timeZone, { other, context: await other.newContext({ locale: "en-US", timezoneId: timeZone, viewport: { width: 1000, height: 900 } }) });
  }
  return zones.get(timeZone).context;
}

/** The storefront, its tracker replaced by one with `attributes` (an order's, a language), in
 *  the shopper's `timeZone`; lookups and the widget's events are recorded. */
async function storefront({ attributes, timeZone, viewport } = {}) {
  const page = await (timeZone ? await zoned(timeZone) : browser).newPage();
  if (viewport) await page.setViewportSize(viewport);
  // The shopper's clock agrees with the edge's, as it does outside tests.
  await page.clock.setFixedTime(new Date(clock));
  page.errors = [];
  page.on("pageerror", (e) => page.errors.push(e.message));
  page.lookups = [];
  page.on("request", (r) => { if (r.url().includes("/v1/track/")) page.lookups.push(`${r.method()} ${r.url()}`); });
  await page.goto(`${system.shopBase}/index.html`);
  await page.evaluate((attributes) => {
    window.lookups = [];
    document.addEventListener("waymark:lookup", (e) => window.lookups.push(e.detail));
    if (!attributes) return;
    const tracker = document.createElement("waymark-tracker");
    tracker.setAttribute("merchant", "acme");
    for (const [name, value] of Object.entries(attributes)) tracker.setAttribute(name, value);
    document.querySelector("waymark-tracker").replaceWith(tracker);
  }, attributes);
  return page;
}

async function lookUp(page, number) {
  const widget = page.locator("waymark-tracker");
  await widget.getByRole("textbox").fill(number);
  await widget.getByRole("textbox").press("Enter");
  return widget;
}

async function axe(page) {
  await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate(async () => {
    const r = await window.axe.run({ include: [["waymark-tracker"]] }, { resultTypes: ["violations"] });
    return r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  });
  assert.deepEqual(result, [], "axe-core violations");
}

/** Looks `number` up and returns the timing line's text (and its aside, the shopper's clock). */
async function timing(page, number, selector = ".wm-when") {
  const widget = await lookUp(page, number);
  await widget.locator(".wm-timeline li").first().waitFor();
  const line = widget.locator(selector);
  const aside = line.locator(".wm-aside");
  return { text: plain(await line.textContent()), aside: (await aside.count()) ? plain(await aside.textContent()) : null };
}

describe("the timing line", () => {
  test("before the first scan: the pickup window in the merchant's terms, the shopper's own clock when it differs", async () => {
    const sentence = "Expected to leave our warehouse today between 2:30 PM and 5:00 PM EST.";
    const home = await storefront();
    assert.deepEqual(await timing(home, shipments.leaves), { text: sentence, aside: null }, "the same clock as the merchant: nothing beside it");
    await axe(home);
    await screenshot(home, "when-leaves");
    assert.deepEqual(home.errors, []);
    await home.close();

    const paris = await storefront({ timeZone: "Europe/Paris" });
    const seen = await timing(paris, shipments.leaves);
    assert.match(seen.aside, /^\(8:30 ?– ?11:00 PM your time\)$/, seen.aside);
    assert.equal(seen.text, `${sentence} ${seen.aside}`);
    await screenshot(paris, "when-leaves-your-time");
    await paris.close();

    // Tokyo is already on Tuesday: its weekday is said too.
    const tokyo = await storefront({ timeZone: "Asia/Tokyo" });
    assert.match((await timing(tokyo, shipments.leaves)).aside, /^\(Tue, 4:30 ?– ?7:00 AM your time\)$/);
    await tokyo.close();
  });

  test("tomorrow, or the weekday of the next business day's window, with its date a week or more away", async () => {
    const holidays = ["2026-12-07", "2026-12-08", "2026-12-09", "2026-12-10", "2026-12-11"];
    assert.equal((await api.call("PATCH", "/v1/merchants/acme/settings", { key, body: { holidays } })).status, 200);
    try {
      for (const [now, expected] of [
        ["2026-11-23T17:30:00-05:00", "Expected to leave our warehouse tomorrow between 2:30 PM and 5:00 PM EST."],
        ["2026-11-27T18:00:00-05:00", "Expected to leave our warehouse on Monday between 2:30 PM and 5:00 PM EST."],
        // A week of holidays: "on Monday" alone would mean the coming one.
        ["2026-12-04T18:00:00-05:00", "Expected to leave our warehouse on Monday, December 14 between 2:30 PM and 5:00 PM EST."],
      ]) {
        await setClock(now);
        const itn = await newShipment();
        const page = await storefront();
        assert.equal((await timing(page, itn)).text, expected, now);
        await page.close();
      }
    } finally {
      await setClock(MONDAY);
      await api.call("PATCH", "/v1/merchants/acme/settings", { key, body: { holidays: null } });
    }
  });

  test("after the first scan: the estimated delivery, and whose estimate it is", async () => {
    const page = await storefront();
    const seen = await timing(page, shipments.arrives, ".wm-expected");
    assert.equal(seen.text, "Expected delivery: Thursday, November 26 (the carrier's estimate)");
    assert.equal(await page.locator("waymark-tracker .wm-when").count(), 0);
    await axe(page);
    await screenshot(page, "when-arrives");
    await page.close();
  });

  test("a label the carrier never collected is late, and said kindly", async () => {
    const itn = await newShipment();
    const label = "1Z999AA10123458803";
    await standin.preset({ tracking_number: label, slug: "ups", tag: "Pending", checkpoints: [] });
    assert.equal((await api.attach("acme", key, itn, { tracking_number: label })).status, 200);
    try {
      await setClock("2026-11-25T18:00:00-05:00");
      const page = await storefront();
      const seen = await timing(page, itn, ".wm-late");
      assert.equal(seen.text, en.stalled_waiting);
      assert.equal(await page.locator("waymark-tracker .wm-late").getAttribute("role"), "note");
      await axe(page);
      await screenshot(page, "when-stalled");
      await page.close();
    } finally {
      await setClock(MONDAY);
    }
  });
});

describe("several numbers", () => {
  test("a shipment with two numbers shows both, each linking to its own page, the last mile said", async () => {
    const page = await storefront();
    const widget = await lookUp(page, shipments.post);
    await widget.locator(".wm-tns").waitFor();
    const row = widget.locator(".wm-number", { has: page.locator(".wm-tns") });
    assert.equal(await row.locator(".wm-number-label").textContent(), en.tracking_numbers);
    const items = row.locator(".wm-tn");
    assert.deepEqual((await items.allTextContents()).map(plain), [
      `${shipments.cjp} (CJPacket)`,
      `${shipments.post} (Canada Post, last mile)`,
    ]);
    const links = row.getByRole("link");
    assert.deepEqual(await links.evaluateAll((as) => as.map((a) => a.getAttribute("href"))),
      [`${system.edgeBase}/t/acme/${shipments.cjp}`, `${system.edgeBase}/t/acme/${shipments.post}`]);
    assert.equal(await widget.getByText(en.carrier_number).count(), 0, "no single-number row beside them");
    await axe(page);
    await screenshot(page, "two-numbers");
    await page.close();

    // One number keeps its own row, as before.
    const single = await storefront();
    const one = await lookUp(single, shipments.arrives);
    await one.locator(".wm-timeline li").first().waitFor();
    assert.equal(await one.locator(".wm-tns").count(), 0);
    assert.equal(await one.getByText(en.carrier_number).count(), 1);
    await single.close();
  });
});

describe("whole orders", () => {
  const ORDER_TRACKER = { attributes: { order: ORDER } };

  test("the postal code finds the order: its shipments as tabs, the arrow keys move between them", async () => {
    const page = await storefront(ORDER_TRACKER);
    const widget = page.locator("waymark-tracker");
    await widget.locator(".wm-order-ref").waitFor();
    assert.equal(plain(await widget.locator(".wm-order-ref").textContent()), `Order ${ORDER}`);
    assert.equal(await widget.getByRole("radio", { name: en.postal_code }).isChecked(), true);
    assert.equal(await widget.getByRole("group", { name: en.verify_with }).count(), 1, "the choice is a labelled group");
    assert.equal(await widget.getByRole("textbox", { name: en.postal_code }).count(), 1);
    assert.deepEqual(page.lookups, [], "nothing is looked up before the shopper proves the order");
    await axe(page);
    await screenshot(page, "order-form");

    // A wrong postal code reads exactly as an unknown order does.
    await lookUp(page, "K1A 0B2");
    await widget.getByRole("alert").waitFor();
    assert.deepEqual(await widget.getByRole("alert").locator("p").allTextContents(), [en.order_not_found, en.order_not_found_hint]);
    await axe(page);

    await lookUp(page, "k1a0b1");
    const tabs = widget.getByRole("tab");
    await tabs.first().waitFor();
    assert.equal(await tabs.count(), 2);
    assert.equal(await widget.getByRole("tablist", { name: en.shipments }).count(), 1);
    assert.deepEqual((await tabs.allTextContents()).map(plain), ["Shipment 1 Your order is being prepared", "Shipment 2 In transit"]);
    const panels = widget.locator("[role=tabpanel]");
    const shown = async () => ({
      selected: await tabs.evaluateAll((ts) => ts.map((t) => t.getAttribute("aria-selected"))),
      tabindex: await tabs.evaluateAll((ts) => ts.map((t) => t.getAttribute("tabindex"))),
      visible: [await panels.nth(0).isVisible(), await panels.nth(1).isVisible()],
      focused: await page.evaluate(() => document.querySelector("waymark-tracker").shadowRoot.activeElement?.id ?? null),
    });
    assert.deepEqual((await shown()).visible, [true, false]);
    assert.equal(await panels.nth(0).getAttribute("aria-labelledby"), await tabs.nth(0).getAttribute("id"));
    assert.equal(await tabs.nth(1).getAttribute("aria-controls"), await panels.nth(1).getAttribute("id"));
    // The first shipment's timing line shows in its panel.
    assert.match(plain(await panels.nth(0).locator(".wm-when").textContent()), /^Expected to leave our warehouse today/);
    await axe(page);
    await screenshot(page, "order-tabs");

    await tabs.nth(0).focus();
    await page.keyboard.press("ArrowRight");
    assert.deepEqual(await shown(), { selected: ["false", "true"], tabindex: ["-1", "0"], visible: [false, true], focused: "wm-tab-2" });
    assert.equal(await panels.nth(1).locator(".wm-status").textContent(), "In transit");
    await page.keyboard.press("ArrowRight");
    assert.deepEqual((await shown()).focused, "wm-tab-1", "wraps round");
    await page.keyboard.press("End");
    assert.deepEqual((await shown()).selected, ["false", "true"]);
    await page.keyboard.press("Home");
    assert.deepEqual(await shown(), { selected: ["true", "false"], tabindex: ["0", "-1"], visible: [true, false], focused: "wm-tab-1" });
    await tabs.nth(1).click();
    assert.deepEqual((await shown()).visible, [false, true], "a click chooses too");
    await axe(page);

    assert.deepEqual(await page.evaluate(() => window.lookups), [
      { order: ORDER, outcome: "not_found" },
      { order: ORDER, outcome: "found", shipments: [
        { number: shipments.order[0], outcome: "found", tag: "Pending", stage: "prepared" },
        { number: shipments.order[1], outcome: "found", tag: "InTransit", stage: "shipped" },
      ] },
    ], "the storefront hears of order lookups too, never the postal code");
    assert.deepEqual(page.lookups.map((l) => l.replace(system.edgeBase, "")), ["POST /v1/track/acme/orders", "POST /v1/track/acme/orders"]);
    assert.equal(new URL(page.url()).search, "", "nothing of the order, let alone the postal code, goes into the page's URL");
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  test("the e-mail instead; a typo caught before any request; rate limiting; a network failure's retry", async () => {
    const page = await storefront(ORDER_TRACKER);
    const widget = page.locator("waymark-tracker");
    await widget.getByRole("radio", { name: en.email }).check();
    const field = widget.getByRole("textbox", { name: en.email });
    assert.equal(await field.getAttribute("type"), "email");
    assert.equal(await field.getAttribute("autocomplete"), "email");

    await lookUp(page, "jane.example.com");
    await widget.getByRole("alert").waitFor();
    assert.equal(await widget.getByRole("alert").textContent(), en.invalid_email);
    assert.equal(await field.getAttribute("aria-invalid"), "true");
    assert.deepEqual(page.lookups, [], "no request for an address that cannot be one");
    await axe(page);

    await page.route("**/v1/track/acme/orders", (route) => route.fulfill({ status: 429, contentType: "application/json", body: '{"error":{"code":"rate_limited","message":"x"}}' }));
    await lookUp(page, " Jane@Example.com ");
    await widget.getByText(en.rate_limited).waitFor();
    await page.unroute("**/v1/track/acme/orders");

    await page.route("**/v1/track/acme/orders", (route) => route.abort("connectionrefused"));
    await lookUp(page, "jane@example.com");
    const retry = widget.getByRole("button", { name: en.retry });
    await retry.waitFor();
    await axe(page);
    await page.unroute("**/v1/track/acme/orders");
    await retry.click();
    await widget.getByRole("tab").first().waitFor();
    assert.deepEqual((await page.evaluate(() => window.lookups)).map((l) => l.outcome),
      ["invalid", "rate_limited", "network_error", "found"]);
    await page.close();
  });

  test("on a phone, every shipment is listed under its own heading", async () => {
    const page = await storefront({ ...ORDER_TRACKER, viewport: { width: 412, height: 823 } });
    const widget = await lookUp(page, POSTAL_CODE);
    await widget.locator(".wm-panel").first().waitFor();
    assert.equal(await widget.getByRole("tablist").isVisible(), false);
    const headings = widget.locator(".wm-panel-heading");
    assert.deepEqual([await headings.nth(0).isVisible(), await headings.nth(1).isVisible()], [true, true]);
    assert.deepEqual(await headings.allTextContents(), ["Shipment 1", "Shipment 2"]);
    assert.equal(await widget.locator(".wm-panel .wm-timeline").nth(1).isVisible(), true, "each with its own timeline");
    await axe(page);
    await screenshot(page, "order-phone");
    await page.close();
  });

  test("the shareable order page asks for the postal code, keeps its place, and shows the order", async () => {
    const page = await browser.newPage();
    page.lookups = [];
    page.on("request", (r) => { if (r.url().includes("/v1/track/")) page.lookups.push(r.url()); });
    await page.addInitScript(() => {
      window.__shifts = [];
      new PerformanceObserver((list) => { for (const e of list.getEntries()) if (!e.hadRecentInput) window.__shifts.push(e.value); })
        .observe({ type: "layout-shift", buffered: true });
    });
    const url = `${system.edgeBase}/t/acme/orders/%231001`;
    await page.goto(url);
    assert.match(await page.title(), /^Order #1001 · Acme Outdoor/);
    const widget = page.locator("waymark-tracker");
    await widget.locator(".wm-order-ref").waitFor();
    assert.equal(plain(await widget.locator(".wm-order-ref").textContent()), "Order #1001");
    assert.equal(await widget.getByRole("textbox").inputValue(), "", "no number to look up on an order's page");
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    assert.deepEqual(await page.evaluate(() => window.__shifts), [], "the page kept the widget's place");
    assert.deepEqual(page.lookups, []);
    await axe(page);
    await lookUp(page, POSTAL_CODE);
    await widget.getByRole("tab").nth(1).waitFor();
    assert.equal(page.url(), url, "the order's page URL stays as it was");
    await screenshot(page, "order-page");
    await page.close();
  });

  for (const lang of ["ar", "he"]) {
    test(`${lang}: the order form, tabs, timing line and numbers read right to left`, async () => {
      const texts = catalogue(lang);
      const page = await storefront({ attributes: { order: ORDER, lang } });
      const widget = page.locator("waymark-tracker");
      await widget.locator(".wm-order-ref").waitFor();
      assert.equal(await widget.locator("section.wm").getAttribute("dir"), "rtl");
      assert.equal(plain(await widget.locator(".wm-order-ref").textContent()), plain(texts.order_ref.replace("{order}", ORDER)));
      await axe(page);
      await lookUp(page, POSTAL_CODE);
      const tabs = widget.getByRole("tab");
      await tabs.nth(1).waitFor();
      assert.equal(plain(await tabs.nth(0).textContent()), `${texts.shipment_n.replace("{n}", "1")} ${texts.preparing}`);
      const [first, second] = [await tabs.nth(0).boundingBox(), await tabs.nth(1).boundingBox()];
      assert.ok(first.x > second.x, "the first tab is on the right");
      await tabs.nth(0).focus();
      await page.keyboard.press("ArrowLeft");
      assert.equal(await tabs.nth(1).getAttribute("aria-selected"), "true", "the left arrow moves on, in reading order");
      const when = plain(await widget.locator(".wm-panel").nth(0).locator(".wm-when").textContent());
      assert.ok(when.startsWith(plain(texts.leaves_today.split("{")[0])), when);
      await axe(page);
      await screenshot(page, `order-tabs-${lang}`);

      const numbers = await storefront({ attributes: { lang } });
      const tracker = await lookUp(numbers, shipments.cjp);
      await tracker.locator(".wm-tns").waitFor();
      assert.equal(await tracker.locator(".wm-tns .wm-number-value").count(), 2);
      assert.ok(plain(await tracker.locator(".wm-tns").textContent()).includes(plain(texts.last_mile.replace("{carrier}", "Canada Post"))));
      await axe(numbers);
      await screenshot(numbers, `two-numbers-${lang}`);
      assert.deepEqual([...page.errors, ...numbers.errors], []);
      await numbers.close();
      await page.close();
    });
  }
});
