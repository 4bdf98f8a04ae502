// The merchant console in headless Chromium against the real Worker in workerd: the shell and
// the sign-in form; Find Orders (columns remembered, search by a TN typed with spaces and in
// lower case, filters, export, details); settings (a checkpoint edited here reaches the
// shopper's widget); every page and state checked by axe-core; usable at 375 px.
//
// The signed-in pages are driven two ways: through a real session (sign-in link from the
// captured e-mail; needs the edge's console sign-in), and, for the pages' own behaviour,
// through a stand-in session (the page's session call answered by the test, merchant calls
// carried with the API key), so those tests do not depend on how a session is made.
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, copyFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { startSystem, stopAll, ROOT } from "../lib/harness.mjs";
import { Api, Standin, provision } from "../lib/api.mjs";
import { inTransitPreset } from "../lib/scenarios.mjs";
import { launch, screenshot, ARTIFACTS } from "../lib/browser.mjs";

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const SCREENSHOTS = path.join(ROOT, "docs", "screenshots");

let system, api, standin, key, globexKey, browser;
const shipments = {};
const TN = "1Z999AA10123456784";

before(async () => {
  system = await startSystem({ edgePort: 9071, standinPort: 9072, shopPort: 9073 });
  api = new Api(system.edgeBase);
  standin = new Standin(system.standinBase);
  key = await provision(api, { id: "acme", name: "Acme Outdoor", allowed_origins: [system.shopBase] });
  globexKey = await provision(api, { id: "globex", name: "Globex" });
  shipments.first = (await api.createShipment("acme", key, { order_ref: "#1001" })).json.itn;
  shipments.transit = (await api.createShipment("acme", key, { order_ref: "#1002", channel: "ebay" })).json.itn;
  await standin.preset(inTransitPreset(TN));
  assert.equal((await api.attach("acme", key, shipments.transit, { tracking_number: TN, slug: "ups" })).status, 200);
  shipments.third = (await api.createShipment("acme", key, { order_ref: "#1003" })).json.itn;
  await api.event("acme", key, shipments.third, { checkpoint: 1 });
  shipments.globex = (await api.createShipment("globex", globexKey, { order_ref: "#G1" })).json.itn;
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await stopAll();
});

async function newPage({ width = 1000 } = {}) {
  const page = await browser.newPage();
  await page.setViewportSize({ width, height: 900 });
  page.errors = [];
  page.on("pageerror", (e) => page.errors.push(e.message));
  return page;
}

/** A page whose session is the test's: `GET /console/api/session` answers `session`, and the
 *  merchant API calls it makes carry `apiKey` (what the cookie would do). */
async function standInSession(page, { role = "owner", merchant = "acme", apiKey = key } = {}) {
  await page.route("**/console/api/session", (route) => route.fulfill({
    status: 200,
    contentType: "application/json",
    body: JSON.stringify({ merchant, merchant_name: "Acme Outdoor", email: "ops@acme.example", role, csrf_token: "test-csrf", expires_at: "2099-01-01T00:00:00Z" }),
  }));
  await page.route("**/v1/merchants/**", (route) => route.continue({ headers: { ...route.request().headers(), authorization: `Bearer ${apiKey}` } }));
}

async function axe(page, what) {
  await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ["violations"] });
    return r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  });
  assert.deepEqual(result, [], `axe-core violations (${what})`);
}

/** Saves a screenshot to tests/artifacts and, for the README, to docs/screenshots. */
async function shot(page, name) {
  await screenshot(page, name);
  mkdirSync(SCREENSHOTS, { recursive: true });
  copyFileSync(path.join(ARTIFACTS, `${name}.png`), path.join(SCREENSHOTS, `${name}.png`));
}

/** The e-mails wrangler dev stored, as tests/e2e/alerts.test.mjs reads them. */
function mailbox() {
  const plain = system.edge.output.replace(/\x1b\[[0-9;]*m/g, "");
  const found = [];
  for (const m of plain.matchAll(/From: [^\n]*\nTo: ([^\n]*)\nSubject: ([^\n]*)\n\nText: (\S+)/g)) {
    found.push({ to: m[1].trim(), subject: m[2].trim(), text: readFileSync(m[3], "utf8") });
  }
  return found;
}

/** The newest sign-in link e-mailed to `email`, waited for with a deadline. */
async function signInLink(email, after = 0) {
  const deadline = Date.now() + 30000;
  while (Date.now() < deadline) {
    const mails = mailbox().filter((m) => m.to.toLowerCase().includes(email) && m.subject.startsWith("Sign in to Waymark"));
    if (mails.length > after) return mails.at(-1).text.match(/http\S+\/console\/sign-in\?\S+/)[0];
    await new Promise((r) => setTimeout(r, 100)); // poll interval, not a synchronisation sleep
  }
  assert.fail(`no sign-in e-mail to ${email}`);
}

/** A page signed in through a real session: a link the admin mints (what the e-mail carries). */
async function signedIn(email, merchant = "acme", options) {
  const minted = await api.call("POST", `/v1/admin/merchants/${merchant}/sign-in-links`, { key: api.admin, body: { email } });
  assert.equal(minted.status, 201, minted.text);
  const page = await newPage(options);
  await page.goto(minted.json.link);
  await page.locator("header.bar").waitFor();
  return page;
}

/** A fetch made by the console's page itself (its cookie, its origin). */
function pageFetch(page, method, path, { csrf, body } = {}) {
  return page.evaluate(async ({ method, path, csrf, body }) => {
    const headers = { "content-type": "application/json" };
    if (csrf !== undefined) headers["x-csrf-token"] = csrf;
    const res = await fetch(path, { method, headers, credentials: "same-origin", body: body && JSON.stringify(body) });
    return { status: res.status, text: await res.text() };
  }, { method, path, csrf, body });
}

const session = async (page) => JSON.parse((await pageFetch(page, "GET", "/console/api/session")).text);

async function noHorizontalScroll(page) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px`);
}

describe("console shell and sign-in", () => {
  test("signed out: the sign-in form, its answers, keyboard focus, Arabic right to left", async () => {
    const page = await newPage();
    const res = await page.goto(`${system.edgeBase}/console/`);
    assert.equal(res.status(), 200);
    await page.getByRole("heading", { name: "Sign in to your console" }).waitFor();
    assert.equal(await page.locator("main").count(), 1, "a main landmark");
    assert.equal(await page.getAttribute("html", "lang"), "en");
    await axe(page, "sign-in form");
    await shot(page, "console-sign-in");

    // Keyboard: Tab reaches the merchant field with a visible focus ring.
    await page.keyboard.press("Tab");
    await page.keyboard.press("Tab");
    const focused = await page.evaluate(() => document.activeElement.id);
    assert.equal(focused, "signin-merchant");
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
    assert.notEqual(outline, "none", "focus is visible");

    // A malformed merchant id is caught before any request.
    await page.getByLabel("Merchant id").fill("Not A Merchant!");
    await page.getByLabel("Work e-mail address").fill("ops@acme.example");
    await page.getByRole("button", { name: "E-mail me a sign-in link" }).click();
    await page.getByText("Check the merchant id and the e-mail address.").waitFor();
    await axe(page, "sign-in refused");
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  test("an expired link says so; Arabic is right to left; usable at 375 px", async () => {
    const page = await newPage({ width: 375 });
    await page.goto(`${system.edgeBase}/console/?signin=expired&lang=ar`);
    await page.locator(".signin .notice").waitFor();
    assert.equal(await page.getAttribute("html", "dir"), "rtl");
    assert.equal(await page.getAttribute("html", "lang"), "ar");
    assert.ok(!page.url().includes("signin=expired"), "the flag leaves the address once read");
    await noHorizontalScroll(page);
    await axe(page, "expired link, Arabic, phone width");
    await shot(page, "console-sign-in-ar-phone");
    await page.close();
  });
});

describe("Find Orders (stand-in session)", () => {
  test("the grid, a TN typed with spaces in lower case, filters, details and export", async () => {
    const page = await newPage();
    await standInSession(page);
    await page.goto(`${system.edgeBase}/console/#/find`);
    const grid = page.locator("table.grid");
    await grid.waitFor();
    await page.getByText("Acme Outdoor").first().waitFor();
    assert.equal(await grid.locator("tbody tr").count(), 3);
    await axe(page, "Find Orders");
    await shot(page, "console-find-orders");

    // A TN with spaces, in lower case.
    const spaced = TN.toLowerCase().replace(/(.{4})/g, "$1 ");
    await page.getByRole("searchbox", { name: "Search" }).fill(spaced);
    await page.getByRole("searchbox", { name: "Search" }).press("Enter");
    await page.waitForFunction(() => document.querySelectorAll("table.grid tbody tr").length === 1);
    assert.equal(await grid.locator("tbody tr a.itn").textContent(), shipments.transit);

    // Export: the same query, the visible columns.
    const href = await page.getByRole("link", { name: "Export CSV" }).getAttribute("href");
    const url = new URL(href, system.edgeBase);
    assert.equal(url.pathname, "/v1/merchants/acme/shipments.csv");
    assert.equal(url.searchParams.get("q").replace(/\s/g, "").toUpperCase(), TN);
    assert.equal(url.searchParams.get("columns"), "itn,tracking_numbers,order_ref,channel,stage,alert,confirmation,updated");
    const csv = await api.call("GET", url.pathname + url.search, { key });
    assert.equal(csv.status, 200, csv.text);
    const lines = csv.text.trim().split(/\r?\n/);
    assert.equal(lines.length, 2, csv.text);
    assert.ok(lines[1].includes(shipments.transit) && lines[1].includes("#1002"), csv.text);

    // A filter with no match: the designed empty state.
    await page.getByRole("button", { name: "Clear" }).click();
    await page.waitForFunction(() => document.querySelectorAll("table.grid tbody tr").length === 3);
    await page.getByLabel("Delivered", { exact: true }).check();
    await page.getByRole("button", { name: "Search", exact: true }).click();
    await page.locator(".state.empty").waitFor();
    await axe(page, "Find Orders, empty");
    await page.getByLabel("Delivered", { exact: true }).uncheck();
    // Created dates: from tomorrow finds nothing; from yesterday to today finds them all.
    const day = (offset) => new Date(Date.now() + offset * 86400000).toLocaleDateString("en-CA", { timeZone: "America/New_York" });
    await page.getByLabel("Created from").fill(day(1));
    await page.getByRole("button", { name: "Search", exact: true }).click();
    await page.locator(".state.empty").waitFor();
    await page.getByLabel("Created from").fill(day(-1));
    await page.getByLabel("Created until").fill(day(0));
    await page.getByRole("button", { name: "Search", exact: true }).click();
    await page.waitForFunction(() => document.querySelectorAll("table.grid tbody tr").length === 3);
    // No alert on any of them.
    await page.locator("#find-alert").selectOption("any");
    await page.getByRole("button", { name: "Search", exact: true }).click();
    await page.locator(".state.empty").waitFor();
    await page.locator("#find-alert").selectOption("none");
    await page.locator("#find-channel").fill("ebay");
    await page.getByRole("button", { name: "Search", exact: true }).click();
    await page.waitForFunction(() => document.querySelectorAll("table.grid tbody tr").length === 1);

    // Details: the shopper's timeline, clickable numbers, history, actions for an owner.
    await grid.locator("tbody tr a.itn").click();
    await page.getByRole("heading", { name: `Shipment ${shipments.transit}` }).waitFor();
    await page.getByRole("heading", { name: "What the shopper sees" }).waitFor();
    assert.equal(await page.locator(`a.tn[href="/t/acme/${TN}"]`).count(), 1, "the TN links to the shopper's page");
    assert.equal(await page.locator(`a.itn[href="/t/acme/${shipments.transit}"]`).count(), 1);
    await page.getByRole("heading", { name: "Actions" }).waitFor();
    await axe(page, "shipment details");
    await shot(page, "console-shipment");
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  test("each shipment's ship confirmation: a column, a filter, in the export; headers sort", async () => {
    const page = await newPage();
    await standInSession(page);
    await page.goto(`${system.edgeBase}/console/#/find`);
    const grid = page.locator("table.grid");
    await grid.locator("tbody tr").first().waitFor();
    const column = async (name) => {
      const headers = await grid.locator("thead th").allTextContents();
      const index = headers.indexOf(name);
      assert.ok(index >= 0, `${name} in ${headers}`);
      return grid.locator(`tbody tr td:nth-child(${index + 1})`).allTextContents();
    };
    const itns = () => grid.locator("tbody tr a.itn").allTextContents();
    // eBay confirms on assignment: the order with a TN is confirmed; manual orders never are.
    const states = Object.fromEntries((await itns()).map((itn, i) => [itn, i]));
    const confirmation = await column("Confirmation");
    assert.equal(confirmation[states[shipments.transit]], "Confirmed");
    assert.equal(confirmation[states[shipments.first]], "Never sent");

    // The filter, and the export keeps it.
    await page.locator("#find-confirmation").selectOption("confirmed");
    await page.getByRole("button", { name: "Search", exact: true }).click();
    await page.waitForFunction(() => document.querySelectorAll("table.grid tbody tr").length === 1);
    assert.deepEqual(await itns(), [shipments.transit]);
    const href = await page.getByRole("link", { name: "Export CSV" }).getAttribute("href");
    const csv = await api.call("GET", href, { key });
    assert.equal(csv.status, 200, csv.text);
    const [header, row, ...rest] = csv.text.replace(/^\uFEFF/, "").trim().split(/\r?\n/);
    assert.deepEqual(rest, [], csv.text);
    assert.ok(header.split(",").includes("Ship confirmation"), header);
    assert.ok(row.includes(shipments.transit) && row.split(",").includes("confirmed"), row);
    await page.getByRole("button", { name: "Clear" }).click();
    await page.waitForFunction(() => document.querySelectorAll("table.grid tbody tr").length === 3);

    // Sorting by a header, by keyboard: furthest along first, then the other way round.
    const stageHeader = grid.locator("thead th", { has: page.getByRole("button", { name: "Stage", exact: true }) });
    assert.equal(await stageHeader.getAttribute("aria-sort"), "none");
    assert.equal(await grid.locator("thead th", { hasText: "Updated" }).getAttribute("aria-sort"), "none");
    await page.getByRole("button", { name: "Stage", exact: true }).focus();
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => document.querySelector("table.grid thead th[aria-sort=descending]"));
    assert.equal(await stageHeader.getAttribute("aria-sort"), "descending");
    assert.equal((await itns())[0], shipments.transit, "the shipped order first");
    const stages = await column("Stage");
    assert.equal(stages[0], "Shipped");
    await page.getByRole("button", { name: "Stage", exact: true }).click();
    await page.waitForFunction(() => document.querySelector("table.grid thead th[aria-sort=ascending]"));
    assert.equal((await itns()).at(-1), shipments.transit, "the shipped order last");
    assert.equal(await page.locator("#find-sort").inputValue(), "stage", "the sort select follows");
    await axe(page, "Find Orders sorted by stage");
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  test("the details read as sentences: history and the channel's confirmation", async () => {
    const page = await newPage();
    await standInSession(page);
    await page.goto(`${system.edgeBase}/console/#/shipment/${shipments.transit}`);
    const history = page.locator("ol.history");
    await history.locator("li").first().waitFor();
    const lines = await history.locator("li .what").allTextContents();
    assert.ok(lines.includes("Created for order #1002, sales channel ebay"), lines.join(" | "));
    assert.ok(lines.some((l) => l.startsWith(`Tracking number ${TN} attached`)), lines.join(" | "));
    const channel = page.locator("section[aria-labelledby=channel-title]");
    await channel.getByText("The channel has the shipment's tracking number.").waitFor();
    assert.equal(await channel.locator(".badge").textContent(), "Confirmed");
    assert.ok((await channel.textContent()).includes(TN), "the confirmed TN is shown");
    // No raw JSON anywhere a person reads.
    const text = await page.locator("main").innerText();
    assert.ok(!/[{}"]\w+"?:/.test(text) && !text.includes("{\""), text);
    await axe(page, "shipment details in sentences");
    await page.goto(`${system.edgeBase}/console/?lang=fr#/shipment/${shipments.transit}`);
    await page.getByText("Le canal a le numéro de suivi de l'expédition.").waitFor();
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  test("the details list what was sent about the shipment, to whom, how it went", async () => {
    const hook = await api.call("POST", "/v1/merchants/acme/webhook-endpoints", { key, body: { url: "https://hooks.example.net/waymark", events: ["tracking.assigned"] } });
    assert.equal(hook.status, 201, hook.text);
    // Two shipments with a delivery each; the page of one lists only its own.
    const itn = (await api.createShipment("acme", key, { order_ref: "#1004" })).json.itn;
    const neighbour = (await api.createShipment("acme", key, { order_ref: "#1005" })).json.itn;
    for (const [shipment, tn] of [[itn, "1Z999AA10123450004"], [neighbour, "1Z999AA10123450005"]]) {
      await standin.preset(inTransitPreset(tn));
      assert.equal((await api.attach("acme", key, shipment, { tracking_number: tn, slug: "ups" })).status, 200);
    }
    const log = (await api.call("GET", "/v1/merchants/acme/deliveries?limit=500", { key })).json.deliveries;
    assert.ok(log.some((d) => d.itn === neighbour) && log.some((d) => d.itn === itn), "both have deliveries");
    const page = await newPage();
    await standInSession(page);
    await page.goto(`${system.edgeBase}/console/#/shipment/${itn}`);
    const sent = page.locator("section[aria-labelledby=deliveries-title]");
    const row = sent.locator("tbody tr", { hasText: "tracking.assigned" });
    await row.waitFor();
    assert.equal(await sent.locator("tbody tr").count(), 1, "only this shipment's deliveries");
    assert.ok((await row.textContent()).includes("Endpoint https://hooks.example.net/waymark"), await row.textContent());
    assert.match(await row.locator(".badge").textContent(), /^(Queued|Not sent yet|Retrying|Failed|Delivered)$/);
    assert.ok(/Queued|Delivered/.test(await row.locator("td").nth(3).textContent()), "when it was queued or delivered");
    await row.getByRole("button", { name: "Replay" }).waitFor();
    await axe(page, "shipment details with deliveries");
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  test("an owner marks a checkpoint reached from the details", async () => {
    const page = await newPage();
    await standInSession(page);
    await page.goto(`${system.edgeBase}/console/#/shipment/${shipments.first}`);
    await page.getByLabel("Checkpoint reached").selectOption({ index: 1 });
    await page.getByRole("button", { name: "Mark reached" }).click();
    await page.getByText("Saved.").waitFor();
    const view = await api.call("GET", `/v1/merchants/acme/shipments/${shipments.first}`, { key });
    assert.ok(view.json.history.some((e) => e.type === "checkpoint_reached"), view.text);
    await page.close();
  });

  test("the column chooser persists across a reload", async () => {
    const page = await newPage();
    await standInSession(page);
    await page.goto(`${system.edgeBase}/console/#/find`);
    await page.locator("table.grid").waitFor();
    await page.getByText("Columns", { exact: true }).click();
    await page.getByLabel("Carrier", { exact: true }).last().check();
    await page.getByLabel("Order", { exact: true }).uncheck();
    const headers = async () => page.locator("table.grid thead th").allTextContents();
    assert.deepEqual(await headers(), ["ITN", "Tracking numbers", "Channel", "Carrier", "Stage", "Alert", "Confirmation", "Updated"]);
    await page.reload();
    await page.locator("table.grid").waitFor();
    assert.deepEqual(await headers(), ["ITN", "Tracking numbers", "Channel", "Carrier", "Stage", "Alert", "Confirmation", "Updated"]);
    const href = await page.getByRole("link", { name: "Export CSV" }).getAttribute("href");
    assert.ok(href.endsWith("columns=itn,tracking_numbers,channel,carrier,stage,alert,confirmation,updated"), href);
    await page.close();
  });

  test("at 375 px the grid scrolls inside its own region, not the page", async () => {
    const page = await newPage({ width: 375 });
    await standInSession(page);
    await page.goto(`${system.edgeBase}/console/#/find`);
    await page.locator("table.grid").waitFor();
    await noHorizontalScroll(page);
    await axe(page, "Find Orders at 375 px");
    await shot(page, "console-find-orders-phone");
    await page.close();
  });
});

describe("Settings (stand-in session)", () => {
  test("an edited checkpoint shows in the preview and then in the shopper's widget", async () => {
    const page = await newPage();
    await standInSession(page);
    await page.goto(`${system.edgeBase}/console/#/settings`);
    const first = page.getByLabel("Checkpoint 1", { exact: true });
    await first.waitFor();
    await first.fill("Picked from our Lyon shelves");
    await page.locator(".preview").getByText("Picked from our Lyon shelves").waitFor();
    await page.getByRole("button", { name: "Move checkpoint 3 up" }).click();
    await page.getByRole("button", { name: "Add a checkpoint" }).click();
    await page.getByLabel("Checkpoint 4", { exact: true }).fill("Handed to the carrier");
    await axe(page, "settings");
    await shot(page, "console-settings");
    await page.locator("form.checkpoints").getByRole("button", { name: "Save" }).click();
    await page.locator("form.checkpoints").getByText("Saved.").waitFor();
    const stored = await api.call("GET", "/v1/merchants/acme/checkpoints", { key });
    assert.deepEqual(stored.json.checkpoints.map((c) => c.label),
      ["Picked from our Lyon shelves", "Shipping label created", "Merchandise prepped and packed for shipping", "Handed to the carrier"]);

    // A new shipment takes the new checkpoints; the shopper's widget shows them.
    const itn = (await api.createShipment("acme", key, { order_ref: "#1004" })).json.itn;
    const shop = await newPage();
    const fetched = [];
    shop.on("request", (r) => fetched.push(r.url()));
    await shop.goto(`${system.shopBase}/index.html?number=${encodeURIComponent(itn)}`);
    await shop.locator("waymark-tracker").getByText("Picked from our Lyon shelves").first().waitFor();
    assert.deepEqual(fetched.filter((u) => u.includes("/console")), [], "not one byte of the console reaches the embed");
    await shop.close();
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  test("an owner sets a channel's policy, the calendar, an endpoint and an alert recipient", async () => {
    const page = await newPage();
    await standInSession(page);
    await page.goto(`${system.edgeBase}/console/#/settings`);
    const channelForm = page.locator("form").filter({ has: page.locator("#ch-new") });
    await page.locator("#ch-new").fill("amazon");
    await page.locator("#ch-new-policy").selectOption("on_movement");
    await channelForm.getByRole("button", { name: "Save" }).click();
    await page.getByLabel("Confirmation policy of amazon").waitFor();
    const amazon = await api.call("GET", "/v1/merchants/acme/channels/amazon", { key });
    assert.equal(amazon.json.confirm, "on_movement", amazon.text);

    await page.getByLabel("Time zone").fill("Europe/Paris");
    await page.getByLabel("Opens at").fill("08:30");
    await page.getByLabel("Closes at").fill("18:00");
    await page.locator("form").filter({ has: page.locator("#set-zone") }).getByRole("button", { name: "Save" }).click();
    await page.getByRole("cell", { name: "time_zone" }).waitFor();
    const settings = await api.call("GET", "/v1/merchants/acme/settings", { key });
    assert.equal(settings.json.settings.time_zone, "Europe/Paris");
    assert.deepEqual(settings.json.settings.business_hours, { open: "08:30", close: "18:00" });

    await page.getByRole("button", { name: "Add window" }).click();
    await page.getByRole("button", { name: "Remove the window mon, tue, wed, thu, fri · 14:30–17:00" }).waitFor();
    const windows = await api.call("GET", "/v1/merchants/acme/settings", { key });
    assert.deepEqual(windows.json.settings.pickup_windows, [{ days: ["mon", "tue", "wed", "thu", "fri"], from: "14:30", to: "17:00" }]);

    await page.getByLabel("Endpoint URL").fill("https://hooks.acme.example/waymark");
    await page.getByRole("button", { name: "Add endpoint" }).click();
    await page.getByText("Signing secret, shown only now").waitFor();
    await page.getByText("https://hooks.acme.example/waymark").waitFor();

    await page.locator("#al-email").fill("alerts@acme.example");
    await page.getByRole("button", { name: "Add recipient" }).click();
    await page.getByText("alerts@acme.example").waitFor();
    await page.getByText("Waiting for confirmation").waitFor();
    await axe(page, "settings after changes");
    await shot(page, "console-settings-owner");
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  test("staff see settings read-only: every control disabled, with a note", async () => {
    const page = await newPage();
    await standInSession(page, { role: "staff" });
    await page.goto(`${system.edgeBase}/console/#/settings`);
    await page.getByText("only an owner can change them").waitFor();
    await page.getByLabel("Checkpoint 1", { exact: true }).waitFor();
    assert.ok(await page.getByLabel("Checkpoint 1", { exact: true }).isDisabled());
    assert.ok(await page.locator("form.checkpoints").getByRole("button", { name: "Save" }).isDisabled());
    assert.ok(await page.getByLabel("Time zone").isDisabled());
    await axe(page, "settings, staff");
    await shot(page, "console-settings-staff");
    await page.close();
  });
});

describe("real sessions (sign-in links, roles, CSRF, one merchant only)", () => {
  before(async () => {
    for (const [email, role] of [["owner@acme.example", "owner"], ["clerk@acme.example", "staff"]]) {
      const res = await api.call("POST", "/v1/merchants/acme/staff", { key, body: { email, role } });
      assert.equal(res.status, 201, res.text);
    }
  });

  test("sign in from the e-mailed link; a second use of the link is refused; sign out", async () => {
    const page = await newPage();
    await page.goto(`${system.edgeBase}/console/`);
    await page.getByLabel("Merchant id").fill("acme");
    await page.getByLabel("Work e-mail address").fill("owner@acme.example");
    await page.getByRole("button", { name: "E-mail me a sign-in link" }).click();
    await page.getByText("Check your e-mail.").waitFor();
    await axe(page, "sign-in link sent");
    await shot(page, "console-sign-in-sent");
    // An unknown address reads the same.
    const unknown = await api.call("POST", "/console/api/sign-in", { body: { merchant: "acme", email: "nobody@acme.example" } });
    assert.equal(unknown.status, 202);

    const link = await signInLink("owner@acme.example");
    await page.goto(link);
    await page.locator("header.bar").getByText("owner@acme.example").waitFor();
    assert.equal(await page.locator("header.bar .role").textContent(), "Owner");
    assert.equal(new URL(page.url()).pathname, "/console/");
    const cookie = (await page.context().cookies(system.edgeBase)).find((c) => c.name === "wm_session");
    assert.ok(cookie?.httpOnly, "the session cookie is HttpOnly");
    await page.locator("table.grid").waitFor();

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("heading", { name: "Sign in to your console" }).waitFor();
    assert.equal((await pageFetch(page, "GET", "/console/api/session")).status, 401);

    // The link works once.
    await page.goto(link);
    await page.locator(".signin .notice").waitFor();
    assert.equal((await pageFetch(page, "GET", "/console/api/session")).status, 401);
    await axe(page, "link used twice");
    await page.close();
  });

  test("an owner adds a staff member from Settings, who can then sign in", async () => {
    const page = await signedIn("owner@acme.example");
    await page.goto(`${system.edgeBase}/console/#/settings`);
    await page.locator("#staff-email").fill("packer@acme.example");
    await page.locator("form").filter({ has: page.locator("#staff-email") }).getByRole("button", { name: "Add" }).click();
    await page.getByText("packer@acme.example").waitFor();
    const list = await api.call("GET", "/v1/merchants/acme/staff", { key });
    assert.ok(list.json.staff.some((s) => s.email === "packer@acme.example" && s.role === "staff"), list.text);
    await page.close();
    const packer = await signedIn("packer@acme.example");
    assert.equal(await packer.locator("header.bar .role").textContent(), "Staff");
    await packer.close();
  });

  test("an owner's change through the console is recorded with who, when and what", async () => {
    const page = await signedIn("owner@acme.example");
    await page.goto(`${system.edgeBase}/console/#/settings`);
    await page.getByLabel("Time zone").fill("America/Chicago");
    await page.locator("form").filter({ has: page.locator("#set-zone") }).getByRole("button", { name: "Save" }).click();
    const row = page.locator("table.grid tr").filter({ hasText: "America/Chicago" });
    await row.waitFor();
    assert.match(await row.textContent(), /owner@acme\.example/);
    const settings = await api.call("GET", "/v1/merchants/acme/settings", { key });
    assert.equal(settings.json.settings.time_zone, "America/Chicago");
    await page.close();
  });

  test("CSRF: an owner's write without the session's token is refused", async () => {
    const page = await signedIn("owner@acme.example");
    const { csrf_token } = await session(page);
    const body = { checkpoints: [{ label: "Packed" }, { label: "Shipping label created" }] };
    assert.equal((await pageFetch(page, "PUT", "/v1/merchants/acme/checkpoints", { body })).status, 403, "no token");
    assert.equal((await pageFetch(page, "PUT", "/v1/merchants/acme/checkpoints", { body, csrf: "forged" })).status, 403, "a wrong token");
    const before = await api.call("GET", "/v1/merchants/acme/checkpoints", { key });
    assert.ok(!before.json.checkpoints.some((c) => c.label === "Packed"), "nothing changed");
    const ok = await pageFetch(page, "PUT", "/v1/merchants/acme/checkpoints", { body: { checkpoints: before.json.checkpoints.map(({ label }) => ({ label })) }, csrf: csrf_token });
    assert.equal(ok.status, 200, ok.text);
    await page.close();
  });

  test("staff cannot change settings, through the page or the API it calls", async () => {
    const page = await signedIn("clerk@acme.example");
    await page.goto(`${system.edgeBase}/console/#/settings`);
    await page.getByText("only an owner can change them").waitFor();
    assert.ok(await page.getByLabel("Checkpoint 1", { exact: true }).isDisabled());
    const { csrf_token, role } = await session(page);
    assert.equal(role, "staff");
    const patch = await pageFetch(page, "PATCH", "/v1/merchants/acme/settings", { body: { time_zone: "Asia/Tokyo" }, csrf: csrf_token });
    assert.equal(patch.status, 403, patch.text);
    const settings = await api.call("GET", "/v1/merchants/acme/settings", { key });
    assert.notEqual(settings.json.settings.time_zone, "Asia/Tokyo");
    // Staff read: the grid works.
    await page.goto(`${system.edgeBase}/console/#/find`);
    await page.locator("table.grid").waitFor();
    await page.close();
  });

  test("one merchant's staff cannot see another merchant's data", async () => {
    const page = await signedIn("clerk@acme.example");
    for (const path of ["/v1/merchants/globex/shipments", `/v1/merchants/globex/shipments/${shipments.globex}`, "/v1/merchants/globex/settings", "/v1/merchants/globex/shipments.csv"]) {
      const res = await pageFetch(page, "GET", path);
      assert.equal(res.status, 403, `${path}: ${res.text}`);
      assert.ok(!res.text.includes("#G1"), path);
    }
    // Another merchant's ITN through acme's own paths is simply not found.
    await page.goto(`${system.edgeBase}/console/#/shipment/${shipments.globex}`);
    await page.locator(".state.error").getByText("Not found.").waitFor();
    await axe(page, "not found");
    // Searching for it finds nothing.
    await page.goto(`${system.edgeBase}/console/#/find`);
    await page.getByRole("searchbox", { name: "Search" }).fill(shipments.globex);
    await page.getByRole("searchbox", { name: "Search" }).press("Enter");
    await page.locator(".state.empty").waitFor();
    await page.close();
  });
});
