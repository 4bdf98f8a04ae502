#!/usr/bin/env bash
# The demo: builds everything, starts the stand-in AfterShip, the real Worker in workerd
# (wrangler dev on 127.0.0.1:8787, local KV seeded with a demo merchant and shipments) and the
# demo storefront on 127.0.0.1:8788, then prints the URLs. Works offline.
# With AFTERSHIP_API_KEY set in the environment, the same Worker talks to the real AfterShip.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/env.sh
bash scripts/build.sh
exec node tests/demo.mjs
