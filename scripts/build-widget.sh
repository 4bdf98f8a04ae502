#!/usr/bin/env bash
# Builds the widget: release wasm -> wasm-bindgen (web target) -> unused exports dropped ->
# wasm-opt -Oz -> minified glue. Output: www/widget/pkg/ (served by the Worker under /widget/pkg/).
# Two bundles, each complete: `waymark_widget` looks numbers up (built without the crate's
# `order` feature), `waymark_widget_order` also has order mode (the `order` attribute); the
# loader fetches the second only for an element with an `order` attribute, so a shopper
# looking up a number never downloads order mode (docs/widget-weight.md).
#
#   bash scripts/build-widget.sh [package out_dir out_name [cargo build arguments…]]
# builds another Leptos crate the same way (the size benchmark's baseline counter), or one
# bundle alone.
#
# The standard library is rebuilt for the widget alone (`-Z build-std`, through RUSTC_BOOTSTRAP on
# the pinned stable toolchain) with the `immediate-abort` panic strategy: no panic messages, no
# formatting machinery behind them (toolchain note 10); `Debug` formatting and panic locations
# compile to nothing; std's `optimize_for_size` feature picks its smaller implementations (sorting,
# formatting). It needs the `rust-src` component; without it the widget is built the
# ordinary way, larger, with a warning. Its own target directory keeps the rebuilt std apart.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
if [ $# -eq 0 ]; then
  out="$root/www/widget/pkg"
  rm -rf "$out"
  bash "$0" waymark-widget "$out" waymark_widget --no-default-features
  bash "$0" waymark-widget "$out" waymark_widget_order
  exit 0
fi
package="$1" out="$2" name="$3"
shift 3
crate="${package//-/_}"
features=(--enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals
  --enable-reference-types --enable-multivalue)
target_dir="${WIDGET_TARGET_DIR:-${CARGO_TARGET_DIR:-$root/target}/widget-std}"
if rustup component list --installed 2>/dev/null | grep -q '^rust-src'; then
  RUSTC_BOOTSTRAP=1 RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Zfmt-debug=none -Zlocation-detail=none" \
    CARGO_TARGET_DIR="$target_dir" \
    cargo build --release --target wasm32-unknown-unknown -p "$package" -Z build-std=std,panic_abort \
      -Z build-std-features=optimize_for_size "$@"
else
  echo "build-widget: rust-src is not installed (rustup component add rust-src); building without build-std" >&2
  target_dir="${CARGO_TARGET_DIR:-$root/target}"
  cargo build --release --target wasm32-unknown-unknown -p "$package" "$@"
fi
mkdir -p "$out"
rm -f "$out/$name.js" "$out/${name}_bg.wasm"
wasm-bindgen --target web --no-typescript --out-dir "$out" --out-name "$name" \
  "$target_dir/wasm32-unknown-unknown/release/$crate.wasm"

# Leptos always links server_fn's streaming classes (wasm-streams' IntoUnderlying{Source,ByteSource,
# Sink}); a client-side widget with no server functions never creates one. Their exports keep
# their code alive, so drop the exports (wasm-metadce, with every other export as a root) and
# their classes from the glue. Skipped, with a note, if the glue does not look as expected.
node - "$out/$name.js" "$out/${name}_bg.wasm" "$out/graph.json" <<'JS'
const fs = require("fs");
const [glue, wasm, graph] = process.argv.slice(2);
const exports = WebAssembly.Module.exports(new WebAssembly.Module(fs.readFileSync(wasm))).map((e) => e.name);
const unused = (n) => /intounderlying/i.test(n);
let js = fs.readFileSync(glue, "utf8");
const stripped = js
  .replace(/^export class IntoUnderlying\w+ \{\n[\s\S]*?\n\}\n/gm, "")
  .replace(/^if \(Symbol\.dispose\) IntoUnderlying\w+\.prototype\[Symbol\.dispose\] = .*\n/gm, "")
  .replace(/^const IntoUnderlying\w+Finalization = [\s\S]*?\);\n/gm, "");
if (!exports.some(unused) || /intounderlying/i.test(stripped)) {
  console.error("build-widget: streaming classes not found as expected; kept");
  process.exit(0);
}
fs.writeFileSync(glue, stripped);
fs.writeFileSync(graph, JSON.stringify([
  { name: "js", root: true, reaches: exports.filter((n) => !unused(n)).map((n) => `export:${n}`) },
  ...exports.map((n) => ({ name: `export:${n}`, export: n })),
]));
JS
if [ -f "$out/graph.json" ]; then
  "$root/node_modules/binaryen/bin/wasm-metadce" "${features[@]}" --graph-file "$out/graph.json" \
    "$out/${name}_bg.wasm" -o "$out/${name}_bg.wasm" >/dev/null
  rm "$out/graph.json"
fi
# Beyond a plain -Oz (docs/widget-weight.md has each step's bytes): the control flow is flattened
# and re-looped first, two -Oz rounds run until nothing shrinks, and custom sections go.
"$root/node_modules/binaryen/bin/wasm-opt" "${features[@]}" --flatten --rereloop -Oz -Oz --converge \
  --strip-debug --strip-producers --strip-target-features "$out/${name}_bg.wasm" -o "$out/${name}_bg.wasm"
"$root/node_modules/.bin/esbuild" "$out/$name.js" --minify --format=esm --log-level=warning \
  --outfile="$out/$name.min.js"
mv "$out/$name.min.js" "$out/$name.js"

# wasm-bindgen names every import and export after its Rust path and a hash (`__wbg_then_656f…`,
# `wasm_bindgen_…convert__closures…invoke…`), and each name is in both the wasm and the glue:
# about 5 KB of mostly incompressible text. wasm-opt renames them to one or two letters and says
# how; the glue is then rewritten to match (its import object's keys, and its `<exports>.name`
# reads). Every old name must be found, or the unminified pair is kept, with a note.
"$root/node_modules/binaryen/bin/wasm-opt" "${features[@]}" --minify-imports-and-exports-and-modules \
  "$out/${name}_bg.wasm" -o "$out/${name}_bg.min.wasm" >"$out/names.json"
node - "$out/$name.js" "$out/${name}_bg.wasm" "$out/${name}_bg.min.wasm" "$out/names.json" <<'JS'
const fs = require("fs");
const [glue, wasm, minified, names] = process.argv.slice(2);
const map = JSON.parse(fs.readFileSync(names, "utf8"));
const module = new WebAssembly.Module(fs.readFileSync(minified));
let js = fs.readFileSync(glue, "utf8");
const escape = (s) => s.replace(/[$]/g, "\\$");
const plain = (s) => /^[A-Za-z_$][\w$]*$/.test(s);
const fail = (why) => {
  console.error(`build-widget: names not minified (${why})`);
  fs.rmSync(minified);
  process.exit(0);
};
// The imports: one module (the glue), renamed to the one module the minified wasm asks for.
const modules = new Set(map.imports.map(([m]) => m));
const newModules = new Set(WebAssembly.Module.imports(module).map((i) => i.module));
if (modules.size !== 1 || newModules.size !== 1) fail("not one import module");
const [oldModule] = modules, [newModule] = newModules;
const quoted = JSON.stringify(oldModule) + ":";
if (js.split(quoted).length !== 2) fail("import module not found once");
js = js.replace(quoted, JSON.stringify(newModule) + ":");
for (const [, from, to] of map.imports) {
  const key = new RegExp(`\\b${escape(from)}:`, "g");
  if ((js.match(key) || []).length !== 1) fail(`import ${from}`);
  js = js.replace(key, `${plain(to) ? to : JSON.stringify(to)}:`);
}
// The exports, read as `<exports>.name` through one variable, the one that calls the start export.
const start = js.match(/([\w$]+)\.__wbindgen_start\b/);
if (!start) fail("no start export");
const exports = start[1];
for (const [from, to] of map.exports) {
  const read = new RegExp(`\\b${escape(exports)}\\.${escape(from)}\\b`, "g");
  js = js.replace(read, plain(to) ? `${exports}.${to}` : `${exports}[${JSON.stringify(to)}]`);
  if (new RegExp(`\\.${escape(from)}\\b`).test(js)) fail(`export ${from} read otherwise`);
}
for (const { name } of WebAssembly.Module.exports(new WebAssembly.Module(fs.readFileSync(wasm)))) {
  if (new RegExp(`["']${escape(name)}["']`).test(js)) fail(`export ${name} read by its name`);
}
fs.writeFileSync(glue, js);
fs.renameSync(minified, wasm);
JS
rm -f "$out/names.json" "$out/${name}_bg.min.wasm"
