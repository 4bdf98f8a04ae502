// The console's Find Orders with 10,000 shipments for one merchant, in headless Chromium against
// the real Worker in workerd on loopback: time from navigation to the first rows, and from
// pressing Search with a filter to the filtered rows, each as a ratio against a blank page load
// (a trivial same-origin document) measured in the same run. Medians of ROUNDS, each in a fresh
// page with a warm browser cache (a staff member's everyday visit). Figures only.
import { startSystem, stopAll } from "../lib/harness.mjs";
import { Api, provision, seedShipments } from "../lib/api.mjs";
import { launch } from "../lib/browser.mjs";

const SHIPMENTS = Number(process.env.BENCH_SHIPMENTS ?? 10000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const system = await startSystem({ edgePort: 8941, standinPort: 8942, shopPort: 8943 });
const api = new Api(system.edgeBase);
const key = await provision(api, { id: "bench", name: "Bench" });

const started = Date.now();
await seedShipments(api, "bench", key, SHIPMENTS);
const seeded = (Date.now() - started) / 1000;

await api.call("POST", "/v1/merchants/bench/staff", { key, body: { email: "owner@bench.example", role: "owner" } });
const context = await launch();
const link = (await api.call("POST", "/v1/admin/merchants/bench/sign-in-links", { key: api.admin, body: { email: "owner@bench.example" } })).json.link;
const signIn = await context.newPage();
await signIn.goto(link);
await signIn.locator("table.grid tbody tr").first().waitFor({ timeout: 60000 }).catch(() => {});
await signIn.close();

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rows = () => document.querySelectorAll("table.grid tbody tr").length;

async function blank() {
  const page = await context.newPage();
  const t0 = performance.now();
  await page.goto(`${system.edgeBase}/healthz`, { waitUntil: "load" });
  const ms = performance.now() - t0;
  await page.close();
  return ms;
}

async function firstRows() {
  const page = await context.newPage();
  const t0 = performance.now();
  await page.goto(`${system.edgeBase}/console/#/find`);
  await page.waitForFunction(rows, null, { timeout: 60000 });
  const ms = performance.now() - t0;
  return { ms, page };
}

async function filtered(page) {
  await page.locator("#find-channel").fill("amazon");
  await page.getByLabel("Ordered", { exact: true }).check();
  const before = await page.locator("table.grid tbody tr a.itn").first().textContent();
  const t0 = performance.now();
  await page.getByRole("button", { name: "Search", exact: true }).click();
  // The grid shows the filtered page: every row's channel is amazon.
  await page.waitForFunction(() => {
    const cells = [...document.querySelectorAll("table.grid tbody tr")].map((r) => r.textContent);
    return cells.length > 0 && cells.every((t) => t.includes("amazon"));
  }, null, { timeout: 60000 });
  const ms = performance.now() - t0;
  return { ms, changed: before !== null };
}

const samples = { blank: [], first: [], filter: [] };
await blank(); // warm the browser once
for (let i = 0; i < ROUNDS; i++) {
  samples.blank.push(await blank());
  const { ms, page } = await firstRows();
  samples.first.push(ms);
  samples.filter.push((await filtered(page)).ms);
  await page.close();
}
await context.close();

const base = median(samples.blank);
console.log(`\nConsole Find Orders in Chromium: ${SHIPMENTS} shipments for one merchant (seeded in ${seeded.toFixed(0)} s), ${ROUNDS} rounds, medians`);
for (const [name, xs] of [["blank page load (baseline)", samples.blank], ["navigation to the first rows", samples.first], ["Search with a filter to filtered rows", samples.filter]]) {
  console.log(`${name.padEnd(40)} ${median(xs).toFixed(0).padStart(7)} ms ${(median(xs) / base).toFixed(1).padStart(7)} × baseline`);
}
await stopAll();
