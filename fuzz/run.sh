#!/usr/bin/env bash
# Runs each fuzz target for a bounded time, one after the other, on one core.
#
#   fuzz/run.sh                 # every target, 600 s each
#   fuzz/run.sh 60 analyze      # one target, 60 s
#
# Needs a nightly toolchain and cargo-fuzz:
#   rustup toolchain install nightly --profile minimal && cargo install cargo-fuzz
# Crashes land in fuzz/artifacts/TARGET/; each one found becomes a regression test in the
# normal test suite (tests/hostile_input.rs or the module's unit tests) once fixed.
set -euo pipefail
cd "$(dirname "$0")"

seconds="${1:-600}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(envelope analyze rules journal)
fi

for target in "${targets[@]}"; do
  corpus="corpus/$target"
  if [ ! -d "$corpus" ]; then
    # Seed a new corpus from the project's own data: golden logs, or the built-in rules.
    mkdir -p "$corpus"
    if [ "$target" = rules ]; then
      cp ../rules/*.toml "$corpus/"
    elif [ "$target" = journal ]; then
      : # starts empty: the target writes the header, the fuzzer builds the objects
    else
      for log in ../corpora/*/input*; do
        head -c 16384 "$log" > "$corpus/$(basename "$(dirname "$log")")"
      done
    fi
  fi
  echo "== $target: ${seconds}s"
  # -rss_limit_mb: a target that holds more than this much memory is a finding too.
  cargo +nightly fuzz run "$target" "$corpus" -- \
    -max_total_time="$seconds" -rss_limit_mb=2048 -max_len=65536 \
    -print_final_stats=1
done
