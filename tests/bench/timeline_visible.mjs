// Time from navigation to the timeline being visible, for a warm lookup of a shareable page
// against `wrangler dev`, in headless Chromium. Prints the median and spread of 15 runs.
import { startSystem, stopAll } from "../lib/harness.mjs";
import { Api, Standin, provision } from "../lib/api.mjs";
import { inTransitPreset } from "../lib/scenarios.mjs";
import { launch } from "../lib/browser.mjs";

const system = await startSystem({ edgePort: 8851, standinPort: 8852, shopPort: 8853 });
const api = new Api(system.edgeBase);
const key = await provision(api, { id: "acme", name: "Acme Outdoor" });
const itn = (await api.createShipment("acme", key, { order_ref: "#1" })).json.itn;
await new Standin(system.standinBase).preset(inTransitPreset("1Z999AA10123456784"));
await api.attach("acme", key, itn, { tracking_number: "1Z999AA10123456784" });
await api.track("acme", itn); // warm the edge's caches

const browser = await launch();
const page = await browser.newPage();
const url = `${system.edgeBase}/t/acme/${itn}`;
await page.goto(url); // warm the browser's module and wasm caches, as a returning shopper
await page.locator("waymark-tracker .wm-timeline li").first().waitFor();
const times = [];
for (let i = 0; i < 15; i++) {
  await page.goto(url);
  const ms = await page.evaluate(() => new Promise((resolve) => {
    const check = () => {
      const li = document.querySelector("waymark-tracker")?.shadowRoot?.querySelector(".wm-timeline li");
      if (li && li.getBoundingClientRect().height > 0) resolve(performance.now());
      else requestAnimationFrame(check);
    };
    check();
  }));
  times.push(ms);
}
times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)];
console.log(`timeline visible after navigation (warm, ${times.length} runs): median ${median.toFixed(0)} ms, min ${times[0].toFixed(0)} ms, max ${times.at(-1).toFixed(0)} ms; budget 300 ms -> ${median <= 300 ? "met" : "MISSED"}`);
await browser.close();
await stopAll();
process.exit(0);
