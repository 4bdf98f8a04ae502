// No layout shift: a page showing a deep-linked lookup (the storefront with ?number=…, the
// shareable /t/ page) keeps the widget's place from its first paint, so nothing the shopper is
// looking at moves while the widget loads and its result arrives. Measured in headless Chromium
// with the browser's own layout-shift entries (what Lighthouse's CLS adds up), on a phone-sized
// and a desktop-sized viewport. Synchronised on frames and DOM conditions, never on time.
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import { startSystem, stopAll } from "../lib/harness.mjs";
import { Api, Standin, provision } from "../lib/api.mjs";
import { inTransitPreset } from "../lib/scenarios.mjs";
import { launch, screenshot } from "../lib/browser.mjs";

let system, api, browser;
const shipments = {};

before(async () => {
  system = await startSystem({ edgePort: 8971, standinPort: 8972, shopPort: 8973 });
  api = new Api(system.edgeBase);
  const key = await provision(api, { id: "acme", name: "Acme Outdoor", allowed_origins: [system.shopBase] });
  // The smallest result there is (the merchant's steps only) and a long one (carrier scans).
  shipments["an ITN only"] = (await api.createShipment("acme", key, { order_ref: "#1" })).json.itn;
  await api.event("acme", key, shipments["an ITN only"], { checkpoint: 0 });
  shipments["in transit"] = (await api.createShipment("acme", key, { order_ref: "#2" })).json.itn;
  await new Standin(system.standinBase).preset(inTransitPreset("1Z999AA10123456784"));
  assert.equal((await api.attach("acme", key, shipments["in transit"], { tracking_number: "1Z999AA10123456784" })).status, 200);
  for (const itn of Object.values(shipments)) assert.equal((await api.track("acme", itn)).status, 200);
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await stopAll();
});

/** Installed before the page's own scripts: adds up layout shifts (as CLS does, excluding those
 *  right after input) and, on every frame until the result is shown, notes the widget's box and
 *  where the page's own content is. */
function instrument() {
  const shifts = (window.__shifts = []);
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (entry.hadRecentInput) continue;
      shifts.push({
        value: entry.value,
        moved: entry.sources.map((s) => (s.node?.nodeType === 1 ? `${s.node.localName}.${s.node.className}` : String(s.node?.nodeName))),
      });
    }
  }).observe({ type: "layout-shift", buffered: true });
  window.__lookups = [];
  document.addEventListener("waymark:lookup", (event) => window.__lookups.push(event.detail));
  const frames = (window.__frames = []);
  const own = () => [...document.querySelectorAll("body > *, main > *")].filter((el) => el.localName !== "waymark-tracker" && el.localName !== "script");
  const frame = () => {
    const host = document.querySelector("waymark-tracker");
    if (host && document.body) {
      const root = host.shadowRoot;
      const box = host.getBoundingClientRect();
      frames.push({
        state: root?.querySelector(".wm-timeline") ? "result" : root?.querySelector(".wm-skeleton") ? "skeleton" : root?.querySelector(".wm") ? "form" : "loading",
        top: box.top + scrollY,
        height: box.height,
        content: own().map((el) => { const r = el.getBoundingClientRect(); return { name: `${el.localName}${el.className ? "." + el.className : ""}`, top: r.top + scrollY, height: r.height }; }),
      });
      if (frames.at(-1).state === "result") return;
    }
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
}

/** Opens `url` at `viewport` and waits for the lookup's result to be on screen; returns what the
 *  instrumentation saw. */
async function load(url, viewport, name) {
  const page = await browser.newPage();
  await page.setViewportSize(viewport);
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.addInitScript(instrument);
  await page.goto(url);
  const widget = page.locator("waymark-tracker");
  await widget.locator(".wm-timeline li").first().waitFor();
  // Layout-shift entries of a frame are reported after it: let two more frames pass.
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  const seen = await page.evaluate(() => ({ shifts: window.__shifts, frames: window.__frames, lookups: window.__lookups, viewport: innerHeight }));
  await screenshot(page, `layout-${name}`);
  await page.close();
  assert.deepEqual(errors, []);
  assert.equal(seen.lookups.length, 1, "one lookup, announced");
  assert.equal(seen.lookups[0].outcome, "found");
  return seen;
}

const VIEWPORTS = { phone: { width: 412, height: 823 }, desktop: { width: 1000, height: 900 } };
const PAGES = {
  "the storefront, deep-linked": (itn) => `${system.shopBase}/index.html?number=${encodeURIComponent(itn)}`,
  "the /t/ page": (itn) => `${system.edgeBase}/t/acme/${itn}`,
};

for (const [pageName, url] of Object.entries(PAGES)) {
  describe(pageName, () => {
    for (const [viewportName, viewport] of Object.entries(VIEWPORTS)) {
      for (const shipment of ["an ITN only", "in transit"]) {
        test(`${viewportName}, ${shipment}: nothing in view moves while the widget loads and shows the result`, async (t) => {
          const name = `${pageName}-${viewportName}-${shipment}`.replace(/[^a-z]+/gi, "-");
          const { shifts, frames, viewport: height } = await load(url(shipments[shipment]), viewport, name);
          const cls = shifts.reduce((sum, s) => sum + s.value, 0);
          assert.ok(cls <= 0.1, `cumulative layout shift ${cls.toFixed(3)} <= 0.1; shifts: ${JSON.stringify(shifts)}`);

          const first = frames[0];
          const last = frames.at(-1);
          const states = frames.filter((f, i) => i === 0 || f.state !== frames[i - 1].state || f.height !== frames[i - 1].height);
          t.diagnostic(`CLS ${cls.toFixed(4)}; widget box: ${states.map((f) => `${f.state} ${f.height.toFixed(0)}px`).join(" -> ")}`);
          assert.equal(last.state, "result");
          // The widget stays where it is, and keeps the place it had at the first paint until
          // its result arrives: through the loader, the form and the skeleton.
          const before = frames.filter((f) => f.state !== "result");
          assert.ok(before.length > 0, "frames before the result were seen");
          for (const f of frames) assert.ok(Math.abs(f.top - first.top) < 1, `the widget does not move (${f.state}: ${f.top} vs ${first.top})`);
          for (const f of before) {
            assert.ok(Math.abs(f.height - first.height) <= 2,
              `the widget's box keeps its first-paint height until the result (${f.state}: ${f.height} vs ${first.height}; ${JSON.stringify(before.map((b) => [b.state, b.height]))})`);
          }
          assert.ok(first.height >= 150, `space is reserved from the first paint (${first.height}px)`);
          // The result only ever makes the widget taller, never shorter.
          assert.ok(last.height >= first.height - 2, `the result does not shrink the widget (${first.height} -> ${last.height})`);
          // The page's own content that was in view at the first paint is where it was.
          for (const el of first.content) {
            if (el.top >= height || el.height === 0) continue;
            const now = last.content.find((c) => c.name === el.name);
            assert.ok(now && Math.abs(now.top - el.top) < 1, `${el.name} stays put (${el.top} -> ${now?.top})`);
          }
        });
      }
    }
  });
}

describe("a hidden widget", () => {
  test("<waymark-tracker hidden> takes no space, before or after it loads, even with a reservation", async () => {
    const page = await browser.newPage();
    await page.setViewportSize(VIEWPORTS.phone);
    // The storefront with its tracker hidden as the parser inserts it, before any paint (the
    // storefront's CSS reserves 700px for a tracker).
    await page.addInitScript(() => {
      new MutationObserver((records, observer) => {
        const tracker = document.querySelector("waymark-tracker");
        if (tracker) { tracker.hidden = true; observer.disconnect(); }
      }).observe(document, { childList: true, subtree: true });
    });
    await page.addInitScript(instrument);
    await page.goto(`${system.shopBase}/index.html?number=${encodeURIComponent(shipments["in transit"])}`);
    // It still mounts and looks the number up, out of sight.
    await page.locator("waymark-tracker .wm-timeline li").first().waitFor({ state: "attached" });
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    const { shifts, frames, lookups } = await page.evaluate(() => ({ shifts: window.__shifts, frames: window.__frames, lookups: window.__lookups }));
    assert.equal(lookups.length, 1);
    assert.equal(await page.locator("waymark-tracker").evaluate((el) => getComputedStyle(el).display), "none");
    assert.ok(frames.length > 0 && frames.every((f) => f.height === 0), `no space at any frame: ${JSON.stringify(frames.map((f) => [f.state, f.height]))}`);
    assert.deepEqual(shifts, []);
    assert.equal(await page.locator("waymark-tracker .wm-heading").isVisible(), false);
    await page.close();
  });
});
