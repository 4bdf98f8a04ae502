#!/usr/bin/env bash
# Property-based tests of the HTTP API against its reference, docs/openapi.yaml: Schemathesis
# drives the real Worker (workerd via `wrangler dev`, with the stand-in AfterShip) through every
# operation in every phase (examples, coverage, fuzzing, stateful) with every check on, as the
# admin, as a merchant with a real key, and anonymously on the public routes.
#
# Needs the Worker and the widget built already (bash scripts/build.sh, as the test suite does).
# Installs Schemathesis (pinned) into .venv-schemathesis/ on first use; needs python3 with venv
# (Debian: apt-get install -y python3-venv). Exits non-zero on any failure.
#
# Environment: ST_MAX_EXAMPLES (default 50: about 2 to 3 minutes in all on 2 cores),
# ST_SEED (default 20261122), ST_WORKERS (default 1: one worker keeps a seed's run deterministic).
# Reports (JUnit, and the server's log) go to tests/artifacts/schemathesis/.
set -euo pipefail
cd "$(dirname "$0")/../.."
root="$(pwd)"

SCHEMATHESIS_VERSION=4.32.5 # also pinned, with every dependency, in requirements.txt
venv="$root/.venv-schemathesis"
requirements="$root/tests/schemathesis/requirements.txt"
out="$root/tests/artifacts/schemathesis"
max_examples="${ST_MAX_EXAMPLES:-50}"
seed="${ST_SEED:-20261122}"
workers="${ST_WORKERS:-1}"

# wrangler's build command (scripts/build.sh) is skipped only when both wasm builds exist.
for built in edge/build/index.js www/widget/pkg/waymark_widget_bg.wasm; do
  if [ ! -f "$built" ]; then
    echo "run.sh: build first (bash scripts/build.sh): $built is missing" >&2
    exit 2
  fi
done

# (Re)install when the virtualenv is missing or was made from another requirements.txt.
stamp="$venv/.waymark-requirements"
if [ ! -x "$venv/bin/schemathesis" ] || ! cmp -s "$requirements" "$stamp"; then
  echo "run.sh: installing schemathesis==$SCHEMATHESIS_VERSION into $venv"
  if ! python3 -m venv "$venv"; then
    echo "run.sh: python3 -m venv failed; on Debian install it with: apt-get install -y python3-venv" >&2
    exit 2
  fi
  "$venv/bin/python" -m pip install --quiet -r "$requirements"
  cp "$requirements" "$stamp"
fi
"$venv/bin/schemathesis" --version | grep -qx "schemathesis, version $SCHEMATHESIS_VERSION"

# Node 22 and wrangler from node_modules, and wrangler kept off the network.
source scripts/env.sh

port_open() { (exec 3<>/dev/tcp/127.0.0.1/8851) 2>/dev/null; }
if port_open; then
  echo "run.sh: port 8851 is in use (another run, or a demo on these ports?)" >&2
  exit 1
fi
mkdir -p "$out"
serve_log="$out/serve.log"
: >"$serve_log"
node tests/schemathesis/serve.mjs >"$serve_log" 2>&1 &
serve_pid=$!
stop_server() {
  if kill -0 "$serve_pid" 2>/dev/null; then
    kill -TERM "$serve_pid" 2>/dev/null || true
    wait "$serve_pid" 2>/dev/null || true
  fi
  # serve.mjs stops its children on exit; give workerd a few seconds to let go of the port.
  local until=$((SECONDS + 15))
  while port_open && [ "$SECONDS" -lt "$until" ]; do sleep 0.2; done
}
trap stop_server EXIT

# Wait for serve.mjs to print READY (it polls the services itself), or for it to fail.
deadline=$((SECONDS + 180))
until grep -qx READY "$serve_log"; do
  if ! kill -0 "$serve_pid" 2>/dev/null; then
    echo "run.sh: the system did not start:" >&2
    cat "$serve_log" >&2
    exit 1
  fi
  if [ "$SECONDS" -ge "$deadline" ]; then
    echo "run.sh: the system did not start within 180 s:" >&2
    cat "$serve_log" >&2
    exit 1
  fi
  sleep 0.2 # poll interval
done
while IFS='=' read -r name value; do
  case "$name" in WAYMARK_*) export "$name=$value" ;; esac
done < <(grep -E '^WAYMARK_[A-Z_]+=' "$serve_log")

echo "run.sh: system up at $WAYMARK_URL; running schemathesis $SCHEMATHESIS_VERSION (seed $seed, max examples $max_examples)"
status=0
"$venv/bin/schemathesis" --config-file tests/schemathesis/schemathesis.toml run docs/openapi.yaml \
  --url "$WAYMARK_URL" \
  --checks all \
  --phases examples,coverage,fuzzing,stateful \
  --max-examples "$max_examples" \
  --seed "$seed" \
  --workers "$workers" \
  --continue-on-failure \
  --report junit --report-dir "$out" \
  --no-color "$@" || status=$?
exit "$status"
