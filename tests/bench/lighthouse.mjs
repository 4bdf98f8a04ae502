// Lighthouse (npm `lighthouse`, its defaults: mobile form factor, simulated throttling, performance
// category) on Debian's Chromium, against the real system on loopback: the demo storefront
// deep-linked to an in-transit shipment (`/index.html?number=<ITN>`, the link the loader writes
// into the URL after a lookup) and the shareable page `/t/acme/<ITN>`. Prints the performance
// score, CLS, LCP, TBT and FCP of each page, and the elements that shifted. Figures only: no
// assertion on them (the layout-shift test is tests/e2e/layout.test.mjs).
// Requires Node >= 22.19 (source scripts/env.sh puts the pinned Node 22 first on PATH).
// WAYMARK_LIGHTHOUSE_RUNS=n runs each page n times (default 3) and prints every run and the median.
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { startSystem, stopAll, ROOT } from "../lib/harness.mjs";
import { Api, Standin, provision } from "../lib/api.mjs";
import { inTransitPreset } from "../lib/scenarios.mjs";

const runs = Number(process.env.WAYMARK_LIGHTHOUSE_RUNS ?? 3);
const chrome = process.env.CHROME_PATH ?? "/usr/bin/chromium";
const out = path.join(ROOT, "tests", "artifacts", "lighthouse");
mkdirSync(out, { recursive: true });

const system = await startSystem({ edgePort: 8961, standinPort: 8962, shopPort: 8963 });
const api = new Api(system.edgeBase);
const key = await provision(api, { id: "acme", name: "Acme Outdoor", allowed_origins: [system.shopBase] });
const itn = (await api.createShipment("acme", key, { order_ref: "#1" })).json.itn;
await api.event("acme", key, itn, { checkpoint: 0, at: new Date(Date.now() - 40 * 3600e3).toISOString() });
await api.event("acme", key, itn, { checkpoint: 1, at: new Date(Date.now() - 35 * 3600e3).toISOString() });
const tn = "1Z999AA10123456784";
await new Standin(system.standinBase).preset(inTransitPreset(tn));
await api.attach("acme", key, itn, { tracking_number: tn });
await api.track("acme", itn); // the carrier's answer is cached at the edge, as for a returning shopper

const pages = [
  ["storefront, deep-linked", `${system.shopBase}/index.html?number=${encodeURIComponent(itn)}`],
  ["/t/ page", `${system.edgeBase}/t/acme/${itn}`],
];

const lighthouse = path.join(ROOT, "node_modules", ".bin", "lighthouse");
function audit(url, file) {
  const args = [url, `--chrome-flags=--headless=new --no-sandbox --disable-gpu --no-first-run`,
    "--only-categories=performance", "--output=json", `--output-path=${file}`, "--quiet"];
  const run = spawnSync(lighthouse, args, { env: { ...process.env, CHROME_PATH: chrome }, encoding: "utf8" });
  if (run.status !== 0) throw new Error(`lighthouse failed (${run.status}):\n${run.stderr}`);
  const report = JSON.parse(readFileSync(file, "utf8"));
  if (report.runtimeError) throw new Error(`lighthouse: ${report.runtimeError.message}`);
  const value = (id) => report.audits[id]?.numericValue;
  const shifts = (report.audits["layout-shifts"]?.details?.items ?? [])
    .map((item) => `${item.node?.selector ?? item.node?.nodeLabel ?? "?"} ${Number(item.score).toFixed(3)}`);
  return {
    score: Math.round(report.categories.performance.score * 100),
    cls: value("cumulative-layout-shift"),
    lcp: value("largest-contentful-paint"),
    tbt: value("total-blocking-time"),
    fcp: value("first-contentful-paint"),
    lcpElement: report.audits["largest-contentful-paint-element"]?.details?.items?.[0]?.items?.[0]?.node?.selector,
    shifts,
  };
}

const line = (r) => `performance ${String(r.score).padStart(3)}  CLS ${r.cls.toFixed(3)}  LCP ${(r.lcp / 1000).toFixed(2)} s  TBT ${Math.round(r.tbt)} ms  FCP ${(r.fcp / 1000).toFixed(2)} s`;
console.log(`Lighthouse ${JSON.parse(readFileSync(path.join(ROOT, "node_modules", "lighthouse", "package.json"), "utf8")).version}, mobile, simulated throttling, ${chrome}; ${runs} run(s) per page`);
for (const [name, url] of pages) {
  const results = [];
  for (let i = 0; i < runs; i++) {
    const r = audit(url, path.join(out, `${name.replace(/[^a-z]+/gi, "-")}-${i + 1}.json`));
    results.push(r);
    console.log(`  ${name} #${i + 1}: ${line(r)}${r.shifts.length ? `\n      shifted: ${r.shifts.join("; ")}` : ""}${r.lcpElement ? `\n      LCP element: ${r.lcpElement}` : ""}`);
  }
  const median = (key) => results.map((r) => r[key]).sort((a, b) => a - b)[Math.floor(results.length / 2)];
  console.log(`${name} (${url.replace(itn, "<ITN>")}), median: ${line({ score: median("score"), cls: median("cls"), lcp: median("lcp"), tbt: median("tbt"), fcp: median("fcp") })}`);
}
await stopAll();
process.exit(0);
