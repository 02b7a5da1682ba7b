#!/usr/bin/env bash
# Whole-process speed against ripgrep and GNU grep, measured in the same run.
#
#   benches/compare.sh [CORPUS [PATTERNS]]
#
# With no CORPUS, a 1 GiB corpus is generated once by `examples/bench_corpus.rs` (a busy web
# host's journal with two incidents; nothing outside this repository is needed) into
# ${TMPDIR:-/tmp}/logsleuth-bench-1G.log. PATTERNS is what ripgrep and grep count (default:
# benches/patterns.txt, the failure lines a diagnosis needs). logsleuth does the full
# analysis (built-in rules, all detectors, JSON report) with the default threads and with
# --jobs 1. Needs hyperfine, rg and grep (Debian packages hyperfine, ripgrep, grep). Prints
# hyperfine's table, then each command's time as a ratio to ripgrep's.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet --bin logsleuth --example bench_corpus
corpus=${1:-${TMPDIR:-/tmp}/logsleuth-bench-1G.log}
patterns=${2:-benches/patterns.txt}
if [ ! -s "$corpus" ]; then
  if [ $# -ge 1 ]; then
    echo "compare.sh: $corpus: no such corpus" >&2
    exit 2
  fi
  target/release/examples/bench_corpus 1G "$corpus"
fi
cat "$corpus" > /dev/null   # cached, as the reference benchmark measures
results=$(mktemp)
trap 'rm -f "$results"' EXIT
hyperfine -N --output=pipe --warmup 1 --runs 5 --export-csv "$results" \
  -n ripgrep "rg -c -f $patterns $corpus" \
  -n grep "grep -E -c -f $patterns $corpus" \
  -n logsleuth "target/release/logsleuth --format json $corpus" \
  -n "logsleuth --jobs 1" "target/release/logsleuth --jobs 1 --format json $corpus"
echo
echo "Ratio to ripgrep's time (below 1: faster than ripgrep):"
awk -F, 'NR == 1 { next } NR == 2 { rg = $2 } { printf "  %-20s %6.3f s  %5.2fx\n", $1, $2, $2 / rg }' "$results"
