#!/usr/bin/env bash
# Fuzzes the AfterShip payload parser (+ merge) and the identifier parsers with cargo-fuzz.
# The machine has only stable Rust: RUSTC_BOOTSTRAP lets cargo-fuzz pass its -Z flags, and
# `-s none` skips AddressSanitizer (the code under test is safe Rust; what we look for are
# panics). Seeds: the recorded AfterShip payloads. Usage: scripts/fuzz.sh [seconds per target]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root/shared/fuzz"
seconds="${1:-300}"
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
mkdir -p corpus/aftership_payload corpus/identifiers
for f in "$root"/tests/fixtures/aftership/v4/*.json; do
  [ "$(wc -c <"$f")" -lt 20000 ] && cp "$f" corpus/aftership_payload/
done
printf 'WM-7K3M-9QZP-2XHD-RQ' > corpus/identifiers/itn
printf '2026-11-21T16:58:00+08:00' > corpus/identifiers/time
printf ' 1z999 aa1 0123456784 ' > corpus/identifiers/tn
export RUSTC_BOOTSTRAP=1
cargo fuzz run -s none aftership_payload corpus/aftership_payload -- -max_total_time="$seconds" -max_len=65536 2>&1 | tail -3
cargo fuzz run -s none identifiers corpus/identifiers -- -max_total_time="$seconds" 2>&1 | tail -3
