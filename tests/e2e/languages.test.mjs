// Every language the widget speaks, in headless Chromium against the real Worker: each one's
// texts and direction on a found shipment, no axe-core violations, and a screenshot of each
// (tests/artifacts/widget-<lang>.png); counts in each language's plural forms; and a merchant's
// own texts (the translations and translations-url attributes), shown as text.
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { ROOT, startSystem, stopAll } from "../lib/harness.mjs";
import { Api, Standin, provision } from "../lib/api.mjs";
import { inTransitPreset } from "../lib/scenarios.mjs";
import { launch, screenshot } from "../lib/browser.mjs";

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const I18N = path.join(ROOT, "www", "widget", "i18n");
const LANGS = readdirSync(I18N).filter((f) => f.endsWith(".json")).map((f) => f.slice(0, -5)).sort();
const catalogue = (lang) => JSON.parse(readFileSync(path.join(I18N, `${lang}.json`), "utf8"));
const IN_TRANSIT = 2; // index of InTransit in the catalogue's tags (Tag::ALL order)
const TN = "1Z999AA10123456784";

let system, browser, longHistory;

before(async () => {
  system = await startSystem({ edgePort: 8851, standinPort: 8852, shopPort: 8853 });
  const api = new Api(system.edgeBase);
  const standin = new Standin(system.standinBase);
  const key = await provision(api, { id: "acme", name: "Acme Outdoor", allowed_origins: [system.shopBase] });
  const transit = (await api.createShipment("acme", key, { order_ref: "#1" })).json.itn;
  await api.event("acme", key, transit, { checkpoint: 0 });
  await standin.preset(inTransitPreset(TN));
  assert.equal((await api.attach("acme", key, transit, { tracking_number: TN, slug: "ups" })).status, 200);
  longHistory = (await api.createShipment("acme", key, { order_ref: "#2" })).json.itn;
  await standin.preset({ tracking_number: "776037453413", fixture: "v4/javasdk__GetTrackingResult.json" });
  assert.equal((await api.attach("acme", key, longHistory, { tracking_number: "776037453413" })).status, 200);
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await stopAll();
});

/** The storefront with its tracker's attributes set (`lang`, `translations`, …) before it mounts
 *  anything the test looks at. */
async function storefront(attributes = {}, { route } = {}) {
  const page = await browser.newPage();
  page.errors = [];
  page.on("pageerror", (e) => page.errors.push(e.message));
  page.warnings = [];
  page.on("console", (m) => { if (m.type() === "warning") page.warnings.push(m.text()); });
  if (route) await page.route(route.url, (r) => r.fulfill(route.answer));
  await page.goto(`${system.shopBase}/index.html`);
  await page.evaluate((attributes) => {
    const tracker = document.querySelector("waymark-tracker");
    for (const [name, value] of Object.entries(attributes)) tracker.setAttribute(name, value);
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

describe("every language", () => {
  for (const lang of LANGS) {
    test(`${lang}: a found shipment in the shopper's language and direction, accessible, screenshot`, async () => {
      const texts = catalogue(lang);
      const page = await storefront({ lang });
      const widget = await lookUp(page, TN);
      await widget.locator(".wm-carrier").first().waitFor();
      const section = widget.locator("section.wm");
      assert.equal(await section.getAttribute("lang"), lang);
      assert.equal(await section.getAttribute("dir"), texts.dir);
      assert.equal(await widget.locator(".wm-heading").textContent(), texts.heading);
      assert.equal(await widget.locator(".wm-status").textContent(), texts.tags[IN_TRANSIT]);
      assert.equal(await widget.locator(".wm-stages [aria-current=step]").textContent(), texts.stages[2]);
      assert.equal(await widget.getByRole("button", { name: texts.submit, exact: true }).count(), 1);
      if (texts.dir === "rtl") {
        const marker = await widget.locator(".wm-marker").first().boundingBox();
        const box = await section.boundingBox();
        assert.ok(marker.x > box.x + box.width / 2, "timeline markers sit on the right");
      }
      await axe(page);
      await screenshot(page, `widget-${lang}`);
      assert.deepEqual(page.errors, []);
      await page.close();
    });
  }
});

describe("counts", () => {
  for (const lang of ["en", "ar", "he", "pl", "ru", "fr", "ja"]) {
    test(`${lang}: the fold's button takes the plural form the browser's rules pick`, async () => {
      const texts = catalogue(lang);
      const page = await storefront({ lang });
      const widget = await lookUp(page, longHistory);
      await widget.locator(".wm-carrier").last().waitFor();
      const hidden = await widget.locator(".wm-carrier.wm-early").count();
      assert.ok(hidden >= 2, `${hidden} scans folded`);
      const category = await page.evaluate(([lang, n]) => new Intl.PluralRules(lang).select(n), [lang, hidden]);
      const expected = texts.show_earlier[category].replace("{n}", String(hidden));
      const fold = widget.locator(".wm-fold button");
      assert.equal(await fold.textContent(), expected, `${hidden} is "${category}" in ${lang}`);
      await fold.press("Enter");
      await widget.getByRole("button", { name: texts.show_fewer }).waitFor();
      await fold.press("Enter");
      assert.equal(await fold.textContent(), expected, "folded again, the same text");
      if (lang === "ar" || lang === "he") await axe(page);
      await page.close();
    });
  }
});

describe("the merchant's own texts", () => {
  test("the translations attribute replaces texts, shown as text, never as HTML; only then is overrides.js loaded", async () => {
    const plain = await storefront();
    await plain.locator("waymark-tracker .wm-heading").waitFor();
    const loaded = () => plain.evaluate(() => performance.getEntriesByType("resource").map((e) => e.name));
    assert.ok(!(await loaded()).some((n) => n.includes("overrides.js")), "a tracker without own texts loads no more");
    await plain.close();

    const page = await storefront({
      translations: JSON.stringify({
        en: { heading: "Where is my parcel?", submit: "<b>Find</b>", tags: [null, null, "On its way"] },
        de: { heading: "Wo ist mein Paket?" },
      }),
    });
    const widget = page.locator("waymark-tracker");
    await widget.getByText("Where is my parcel?").waitFor();
    const button = widget.locator(".wm-form .wm-button");
    assert.equal(await button.textContent(), "<b>Find</b>", "markup is shown as the text it is");
    assert.equal(await button.locator("b").count(), 0, "no element made from a merchant's text");
    await lookUp(page, TN);
    await widget.locator(".wm-carrier").first().waitFor();
    assert.equal(await widget.locator(".wm-status").textContent(), "On its way");
    assert.equal(await widget.locator(".wm-latest-title").textContent(), catalogue("en").latest, "the rest is the catalogue's");
    await axe(page);
    await screenshot(page, "widget-own-texts");
    // The same element in German takes the German texts given; other languages keep theirs.
    await page.evaluate(() => document.querySelector("waymark-tracker").setAttribute("lang", "de"));
    await widget.getByText("Wo ist mein Paket?").waitFor();
    assert.equal(await widget.locator(".wm-form .wm-button").textContent(), catalogue("de").submit);
    // Changing the attribute shows the new texts at once.
    await page.evaluate(() => document.querySelector("waymark-tracker").setAttribute("translations", '{"de": {"heading": "Sendung suchen"}}'));
    await widget.getByText("Sendung suchen").waitFor();
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  test("translations-url: a JSON file, resolved against the page; the attribute wins over it", async () => {
    const file = { en: { heading: "From the file", submit: "Look up", show_earlier: { one: "{n} older scan", other: "{n} older scans" } } };
    const page = await storefront(
      { "translations-url": "texts/waymark.json", translations: '{"en": {"submit": "Search"}}' },
      { route: { url: `${system.shopBase}/texts/waymark.json`, answer: { contentType: "application/json", body: JSON.stringify(file) } } },
    );
    const widget = page.locator("waymark-tracker");
    await widget.getByText("From the file").waitFor();
    assert.equal(await widget.locator(".wm-form .wm-button").textContent(), "Search");
    await lookUp(page, longHistory);
    await widget.locator(".wm-carrier").last().waitFor();
    const hidden = await widget.locator(".wm-carrier.wm-early").count();
    assert.equal(await widget.locator(".wm-fold button").textContent(), `${hidden} older scans`);
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  test("a file that fails or text that is not JSON leaves the catalogue's texts, with a console warning", async () => {
    const page = await storefront(
      { "translations-url": "missing.json" },
      { route: { url: `${system.shopBase}/missing.json`, answer: { status: 404, body: "" } } },
    );
    const widget = page.locator("waymark-tracker");
    await widget.getByText(catalogue("en").heading).waitFor();
    await page.evaluate(() => document.querySelector("waymark-tracker").setAttribute("translations", "{oops"));
    await lookUp(page, TN);
    await widget.locator(".wm-carrier").first().waitFor();
    assert.equal(await widget.locator(".wm-heading").textContent(), catalogue("en").heading);
    assert.ok(page.warnings.some((w) => w.includes("missing.json")), page.warnings.join("\n"));
    assert.ok(page.warnings.some((w) => w.includes("translations attribute")), page.warnings.join("\n"));
    assert.deepEqual(page.errors, []);
    await page.close();
  });
});
