// The widget as shoppers use it: real Worker, real wasm, storefront on another origin,
// headless Chromium. Screenshots of the main states go to tests/artifacts/.
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { startSystem, stopAll } from "../lib/harness.mjs";
import { Api, Standin, provision, DEFAULT_CHECKPOINTS } from "../lib/api.mjs";
import { inTransitPreset } from "../lib/scenarios.mjs";
import { launch, screenshot } from "../lib/browser.mjs";

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

let system, api, standin, key, browser;
const shipments = {};

before(async () => {
  system = await startSystem({ edgePort: 8831, standinPort: 8832, shopPort: 8833, vars: { CARRIER_FRESH_SECONDS: "0" } });
  api = new Api(system.edgeBase);
  standin = new Standin(system.standinBase);
  key = await provision(api, { id: "acme", name: "Acme Outdoor", allowed_origins: [system.shopBase] });
  shipments.itnOnly = (await api.createShipment("acme", key, { order_ref: "#1" })).json.itn;
  await api.event("acme", key, shipments.itnOnly, { checkpoint: 0 });
  shipments.transit = (await api.createShipment("acme", key, { order_ref: "#2" })).json.itn;
  await standin.preset(inTransitPreset("1Z999AA10123456784"));
  assert.equal((await api.attach("acme", key, shipments.transit, { tracking_number: "1Z999AA10123456784", slug: "ups" })).status, 200);
  shipments.stale = (await api.createShipment("acme", key, { order_ref: "#3" })).json.itn;
  await standin.preset(inTransitPreset("1Z999AA10123456799"));
  assert.equal((await api.attach("acme", key, shipments.stale, { tracking_number: "1Z999AA10123456799" })).status, 200);
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await stopAll();
});

/** Opens the storefront (shop origin, or `origin`) with the snippet, optionally changing the
 *  page first. `search` is the page URL's query string. */
async function storefront({ lang, prepare, origin = system.shopBase, search = "" } = {}) {
  const page = await browser.newPage();
  page.errors = [];
  page.on("pageerror", (e) => page.errors.push(e.message));
  page.consoleErrors = [];
  page.on("console", (m) => { if (m.type() === "error") page.consoleErrors.push(m.text()); });
  page.lookups = [];
  page.on("request", (r) => { if (r.url().includes("/v1/track/")) page.lookups.push(r.url()); });
  await page.goto(`${origin}/index.html${search}`);
  if (prepare) await page.evaluate(prepare);
  if (lang) await page.evaluate((lang) => document.querySelector("waymark-tracker").setAttribute("lang", lang), lang);
  return page;
}

async function lookUp(page, number, widget = page.locator("waymark-tracker").first()) {
  await widget.getByRole("textbox").fill(number);
  await widget.getByRole("textbox").press("Enter");
  return widget;
}

async function axe(page) {
  await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate(async () => {
    // Only the widget is ours to judge, shadow root included.
    const r = await window.axe.run({ include: [["waymark-tracker"]] }, { resultTypes: ["violations"] });
    return r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  });
  assert.deepEqual(result, [], "axe-core violations");
}

describe("lookups in the widget", () => {
  test("by ITN: the merchant's checkpoints, reached and not yet reached", async () => {
    const page = await storefront();
    const widget = await lookUp(page, shipments.itnOnly);
    await widget.locator(".wm-timeline li").first().waitFor();
    const entries = widget.locator(".wm-timeline li");
    assert.deepEqual(await entries.locator(".wm-entry-label").allTextContents(), DEFAULT_CHECKPOINTS);
    assert.deepEqual(await entries.evaluateAll((els) => els.map((e) => e.className.includes("wm-pending"))), [false, true, true]);
    assert.equal(await widget.locator(".wm-aftership").count(), 0, "no AfterShip button before a TN exists");
    assert.ok(page.url().includes(`number=${encodeURIComponent(shipments.itnOnly)}`), "deep link in the URL");
    await axe(page);
    await screenshot(page, "itn-defaults");
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  test("by TN: merchant checkpoints merged with carrier events, times local with the carrier's time kept, Go to AfterShip", async () => {
    const page = await storefront({
      prepare: () => {
        window.lookups = [];
        document.addEventListener("waymark:lookup", (e) => window.lookups.push(e.detail));
      },
    });
    const widget = await lookUp(page, "1z999aa10123456784");
    await widget.locator(".wm-carrier").first().waitFor();
    assert.deepEqual(await page.evaluate(() => window.lookups), [{ number: "1z999aa10123456784", outcome: "found", tag: "InTransit", stage: "shipped" }],
      "the storefront hears about the lookup through a DOM event, with the JSON's stage name");
    assert.equal(await widget.locator(".wm-status").textContent(), "In transit");
    assert.equal(await widget.locator(".wm-carrier").count(), 4);
    assert.equal(await widget.locator(".wm-merchant.wm-entry, .wm-entry.wm-merchant").count(), 3);
    const link = widget.getByRole("link", { name: /Go to AfterShip/ });
    assert.equal(await link.getAttribute("href"), "https://track.aftership.com/1Z999AA10123456784");
    assert.equal(await link.getAttribute("target"), "_blank");
    assert.match(await link.getAttribute("rel"), /noopener/);
    // Shown in the shopper's zone (America/New_York), with the carrier's own clock beside it.
    const carrierTime = await widget.locator(".wm-carrier .wm-carrier-time").first().textContent();
    assert.match(carrierTime, /UTC-05:00/);
    assert.equal(await widget.locator(".wm-carrier").last().locator(".wm-carrier-time").count(), 0, "a local-time scan has no offset to convert");
    assert.equal(await widget.locator(".wm-stages [aria-current=step]").textContent(), "Shipped");
    assert.match(await widget.locator(".wm-latest-label").textContent(), /Departed from facility/);
    await axe(page);
    await screenshot(page, "tn-merged");
    await page.close();
  });

  test("a long carrier history folds its older scans behind a button", async () => {
    const itn = (await api.createShipment("acme", key, { order_ref: "#4" })).json.itn;
    await standin.preset({ tracking_number: "776037453413", fixture: "v4/javasdk__GetTrackingResult.json" });
    assert.equal((await api.attach("acme", key, itn, { tracking_number: "776037453413" })).status, 200);
    const page = await storefront();
    const widget = await lookUp(page, itn);
    await widget.locator(".wm-carrier").last().waitFor();
    assert.equal(await widget.locator(".wm-carrier:visible").count(), 5, "the newest five scans show");
    assert.equal(await widget.locator(".wm-status").textContent(), "Delivered");
    const fold = widget.getByRole("button", { name: "Show 9 earlier updates" });
    assert.equal(await fold.getAttribute("aria-expanded"), "false");
    await fold.press("Enter");
    await widget.getByRole("button", { name: "Show fewer updates" }).waitFor();
    assert.equal(await widget.locator(".wm-carrier:visible").count(), 14);
    assert.equal(await widget.getByRole("button", { name: "Show fewer updates" }).getAttribute("aria-expanded"), "true");
    await axe(page);
    await screenshot(page, "long-history-expanded");
    await page.close();
  });

  test("a shareable page looks the number up at once", async () => {
    const page = await browser.newPage();
    await page.goto(`${system.edgeBase}/t/acme/1Z999AA10123456784`);
    await page.locator("waymark-tracker .wm-carrier").first().waitFor();
    assert.match(await page.title(), /1Z999AA10123456784 · Acme Outdoor/);
    await page.close();
  });
});

describe("every state is designed", () => {
  test("an ITN typo is caught in the browser, before any request, and announced", async () => {
    const page = await storefront({
      prepare: () => {
        window.lookups = [];
        document.addEventListener("waymark:lookup", (e) => window.lookups.push(e.detail));
      },
    });
    const typo = shipments.itnOnly.slice(0, -1) + (shipments.itnOnly.endsWith("0") ? "1" : "0");
    const widget = await lookUp(page, typo);
    const alert = widget.getByRole("alert");
    await alert.waitFor();
    assert.match(await alert.textContent(), /typo/);
    assert.equal(await widget.getByRole("textbox").getAttribute("aria-invalid"), "true");
    assert.deepEqual(page.lookups, [], "no request for an invalid ITN");
    assert.deepEqual(await page.evaluate(() => window.lookups), [{ number: typo, outcome: "invalid" }],
      "the docs promise an event after every lookup, typos included");
    assert.ok(!page.url().includes("number="), "a typo is not deep-linked");
    await axe(page);
    await screenshot(page, "invalid-itn");
    await page.close();
  });

  test("not found says what to check", async () => {
    const page = await storefront();
    const widget = await lookUp(page, "NOSUCHPARCEL42");
    const alert = widget.getByRole("alert");
    await alert.waitFor();
    assert.match(await alert.textContent(), /couldn't find that shipment/);
    await axe(page);
    await screenshot(page, "not-found");
    await page.close();
  });

  test("a network failure offers a retry that works", async () => {
    const page = await storefront();
    await page.route("**/v1/track/**", (route) => route.abort("connectionrefused"));
    const widget = await lookUp(page, shipments.itnOnly);
    const retry = widget.getByRole("button", { name: "Try again" });
    await retry.waitFor();
    await screenshot(page, "network-error");
    await page.unroute("**/v1/track/**");
    await retry.click();
    await widget.locator(".wm-timeline li").first().waitFor();
    await page.close();
  });

  test("rate limiting is explained", async () => {
    const page = await storefront();
    await page.route("**/v1/track/**", (route) => route.fulfill({ status: 429, contentType: "application/json", body: '{"error":{"code":"rate_limited","message":"x"}}' }));
    const widget = await lookUp(page, shipments.itnOnly);
    await widget.getByRole("alert").waitFor();
    assert.match(await widget.getByRole("alert").textContent(), /Too many lookups/);
    await page.close();
  });

  test("loading shows a skeleton announced to screen readers", async () => {
    const page = await storefront();
    let release;
    const held = new Promise((r) => (release = r));
    await page.route("**/v1/track/**", async (route) => { await held; await route.continue(); });
    const widget = await lookUp(page, shipments.itnOnly);
    const status = widget.locator(".wm-skeleton[role=status][aria-busy=true]");
    await status.waitFor();
    await screenshot(page, "loading");
    release();
    await widget.locator(".wm-timeline li").first().waitFor();
    assert.equal(await status.count(), 0);
    await page.close();
  });

  test("stale carrier data is shown with a visible hint", async () => {
    await standin.fault("500", { only: "GET /tracking/{version}/trackings/{id}" });
    let stale = false;
    for (const deadline = Date.now() + 15000; !stale && Date.now() < deadline;) {
      stale = (await api.track("acme", shipments.stale)).json.stale;
    }
    assert.ok(stale, "the edge recorded the failed refresh");
    const page = await storefront();
    const widget = await lookUp(page, shipments.stale);
    await widget.locator(".wm-stale").waitFor();
    assert.match(await widget.locator(".wm-stale").textContent(), /last known/);
    assert.equal(await widget.locator(".wm-carrier").count(), 4, "last known carrier events still shown");
    await screenshot(page, "stale");
    await standin.fault("none");
    await page.close();
  });
});

describe("languages and layout", () => {
  test("Arabic renders right to left with translated strings", async () => {
    const page = await storefront({ lang: "ar" });
    const widget = await lookUp(page, "1Z999AA10123456784");
    await widget.locator(".wm-carrier").first().waitFor();
    assert.equal(await widget.locator("section.wm").getAttribute("dir"), "rtl");
    assert.equal(await widget.locator(".wm-status").textContent(), "في الطريق");
    const box = await widget.locator(".wm-marker").first().boundingBox();
    const section = await widget.locator("section.wm").boundingBox();
    assert.ok(box.x > section.x + section.width / 2, "timeline markers sit on the right in RTL");
    await axe(page);
    await screenshot(page, "rtl-arabic");
    await page.close();
  });

  for (const [lang, heading] of [["es", "Sigue tu pedido"], ["fr", "Suivre votre commande"], ["de", "Bestellung verfolgen"],
    ["de-AT", "Bestellung verfolgen"], ["xx", "Track your order"]]) {
    test(`${lang}: the widget speaks the shopper's language`, async () => {
      const page = await storefront({ lang });
      const widget = page.locator("waymark-tracker");
      await widget.getByText(heading).waitFor();
      assert.equal(await widget.locator(".wm-heading").textContent(), heading);
      await page.close();
    });
  }

  test("a page in French downloads the French catalogue and no other", async () => {
    const page = await browser.newPage();
    // The storefront page, as if its markup said <html lang="fr-CA">.
    await page.addInitScript(() => {
      new MutationObserver((_, observer) => {
        if (!document.documentElement) return;
        document.documentElement.lang = "fr-CA";
        observer.disconnect();
      }).observe(document, { childList: true });
    });
    await page.goto(`${system.shopBase}/index.html`);
    const widget = page.locator("waymark-tracker");
    await widget.getByText("Suivre votre commande").waitFor();
    const catalogues = await page.evaluate(() => performance.getEntriesByType("resource")
      .map((e) => e.name).filter((n) => n.includes("/i18n/")).map((n) => n.split("/i18n/")[1]));
    assert.deepEqual(catalogues, ["fr.json"]);
    await page.close();
  });
});

describe("embedding", () => {
  test("two widgets on one page work independently", async () => {
    const page = await storefront({
      prepare: () => {
        const second = document.createElement("waymark-tracker");
        second.setAttribute("merchant", "acme");
        second.setAttribute("lang", "es");
        document.querySelector("main").append(second);
      },
    });
    const [first, second] = [page.locator("waymark-tracker").nth(0), page.locator("waymark-tracker").nth(1)];
    await lookUp(page, shipments.itnOnly, first);
    await lookUp(page, "1Z999AA10123456784", second);
    await second.locator(".wm-carrier").first().waitFor();
    await first.locator(".wm-timeline li").first().waitFor();
    assert.equal(await first.locator(".wm-carrier").count(), 0);
    assert.equal(await second.locator(".wm-status").textContent(), "En tránsito");
    // Removing one leaves the other working.
    await page.evaluate(() => document.querySelectorAll("waymark-tracker")[1].remove());
    await lookUp(page, "1Z999AA10123456784", first);
    await first.locator(".wm-carrier").first().waitFor();
    assert.equal(await first.locator(".wm-result").count(), 1, "the new answer replaced the old one");
    assert.equal(await first.locator(".wm-timeline").count(), 1);
    await page.close();
  });

  test("a storefront stylesheet that restyles everything does not reach the widget", async () => {
    const clean = await storefront();
    const widget = clean.locator("waymark-tracker");
    await widget.locator(".wm-heading").waitFor();
    const style = (loc) => loc.evaluate((el) => { const s = getComputedStyle(el); return [s.color, s.fontFamily, s.fontSize, s.textTransform, s.letterSpacing, s.backgroundColor]; });
    const before = { heading: await style(widget.locator(".wm-heading")), button: await style(widget.getByRole("button", { name: "Track" })) };
    await clean.close();
    const hostile = await storefront({
      prepare: () => {
        const css = document.createElement("style");
        css.textContent = "* { color: red !important; font-family: 'Comic Sans MS', cursive !important; font-size: 31px !important; text-transform: uppercase !important; letter-spacing: 9px !important; background: yellow !important; } button { display: none !important; } h2 { display: none !important; } html { font-size: 40px !important; }";
        document.head.append(css);
      },
    });
    const w = hostile.locator("waymark-tracker");
    await w.locator(".wm-heading").waitFor();
    assert.deepEqual(await style(w.locator(".wm-heading")), before.heading);
    assert.deepEqual(await style(w.getByRole("button", { name: "Track" })), before.button);
    assert.ok(await w.getByRole("button", { name: "Track" }).isVisible());
    await screenshot(hostile, "hostile-stylesheet");
    await hostile.close();
  });

  test("keyboard only: tab to the field, type, submit, reach the links and copy buttons", async () => {
    const page = await storefront();
    const widget = page.locator("waymark-tracker");
    await widget.locator(".wm-heading").waitFor();
    const focusedIn = () => page.evaluate(() => {
      const host = document.activeElement;
      const inner = host?.shadowRoot?.activeElement;
      return inner ? `${inner.tagName.toLowerCase()}${inner.className ? "." + inner.className.split(" ")[0] : ""}` : host?.tagName.toLowerCase();
    });
    for (let i = 0; i < 10 && (await focusedIn()) !== "input.wm-input"; i++) await page.keyboard.press("Tab");
    assert.equal(await focusedIn(), "input.wm-input");
    await page.keyboard.type("1Z999AA10123456784");
    await page.keyboard.press("Enter");
    await widget.locator(".wm-carrier").first().waitFor();
    const reached = new Set();
    for (let i = 0; i < 12; i++) {
      await page.keyboard.press("Tab");
      reached.add(await focusedIn());
    }
    for (const expected of ["button.wm-button", "a.wm-number-value", "button.wm-copy", "a.wm-button"]) {
      assert.ok(reached.has(expected), `${expected} reachable by keyboard (reached ${[...reached]})`);
    }
    const outline = await widget.locator(".wm-copy").first().evaluate((el) => { el.focus(); return getComputedStyle(el).outlineStyle; });
    assert.notEqual(outline, "none", "focus is visible");
    await page.close();
  });
});

describe("host page edge cases", () => {
  test("the hidden attribute hides the element", async () => {
    const page = await storefront();
    const widget = page.locator("waymark-tracker");
    await widget.locator(".wm-heading").waitFor();
    await page.evaluate(() => { document.querySelector("waymark-tracker").hidden = true; });
    assert.equal(await page.evaluate(() => getComputedStyle(document.querySelector("waymark-tracker")).display), "none");
    assert.equal(await widget.locator(".wm-heading").isVisible(), false);
    await page.evaluate(() => { document.querySelector("waymark-tracker").hidden = false; });
    assert.equal(await widget.locator(".wm-heading").isVisible(), true);
    await page.close();
  });

  test("a widget without a number never picks up another widget's deep link", async () => {
    const page = await storefront();
    const first = page.locator("waymark-tracker").first();
    await lookUp(page, shipments.itnOnly, first);
    await first.locator(".wm-timeline li").first().waitFor();
    assert.ok(page.url().includes(`number=${encodeURIComponent(shipments.itnOnly)}`), "the only widget deep-links");
    const requests = page.lookups.length;
    await page.evaluate(() => {
      const second = document.createElement("waymark-tracker");
      second.setAttribute("merchant", "acme");
      document.querySelector("main").append(second);
    });
    const second = page.locator("waymark-tracker").nth(1);
    await second.locator(".wm-heading").waitFor();
    assert.equal(await second.getByRole("textbox").inputValue(), "", "the second widget starts empty");
    assert.equal(await second.locator(".wm-skeleton, .wm-result").count(), 0, "and looks nothing up");
    assert.equal(page.lookups.length, requests);
    await page.close();
  });

  test("widgets with ids keep their own deep links", async () => {
    const page = await storefront({
      search: `?wm-left=${encodeURIComponent(shipments.itnOnly)}`,
      prepare: () => {
        document.querySelector("waymark-tracker").remove();
        for (const id of ["left", "right"]) {
          const w = document.createElement("waymark-tracker");
          w.id = id;
          w.setAttribute("merchant", "acme");
          document.querySelector("main").append(w);
        }
      },
    });
    const [left, right] = [page.locator("#left"), page.locator("#right")];
    await left.locator(".wm-timeline li").first().waitFor();
    assert.equal(await right.getByRole("textbox").inputValue(), "");
    await lookUp(page, "1Z999AA10123456784", right);
    await right.locator(".wm-carrier").first().waitFor();
    const params = new URL(page.url()).searchParams;
    assert.equal(params.get("wm-left"), shipments.itnOnly);
    assert.equal(params.get("wm-right"), "1Z999AA10123456784");
    assert.equal(params.get("number"), null);
    await page.close();
  });

  test("a storefront origin the merchant has not allowed gets a clear answer, not a retry", async () => {
    const origin = system.shopBase.replace("127.0.0.1", "localhost");
    const page = await storefront({
      origin,
      prepare: () => {
        window.lookups = [];
        document.addEventListener("waymark:lookup", (e) => window.lookups.push(e.detail));
      },
    });
    const widget = await lookUp(page, shipments.itnOnly);
    const alert = widget.getByRole("alert");
    await alert.waitFor();
    assert.match(await alert.textContent(), /Tracking isn't available on this page/);
    assert.equal(await widget.getByRole("button", { name: "Try again" }).count(), 0, "no retry that cannot succeed");
    const hint = page.consoleErrors.find((m) => m.startsWith("Waymark:"));
    assert.ok(hint, `the merchant gets a console hint (${page.consoleErrors})`);
    assert.ok(hint.includes(origin) && hint.includes("allowed_origins"), hint);
    assert.deepEqual(await page.evaluate(() => window.lookups.map((l) => l.outcome)), ["origin_not_allowed"]);
    await axe(page);
    await screenshot(page, "origin-not-allowed");
    await page.close();
  });

  test("a storefront with a strict Content-Security-Policy needs only the edge's origin allowed", async () => {
    const edge = system.edgeBase;
    const policy = `default-src 'self'; script-src 'self' ${edge} 'wasm-unsafe-eval'; style-src 'self' ${edge}; connect-src ${edge}; img-src 'self' data:`;
    const page = await browser.newPage();
    const violations = [];
    page.on("console", (m) => { if (/Content Security Policy/i.test(m.text())) violations.push(m.text()); });
    // The policy as a <meta> in the storefront's <head>, before any script runs.
    await page.addInitScript((policy) => {
      new MutationObserver((_, observer) => {
        if (!document.head) return;
        const meta = document.createElement("meta");
        meta.httpEquiv = "Content-Security-Policy";
        meta.content = policy;
        document.head.prepend(meta);
        observer.disconnect();
      }).observe(document, { childList: true, subtree: true });
    }, policy);
    await page.goto(`${system.shopBase}/index.html`);
    const widget = await lookUp(page, "1Z999AA10123456784");
    await widget.locator(".wm-carrier").first().waitFor();
    assert.equal(await widget.locator("section.wm").evaluate((el) => getComputedStyle(el).borderTopLeftRadius), "12px", "the stylesheet applies");
    assert.deepEqual(violations, []);
    await page.close();
  });

  test("a host rule on ::before or ::after cannot cover the widget", async () => {
    const page = await storefront({
      prepare: () => {
        const css = document.createElement("style");
        css.textContent = 'waymark-tracker::before, waymark-tracker::after { content: "" !important; position: fixed !important; inset: 0 !important; z-index: 99999 !important; display: block !important; background: rgba(255,0,0,.3) !important; }';
        document.head.append(css);
      },
    });
    const widget = page.locator("waymark-tracker");
    await widget.locator(".wm-heading").waitFor();
    for (const pseudo of ["::before", "::after"]) {
      assert.equal(await page.evaluate((p) => getComputedStyle(document.querySelector("waymark-tracker"), p).display, pseudo), "none", pseudo);
    }
    await widget.getByRole("textbox").click({ timeout: 3000 });
    await page.keyboard.type(shipments.itnOnly);
    await page.keyboard.press("Enter");
    await widget.locator(".wm-timeline li").first().waitFor();
    await page.close();
  });
});
