// The thin slice through every layer: admin API → merchant checkpoints → shipment (ITN) →
// storefront on another origin → widget in headless Chromium → the merchant's checkpoints.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startSystem, stopAll } from "../lib/harness.mjs";
import { Api, provision } from "../lib/api.mjs";
import { launch, screenshot } from "../lib/browser.mjs";

let system, api, browser;
before(async () => {
  system = await startSystem({ edgePort: 8801, standinPort: 8802, shopPort: 8803 });
  api = new Api(system.edgeBase);
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await stopAll();
});

test("a shopper types an ITN into the widget and sees the merchant's default checkpoints", async () => {
  const checkpoints = ["Merchandise located and reserved", "Merchandise prepped and packed for shipping", "Shipping label created"];
  const key = await provision(api, { id: "skeleton", name: "Skeleton Supply", allowed_origins: [system.shopBase], checkpoints });
  const created = await api.createShipment("skeleton", key, { order_ref: "#1001" });
  assert.equal(created.status, 201);
  const itn = created.json.itn;
  assert.match(itn, /^WM-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{2}$/);

  const page = await browser.newPage();
  page.on("pageerror", (e) => console.error("page error:", e.message));
  // The storefront comes from the shop's origin; the snippet loads the widget from the edge's.
  await page.goto(`${system.shopBase}/index.html`);
  await page.evaluate(() => {
    const el = document.querySelector("waymark-tracker");
    el.setAttribute("merchant", "skeleton");
  }, {});
  const widget = page.locator("waymark-tracker");
  const input = widget.getByLabel("Tracking number");
  await input.fill(itn.toLowerCase().replaceAll("-", " "));
  await widget.getByRole("button", { name: "Track" }).click();
  const timeline = widget.locator("ol.wm-timeline > li");
  await timeline.first().waitFor();
  assert.deepEqual(await timeline.locator(".wm-entry-label").allTextContents(), checkpoints);
  assert.equal(await widget.locator(".wm-status").textContent(), "Your order is being prepared");
  assert.equal(await widget.locator(".wm-number-value").first().textContent(), itn);
  await screenshot(page, "skeleton-itn-defaults");
  await page.close();
});
