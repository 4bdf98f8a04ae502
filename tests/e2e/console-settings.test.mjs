// The console's settings editors in headless Chromium against the real Worker in workerd,
// signed in through real sessions (the owner from the e-mailed link, staff from a link the
// admin mints): the business calendar (days, hours, holidays, fixed refresh times, which TN
// shoppers see first) read back through the API; a change the server refuses shows its
// message and changes nothing; endpoint event filters; removing an endpoint, a recipient and a
// channel behind a confirm step; a Shopify store's token (never shown back); the live widget
// preview beside the embed snippet; staff see every control disabled; axe-core in each state;
// 375 px without sideways scroll, in Arabic too.
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, copyFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { startSystem, stopAll, ROOT } from "../lib/harness.mjs";
import { Api, provision } from "../lib/api.mjs";
import { launch, screenshot, ARTIFACTS } from "../lib/browser.mjs";

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const SCREENSHOTS = path.join(ROOT, "docs", "screenshots");

let system, api, key, owner, staff;
const TOKEN = "shpat_console_secret_0123456789";

before(async () => {
  system = await startSystem({ edgePort: 9091, standinPort: 9092, shopPort: 9093 });
  api = new Api(system.edgeBase);
  key = await provision(api, { id: "acme", name: "Acme Outdoor", allowed_origins: [system.shopBase] });
  for (const [email, role] of [["owner@acme.example", "owner"], ["clerk@acme.example", "staff"]]) {
    const res = await api.call("POST", "/v1/merchants/acme/staff", { key, body: { email, role } });
    assert.equal(res.status, 201, res.text);
  }
  // Two browsers, two sessions: the owner's and the clerk's.
  owner = await launch();
  staff = await launch();
});
after(async () => {
  await owner?.close();
  await staff?.close();
  await stopAll();
});

async function newPage(context, { width = 1000 } = {}) {
  const page = await context.newPage();
  await page.setViewportSize({ width, height: 900 });
  page.errors = [];
  page.on("pageerror", (e) => page.errors.push(e.message));
  return page;
}

/** axe-core over the page and its frames (the live preview's widget included). */
async function axe(page, what) {
  for (const frame of page.frames()) await frame.evaluate(AXE_SOURCE);
  const result = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ["violations"] });
    return r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  });
  assert.deepEqual(result, [], `axe-core violations (${what})`);
}

/** Saves a screenshot to tests/artifacts and, for the README, to docs/screenshots (names of
 *  this file's own: console.test.mjs writes the other console-settings-*.png). */
async function shot(page, name) {
  await screenshot(page, name);
  mkdirSync(SCREENSHOTS, { recursive: true });
  copyFileSync(path.join(ARTIFACTS, `${name}.png`), path.join(SCREENSHOTS, `${name}.png`));
}

/** The e-mails wrangler dev stored (as console.test.mjs reads them). */
function mailbox() {
  const plain = system.edge.output.replace(/\x1b\[[0-9;]*m/g, "");
  const found = [];
  for (const m of plain.matchAll(/From: [^\n]*\nTo: ([^\n]*)\nSubject: ([^\n]*)\n\nText: (\S+)/g)) {
    found.push({ to: m[1].trim(), subject: m[2].trim(), text: readFileSync(m[3], "utf8") });
  }
  return found;
}

async function signInLink(email) {
  const deadline = Date.now() + 30000;
  while (Date.now() < deadline) {
    const mails = mailbox().filter((m) => m.to.toLowerCase().includes(email) && m.subject.startsWith("Sign in to Waymark"));
    if (mails.length) return mails.at(-1).text.match(/http\S+\/console\/sign-in\?\S+/)[0];
    await new Promise((r) => setTimeout(r, 100)); // poll interval, not a synchronisation sleep
  }
  assert.fail(`no sign-in e-mail to ${email}`);
}

async function noHorizontalScroll(page) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px`);
}

const settings = async () => (await api.call("GET", "/v1/merchants/acme/settings", { key })).json.settings;

async function openSettings(context, options) {
  const page = await newPage(context, options);
  await page.goto(`${system.edgeBase}/console/#/settings`);
  await page.locator("#set-zone").waitFor();
  await page.locator("ul.channels, #ch-title ~ .state.empty").first().waitFor();
  return page;
}

const calendar = (page) => page.locator("form.calendar");

describe("settings editors (real sessions)", () => {
  test("the owner signs in from the e-mailed link", async () => {
    const page = await newPage(owner);
    await page.goto(`${system.edgeBase}/console/`);
    await page.getByLabel("Merchant id").fill("acme");
    await page.getByLabel("Work e-mail address").fill("owner@acme.example");
    await page.getByRole("button", { name: "E-mail me a sign-in link" }).click();
    await page.getByText("Check your e-mail.").waitFor();
    await page.goto(await signInLink("owner@acme.example"));
    await page.locator("header.bar").getByText("owner@acme.example").waitFor();
    await page.close();

    const minted = await api.call("POST", "/v1/admin/merchants/acme/sign-in-links", { key: api.admin, body: { email: "clerk@acme.example" } });
    assert.equal(minted.status, 201, minted.text);
    const clerk = await newPage(staff);
    await clerk.goto(minted.json.link);
    await clerk.locator("header.bar").getByText("clerk@acme.example").waitFor();
    await clerk.close();
  });

  test("business days, holidays, fixed refresh times and the TN shown first, read back", async () => {
    const page = await openSettings(owner);
    const stored = await settings();
    for (const day of ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]) {
      assert.equal(await page.locator(`#set-day-${day}`).isChecked(), stored.business_days.includes(day), day);
    }
    assert.equal(await page.locator("#set-open").inputValue(), stored.business_hours.open, "hours prefilled");
    assert.ok(await page.locator("#set-zone-list option[value='Europe/Paris']").count() === 1, "time zones suggested");
    assert.equal(await page.getByLabel("Saturday", { exact: true }).count(), 1, "weekday names in full");
    assert.equal(await page.locator("code").filter({ hasText: "business_days" }).count(), 0, "no raw JSON");

    await page.getByLabel("Monday", { exact: true }).uncheck();
    await page.getByLabel("Saturday", { exact: true }).check();
    for (const date of ["2026-12-25", "2027-01-01", "2026-07-14"]) {
      await page.getByLabel("Holiday to add").fill(date);
      await page.getByRole("button", { name: "Add holiday" }).click();
    }
    // A repeat is caught before any request.
    await page.getByLabel("Holiday to add").fill("2026-12-25");
    await page.getByRole("button", { name: "Add holiday" }).click();
    await calendar(page).getByText("That is already in the list.").waitFor();
    await page.getByRole("button", { name: /Remove the holiday .*July 14, 2026/ }).click();
    assert.equal(await calendar(page).locator("ul.chips time[datetime]").count(), 2);

    await page.getByLabel("At fixed times of day").check();
    for (const time of ["18:00", "09:30", "13:15"]) {
      await page.getByLabel("Time to add").fill(time);
      await page.getByRole("button", { name: "Add time" }).click();
    }
    await page.getByRole("button", { name: "Remove the refresh at 13:15" }).click();
    await page.getByLabel("The last-mile carrier's number (local)").check();
    // The trade-off is explained beside each choice.
    assert.match(await page.locator("#set-tn-local-hint").textContent(), /last-mile|delivers/);
    await axe(page, "calendar being edited");
    await shot(page, "console-settings-schedule");

    await calendar(page).getByRole("button", { name: "Save" }).click();
    await calendar(page).getByText("Saved.").waitFor();
    const after = await settings();
    assert.deepEqual(after.business_days, stored.business_days.filter((d) => d !== "mon").concat(stored.business_days.includes("sat") ? [] : ["sat"])
      .sort((a, b) => ["mon", "tue", "wed", "thu", "fri", "sat", "sun"].indexOf(a) - ["mon", "tue", "wed", "thu", "fri", "sat", "sun"].indexOf(b)));
    assert.deepEqual(after.holidays, ["2026-12-25", "2027-01-01"]);
    assert.deepEqual(after.refresh_schedule, { at: ["09:30", "18:00"] });
    assert.equal(after.tracking_number_display, "local");

    // Reloaded, the editors show what is stored.
    await page.reload();
    await page.locator("#set-zone").waitFor();
    assert.ok(await page.locator("#set-refresh-at").isChecked());
    assert.deepEqual(await calendar(page).locator("ul.chips li time:not([datetime])").allTextContents(), ["09:30", "18:00"]);
    assert.ok(await page.locator("#set-tn-local").isChecked());
    assert.ok(await page.locator("#set-day-sat").isChecked());
    assert.ok(!(await page.locator("#set-day-mon").isChecked()));
    // The history records it.
    await page.getByRole("cell", { name: "refresh_schedule" }).first().waitFor();
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  test("a change the server refuses shows its message and changes nothing", async () => {
    const page = await openSettings(owner);
    const before = await settings();
    await page.getByLabel("Opens at").fill("18:00");
    await page.getByLabel("Closes at").fill("09:00");
    await page.getByLabel("Every few hours").check();
    await page.getByLabel("Refresh every (hours)").fill("4");
    await calendar(page).getByRole("button", { name: "Save" }).click();
    const error = calendar(page).locator(".save-status p.error");
    await error.waitFor();
    const text = await error.textContent();
    assert.match(text, /^Waymark refused this change\. \S/, text);
    assert.deepEqual(await settings(), before, "a refused patch changes nothing");
    await axe(page, "refused change");
    await page.close();
  });

  test("an endpoint with an event filter is listed with it, and removed after a confirm step", async () => {
    const page = await openSettings(owner);
    await page.getByLabel("Endpoint URL").fill("https://hooks.acme.example/filtered");
    await page.locator("#wh-ev-shipment-delivered").check();
    await page.locator("#wh-ev-channel-conflict").check();
    await page.getByRole("button", { name: "Add endpoint" }).click();
    await page.getByText("Signing secret, shown only now").waitFor();
    const item = page.locator("ul.endpoints li").filter({ hasText: "https://hooks.acme.example/filtered" });
    await item.getByText("Receives: Delivered, Channel: conflict").waitFor();
    const listed = await api.call("GET", "/v1/merchants/acme/webhook-endpoints", { key });
    const endpoint = listed.json.endpoints.find((e) => e.url === "https://hooks.acme.example/filtered");
    assert.deepEqual(endpoint.events, ["shipment.delivered", "channel.conflict"]);
    // Every box is unticked again for the next endpoint.
    assert.ok(!(await page.locator("#wh-ev-shipment-delivered").isChecked()));

    // Remove: the button turns into Confirm / Cancel, focus moves to Confirm; Escape cancels.
    const remove = page.getByRole("button", { name: "Remove https://hooks.acme.example/filtered" });
    await remove.click();
    const confirm = page.getByRole("button", { name: "Confirm remove: https://hooks.acme.example/filtered" });
    await confirm.waitFor();
    await page.waitForFunction(() => document.activeElement?.getAttribute("aria-label")?.startsWith("Confirm remove:"));
    await axe(page, "confirm step");
    await page.keyboard.press("Escape");
    await remove.waitFor();
    await page.waitForFunction(() => document.activeElement?.getAttribute("aria-label") === "Remove https://hooks.acme.example/filtered");
    assert.equal((await api.call("GET", "/v1/merchants/acme/webhook-endpoints", { key })).json.endpoints.length, 1, "nothing removed yet");
    // By keyboard: Enter on Remove, Enter on Confirm.
    await page.keyboard.press("Enter");
    await confirm.waitFor();
    await page.keyboard.press("Enter");
    await item.waitFor({ state: "detached" });
    await page.locator("#wh-title ~ .state.empty").getByText("No endpoint yet.").waitFor();
    // Focus goes back to the section's heading, not to the page's start.
    await page.waitForFunction(() => document.activeElement?.id === "wh-title");
    assert.deepEqual((await api.call("GET", "/v1/merchants/acme/webhook-endpoints", { key })).json.endpoints, []);
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  test("an alert recipient and a channel are removed after a confirm step", async () => {
    const added = await api.call("POST", "/v1/merchants/acme/alert-recipients", { key, body: { email: "night@acme.example", alerts: ["refused"] } });
    assert.equal(added.status, 201, added.text);
    const channel = await api.call("PUT", "/v1/merchants/acme/channels/amazon", { key, body: { confirm: "on_movement" } });
    assert.equal(channel.status, 200, channel.text);
    const page = await openSettings(owner);
    await page.getByText("night@acme.example").waitFor();
    await page.locator("li").filter({ hasText: "night@acme.example" }).getByText("Refused by the customer").waitFor();
    await page.getByRole("button", { name: "Remove night@acme.example" }).click();
    await page.getByRole("button", { name: "Confirm remove: night@acme.example" }).click();
    await page.getByText("night@acme.example").waitFor({ state: "detached" });
    assert.deepEqual((await api.call("GET", "/v1/merchants/acme/alert-recipients", { key })).json.recipients, []);

    const row = page.locator("ul.channels li").filter({ hasText: "amazon" });
    // Amazon keeps the first number it is sent: its lock cannot be turned off.
    assert.ok(await row.getByLabel("Lock the first confirmed tracking number").isDisabled());
    await row.getByText("the lock stays on").waitFor();
    await page.getByRole("button", { name: "Remove amazon" }).click();
    await page.getByRole("button", { name: "Confirm remove: amazon" }).click();
    await row.waitFor({ state: "detached" });
    const channels = (await api.call("GET", "/v1/merchants/acme/channels", { key })).json.channels;
    assert.ok(!channels.some((c) => c.channel === "amazon"), JSON.stringify(channels));
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  test("a Shopify store's token is set, shown only as connected, never in the page", async () => {
    const page = await openSettings(owner);
    await page.getByLabel("Store domain").fill("Acme-Outdoor");
    await page.getByLabel("Admin API access token").fill(TOKEN);
    await page.locator("#shop-policy").selectOption("on_movement");
    await page.getByRole("button", { name: "Connect store" }).click();
    const row = page.locator("ul.channels li").filter({ hasText: "shopify:acme-outdoor.myshopify.com" });
    await row.getByText("Connected", { exact: true }).waitFor();
    assert.equal(await page.getByLabel("Admin API access token").inputValue(), "", "the field is emptied");
    const view = await api.call("GET", "/v1/merchants/acme/channels/shopify:acme-outdoor.myshopify.com", { key });
    assert.equal(view.json.connected, true, view.text);
    assert.equal(view.json.confirm, "on_movement");
    assert.ok(!view.text.includes(TOKEN));
    // The row: a new token is a password field; the store's notification and lock options.
    assert.equal(await row.locator("input[type=password]").count(), 1);
    await row.getByLabel("The store e-mails the customer").waitFor();
    assert.equal(await row.getByLabel("Deadlines follow business hours").isChecked(), view.json.deadlines_follow_business_hours);
    const lock = row.getByLabel("Lock the first confirmed tracking number");
    if (view.json.lock_optional) {
      assert.ok(await lock.isEnabled());
      await lock.setChecked(!view.json.lock_after_confirmation);
      await row.getByRole("button", { name: "Save" }).click();
      await page.locator("#ch-title ~ .save-status").getByText("Saved.").waitFor();
      const changed = await api.call("GET", "/v1/merchants/acme/channels/shopify:acme-outdoor.myshopify.com", { key });
      assert.equal(changed.json.lock_after_confirmation, !view.json.lock_after_confirmation, changed.text);
      assert.equal(changed.json.connected, true, "saving the policy keeps the token");
    }
    const html = await page.content();
    assert.ok(!html.includes(TOKEN), "the token never appears in the page");
    // Nor in any field (an input's value is a property, not in the HTML).
    const values = await page.locator("input").evaluateAll((inputs) => inputs.map((i) => i.value));
    assert.ok(!values.some((v) => v.includes(TOKEN)), "no field keeps the token");
    const history = await api.call("GET", "/v1/merchants/acme/settings", { key });
    assert.ok(!history.text.includes(TOKEN));
    await axe(page, "Shopify store connected");
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  test("the live preview is the real widget, loaded by the snippet, looking a number up", async () => {
    const itn = (await api.createShipment("acme", key, { order_ref: "#2001" })).json.itn;
    const page = await openSettings(owner);
    const snippet = await page.locator("#embed-snippet").textContent();
    const frame = page.frameLocator("iframe.widget-frame");
    assert.equal(await page.locator("iframe.widget-frame").getAttribute("title"), "Preview of the tracking widget");
    const srcdoc = await page.locator("iframe.widget-frame").getAttribute("srcdoc");
    assert.ok(srcdoc.includes(snippet), "the frame's document is the snippet");
    // The widget's own lookup form, inside the frame (and its Shadow DOM).
    await frame.locator("waymark-tracker input").first().waitFor();
    await page.getByLabel("Number to preview").fill(itn);
    await page.getByRole("button", { name: "Preview", exact: true }).click();
    await frame.locator("waymark-tracker").getByText("Merchandise located and reserved").first().waitFor();
    const scripts = await page.evaluate(() => [...document.scripts].map((s) => s.src));
    assert.ok(!scripts.some((s) => s.includes("/widget/")), "the console page itself never loads the widget");
    await page.locator("#embed-title").scrollIntoViewIfNeeded();
    await axe(page, "preview");
    await shot(page, "console-settings-preview");
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  test("staff see all of it, every control disabled", async () => {
    await api.call("POST", "/v1/merchants/acme/webhook-endpoints", { key, body: { url: "https://hooks.acme.example/staff-view", events: ["shipment.refused"] } });
    await api.call("POST", "/v1/merchants/acme/alert-recipients", { key, body: { email: "desk@acme.example", alerts: ["stalled"] } });
    const page = await openSettings(staff);
    await page.getByText("only an owner can change them").waitFor();
    await page.getByText("https://hooks.acme.example/staff-view").waitFor();
    await page.getByText("desk@acme.example").waitFor();
    const controls = ["#set-day-mon", "#set-open", "#set-holiday", "#set-refresh-at", "#set-refresh-every", "#set-tn-local",
      "#wh-url", "#wh-ev-shipment-delivered", "#shop-domain", "#shop-token", "#shop-policy", "#ch-new"];
    for (const selector of controls) assert.ok(await page.locator(selector).isDisabled(), `${selector} is disabled`);
    for (const name of ["Remove https://hooks.acme.example/staff-view", "Remove desk@acme.example", "Remove shopify:acme-outdoor.myshopify.com", "Add holiday", "Add endpoint", "Connect store"]) {
      assert.ok(await page.getByRole("button", { name }).isDisabled(), `${name} is disabled`);
    }
    for (const button of await calendar(page).getByRole("button").all()) assert.ok(await button.isDisabled());
    // The preview is a view, not a setting: staff use it too.
    assert.ok(await page.getByLabel("Number to preview").isEnabled());
    await axe(page, "settings, staff");
    await shot(page, "console-settings-editors-staff");
    await page.close();
  });

  test("at 375 px nothing scrolls sideways, in English and in Arabic (right to left)", async () => {
    const page = await openSettings(owner, { width: 375 });
    await noHorizontalScroll(page);
    await axe(page, "settings at 375 px");
    await page.goto(`${system.edgeBase}/console/?lang=ar#/settings`);
    await page.locator("#set-zone").waitFor();
    await page.locator("ul.channels").waitFor();
    assert.equal(await page.getAttribute("html", "dir"), "rtl");
    await page.getByText("الاثنين").first().waitFor();
    const srcdoc = await page.locator("iframe.widget-frame").getAttribute("srcdoc");
    assert.match(srcdoc, /<html lang="ar" dir="rtl">/);
    await noHorizontalScroll(page);
    await axe(page, "settings at 375 px in Arabic");
    await shot(page, "console-settings-ar-phone");
    // Back to English for anything after this (the choice is remembered).
    await page.goto(`${system.edgeBase}/console/?lang=en#/settings`);
    await page.locator("#set-zone").waitFor();
    await page.close();
  });
});
