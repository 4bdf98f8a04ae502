#!/usr/bin/env bash
# Builds the edge Worker with worker-build, using local wasm-bindgen / wasm-opt / esbuild so
# nothing is downloaded (toolchain note 2). Called by scripts/build.sh.
set -euo pipefail
# The harness builds once up front and sets this so `wrangler dev` does not rebuild.
if [ -n "${WAYMARK_SKIP_BUILD:-}" ] && [ -f "$(dirname "$0")/../edge/build/index.js" ]; then exit 0; fi
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export WASM_BINDGEN_BIN="${WASM_BINDGEN_BIN:-$(command -v wasm-bindgen)}"
export WASM_OPT_BIN="${WASM_OPT_BIN:-$root/node_modules/binaryen/bin/wasm-opt}"
export ESBUILD_BIN="${ESBUILD_BIN:-$root/node_modules/.bin/esbuild}"
export XDG_CACHE_HOME="${XDG_CACHE_HOME:-$root/.cache}"
cd edge
worker-build --release
